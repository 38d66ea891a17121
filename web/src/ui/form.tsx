import { createContext, useCallback, useContext, useId, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import { localInputToIso, readable } from './format';
import type { Channel as DomainChannel, Direction } from '../../../domain/pipeline/contact';

/**
 * Forms whose errors are the server's: a submit runs the API call, and a refusal is shown
 * where it belongs — at the field the problem names (`errors[].field`), or above the buttons
 * when it names none (a business rule about the whole command).
 */

export interface FormState {
  pending: boolean;
  error: ApiError | undefined;
  done: string | undefined;
  /** The server's message for a field, or undefined. */
  fieldError(field: string): string | undefined;
  submit(event?: FormEvent): Promise<void>;
  reset(): void;
}

/**
 * Clears the success a page shows above its forms (`SuccessNotice`). The page keeps that message
 * because its forms start afresh after each change (keyed by the record), so a form's own `done`
 * goes with the old form; every form's next submit clears it here, so a refusal never sits under
 * the last command's "Order recorded".
 */
const ClearSuccessContext = createContext<() => void>(() => undefined);

export function useForm(action: () => Promise<string | void>, options: { onDone?: () => void } = {}): FormState {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const clearSuccess = useContext(ClearSuccessContext);
  const submit = useCallback(
    async (event?: FormEvent) => {
      event?.preventDefault();
      setPending(true);
      setError(undefined);
      setDone(undefined);
      clearSuccess();
      try {
        const message = await action();
        setDone(message || 'Saved');
        options.onDone?.();
      } catch (err) {
        setError(err instanceof ApiError ? err : new ApiError({ type: 'about:blank', title: 'Error', status: 0, detail: (err as Error).message }));
      } finally {
        setPending(false);
      }
    },
    [action, options, clearSuccess],
  );
  const fieldError = useCallback(
    (field: string) => {
      if (!error) return undefined;
      const hit = error.problem.errors?.find((e) => e.field === field || e.field.startsWith(`${field}.`) || e.field.startsWith(`${field}[`));
      // The server's instants (`2026-12-01T10:00:00.000Z is in the future`) as the page shows times.
      return hit ? readable(hit.field === field ? hit.message : `${hit.field}: ${hit.message}`) : undefined;
    },
    [error],
  );
  return { pending, error, done, fieldError, submit, reset: () => (setError(undefined), setDone(undefined)) };
}

/** The fields the form shows, so a problem naming none of them is shown at the form. */
export function FormMessage({ form, fields }: { form: FormState; fields: readonly string[] }) {
  if (form.error) {
    const atField = form.error.problem.errors?.some((e) => fields.some((f) => e.field === f || e.field.startsWith(`${f}.`) || e.field.startsWith(`${f}[`)));
    if (atField) return <p className="form-error" role="alert">Please correct the marked field{(form.error.problem.errors?.length ?? 0) > 1 ? 's' : ''}.</p>;
    return (
      <p className="form-error" role="alert" data-testid="form-error">
        {readable(form.error.problem.detail)}
      </p>
    );
  }
  if (form.done) return <p className="form-done" role="status">{form.done}</p>;
  return null;
}

/** What the last command of a page's forms did, shown above them until any of them is submitted again. */
export function SuccessNotice({ notice, onClear, children }: { notice: ReactNode; onClear: () => void; children: ReactNode }) {
  return (
    <ClearSuccessContext.Provider value={onClear}>
      {notice ? (
        <p className="form-done" role="status" data-testid="action-done">
          {notice}
        </p>
      ) : null}
      {children}
    </ClearSuccessContext.Provider>
  );
}

interface FieldProps {
  label: string;
  error?: string | undefined;
  hint?: string;
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }) => ReactNode;
  className?: string;
}

/** A labelled field; the server's message for it sits right below, tied to it for screen readers. */
export function Field({ label, error, hint, children, className }: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errorId : '', hint ? hintId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': Boolean(error), 'aria-describedby': describedBy })}
      {hint && !error ? (
        <small id={hintId} className="field-hint">
          {hint}
        </small>
      ) : null}
      {error ? (
        <small id={errorId} className="field-error" role="alert">
          {error}
        </small>
      ) : null}
    </div>
  );
}

export function SubmitButton({ form, children, kind = 'primary' }: { form: FormState; children: ReactNode; kind?: 'primary' | 'danger' | 'secondary' }) {
  return (
    <button type="submit" className={`btn btn-${kind}`} disabled={form.pending}>
      {form.pending ? 'Working…' : children}
    </button>
  );
}

/**
 * The channels a contact is logged on, as a rep reads them: every one the domain knows
 * (`domain/pipeline/contact.ts`; a Record, so a new one fails to compile here until it is
 * worded), `web` too — a customer writes in through a portal or the quotation page.
 */
const CHANNEL_WORDS: Record<DomainChannel, string> = { call: 'call', email: 'email', visit: 'visit', letter: 'letter', direct_mail: 'direct mail', web: 'web' };
export type Channel = DomainChannel;

export function ChannelSelect({ value, onChange, ...field }: Parameters<FieldProps['children']>[0] & { value: Channel; onChange: (c: Channel) => void }) {
  return (
    <select {...field} name="channel" value={value} onChange={(e) => onChange(e.target.value as Channel)}>
      {(Object.keys(CHANNEL_WORDS) as Channel[]).map((c) => (
        <option key={c} value={c}>
          {CHANNEL_WORDS[c]}
        </option>
      ))}
    </select>
  );
}

export interface ContactInput {
  channel: Channel;
  direction: Direction;
  /** The datetime-local input's value; empty for now. */
  at: string;
}

/**
 * A logged contact's how, which way and when, the same on the prospect's and the customer's
 * forms (the CLI's `--channel --direction --at`): after the sale most contacts are the
 * customer's own calls and mails, so "they reached us" must be as easy to say as on a prospect.
 */
export function useContactInput(): [ContactInput, (change: Partial<ContactInput>) => void] {
  const [input, setInput] = useState<ContactInput>({ channel: 'call', direction: 'outbound', at: '' });
  return [input, useCallback((change: Partial<ContactInput>) => setInput((v) => ({ ...v, ...change })), [])];
}

/** The command's fields: `at` only when given, so the server takes the time it accepts it. */
export function contactBody(input: ContactInput): { channel: Channel; direction: Direction; at?: string } {
  return { channel: input.channel, direction: input.direction, ...(input.at ? { at: localInputToIso(input.at) } : {}) };
}

/** The fields a contact command names, for `FormMessage`. */
export const CONTACT_FIELDS = ['channel', 'direction', 'at'] as const;

export function ContactFields({ form, value, onChange }: { form: FormState; value: ContactInput; onChange: (change: Partial<ContactInput>) => void }) {
  return (
    <>
      <Field label="Channel" error={form.fieldError('channel')}>
        {(p) => <ChannelSelect {...p} value={value.channel} onChange={(channel) => onChange({ channel })} />}
      </Field>
      <Field label="Direction" error={form.fieldError('direction')}>
        {(p) => (
          <select {...p} name="direction" value={value.direction} onChange={(e) => onChange({ direction: e.target.value as Direction })}>
            <option value="outbound">we reached out</option>
            <option value="inbound">they reached us</option>
          </select>
        )}
      </Field>
      <Field label="When" hint="Leave empty for now" error={form.fieldError('at')}>
        {(p) => <input {...p} name="at" type="datetime-local" value={value.at} onChange={(e) => onChange({ at: e.target.value })} />}
      </Field>
    </>
  );
}

/**
 * A labelled pick-list: `empty` (when given) first as the "none / all" choice with the value
 * "", then each option (a value, or a value with its label).
 */
export function SelectField({
  label,
  name,
  value,
  options,
  empty,
  onChange,
  hint,
  error,
  disabled,
}: {
  label: string;
  name: string;
  value: string;
  options: readonly (string | { value: string; label: string })[];
  empty?: string;
  onChange: (value: string) => void;
  hint?: string;
  error?: string | undefined;
  disabled?: boolean;
}) {
  return (
    <Field label={label} error={error} {...(hint ? { hint } : {})}>
      {(p) => (
        <select {...p} name={name} value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled}>
          {empty !== undefined ? <option value="">{empty}</option> : null}
          {options.map((o) => {
            const { value: v, label: l } = typeof o === 'string' ? { value: o, label: o } : o;
            return (
              <option key={v} value={v}>
                {l}
              </option>
            );
          })}
        </select>
      )}
    </Field>
  );
}
