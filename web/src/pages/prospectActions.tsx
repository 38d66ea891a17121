import { useState, type ReactNode } from 'react';
import { api, ok } from '../api/client';
import type { components, paths } from '../api/schema';
import { asProspect, type ProspectView } from '../api/views';
import { useAccount } from '../session';
import { managesTeam } from '../../../domain/accounts/access';
import { CONTACT_FIELDS, ContactFields, Field, FormMessage, SubmitButton, contactBody, useContactInput, useForm, type FormState } from '../ui/form';
import { formatDateTime, isoToLocalInput, localInputToIso, spanWords } from '../ui/format';
import { isClosedStage } from '../ui/common';

/**
 * Every command on a prospect as a form. The body of each is typed from the OpenAPI document
 * of its route; the server decides, and its refusal is shown at the field it names.
 */

type CommandPath = Extract<keyof paths, `/api/prospects/{id}/${string}`>;
type BodyOf<P extends CommandPath> = paths[P] extends { post: { requestBody: { content: { 'application/json': infer B } } } } ? B : never;

async function command<P extends CommandPath>(path: P, id: string, body: BodyOf<P>): Promise<ProspectView> {
  // openapi-fetch cannot narrow a generic path; the body is checked against P's schema above.
  const post = api.POST as unknown as (path: string, init: unknown) => Promise<{ data?: components['schemas']['Prospect']; error?: unknown; response: Response }>;
  return asProspect(await ok(post(path, { params: { path: { id } }, body })));
}

/** A number from a text field, or the text itself so the server names what is wrong with it. */
function num(value: string): number {
  const n = Number(value);
  return (value.trim() !== '' && Number.isFinite(n) ? n : value) as number;
}

interface ActionProps {
  prospect: ProspectView;
  /** The prospect after a command, and what the command did (shown above the forms, which start afresh). */
  onChanged: (p: ProspectView, message?: string) => void;
}

function useCommand(run: () => Promise<ProspectView>, onChanged: (p: ProspectView, message?: string) => void, message: string): FormState {
  return useForm(async () => {
    onChanged(await run(), message);
    return message;
  });
}

function ActionForm({ title, form, fields, children, submit, danger }: { title: string; form: FormState; fields: string[]; children: ReactNode; submit: string; danger?: boolean }) {
  return (
    <form onSubmit={form.submit} aria-label={title} className="action-form">
      <div className="form-grid">{children}</div>
      <FormMessage form={form} fields={fields} />
      <div className="form-actions">
        <SubmitButton form={form} kind={danger ? 'danger' : 'primary'}>
          {submit}
        </SubmitButton>
      </div>
    </form>
  );
}


export function LogContactForm({ prospect, onChanged }: ActionProps) {
  const [contact, setContact] = useContactInput();
  const [note, setNote] = useState('');
  const form = useCommand(() => command('/api/prospects/{id}/log-contact', prospect.info.id, { ...contactBody(contact), note }), (p, m) => (setNote(''), onChanged(p, m)), 'Contact logged');
  return (
    <ActionForm title="Log contact" form={form} fields={[...CONTACT_FIELDS, 'note']} submit="Log contact">
      <ContactFields form={form} value={contact} onChange={setContact} />
      <Field label="Note" error={form.fieldError('note')} className="wide">
        {(p) => <textarea {...p} name="note" value={note} onChange={(e) => setNote(e.target.value)} />}
      </Field>
    </ActionForm>
  );
}

export function QualifyForm({ prospect, onChanged }: ActionProps) {
  const a = prospect.qualification?.answers ?? {};
  const [budget, setBudget] = useState(a.budget !== undefined ? String(a.budget) : '');
  const [need, setNeed] = useState(a.need ?? '');
  const [authority, setAuthority] = useState(a.authority ?? '');
  const [timeline, setTimeline] = useState(a.timeline ?? '');
  const [decision, setDecision] = useState<'' | 'qualified' | 'disqualified' | 'decide'>('');
  const [reason, setReason] = useState('');
  const form = useCommand(
    () =>
      command('/api/prospects/{id}/qualify', prospect.info.id, {
        answers: { ...(budget ? { budget: num(budget) } : {}), ...(need ? { need } : {}), ...(authority ? { authority } : {}), ...(timeline ? { timeline } : {}) },
        ...(decision === 'decide' ? { decide: true } : decision ? { outcome: decision } : {}),
        ...(reason ? { reason } : {}),
      }),
    onChanged,
    'Qualification saved',
  );
  return (
    <ActionForm title="Qualify" form={form} fields={['answers', 'outcome', 'reason', 'decide']} submit="Save qualification">
      <Field label="Budget" error={form.fieldError('answers.budget')}>
        {(p) => <input {...p} name="budget" inputMode="decimal" value={budget} onChange={(e) => setBudget(e.target.value)} />}
      </Field>
      <Field label="Authority" error={form.fieldError('answers.authority')}>
        {(p) => <input {...p} name="authority" value={authority} onChange={(e) => setAuthority(e.target.value)} placeholder="who decides" />}
      </Field>
      <Field label="Timeline" error={form.fieldError('answers.timeline')}>
        {(p) => <input {...p} name="timeline" value={timeline} onChange={(e) => setTimeline(e.target.value)} placeholder="e.g. Q2" />}
      </Field>
      <Field label="Need" error={form.fieldError('answers.need')} className="wide">
        {(p) => <textarea {...p} name="need" value={need} onChange={(e) => setNeed(e.target.value)} />}
      </Field>
      <Field label="Decision" error={form.fieldError('outcome') ?? form.fieldError('decide')}>
        {(p) => (
          <select {...p} name="decision" value={decision} onChange={(e) => setDecision(e.target.value as typeof decision)}>
            <option value="">record answers only</option>
            {/* Offered only when the prospect's process has rules to decide by: the server refuses it otherwise. */}
            {(prospect.process.qualification?.rules?.length ?? 0) > 0 ? <option value="decide">let the process rules decide</option> : null}
            <option value="qualified">qualified</option>
            <option value="disqualified">disqualified</option>
          </select>
        )}
      </Field>
      <Field label="Reason" error={form.fieldError('reason')}>
        {(p) => <input {...p} name="reason" value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
    </ActionForm>
  );
}

interface ItemRow { product: string; quantity: string; wantedDeliveryDate: string }

function ItemRows({ rows, setRows, form, prefix }: { rows: ItemRow[]; setRows: (r: ItemRow[]) => void; form: FormState; prefix: string }) {
  return (
    <div className="wide stack">
      {rows.map((row, i) => (
        <div className="form-grid" key={i}>
          <Field label={`Product ${i + 1}`} error={form.fieldError(`${prefix}[${i}].product`)}>
            {(p) => <input {...p} name={`product-${i}`} value={row.product} onChange={(e) => setRows(rows.map((r, j) => (j === i ? { ...r, product: e.target.value } : r)))} placeholder="PUMP-X" />}
          </Field>
          <Field label="Quantity" error={form.fieldError(`${prefix}[${i}].quantity`)}>
            {(p) => <input {...p} name={`quantity-${i}`} inputMode="numeric" value={row.quantity} onChange={(e) => setRows(rows.map((r, j) => (j === i ? { ...r, quantity: e.target.value } : r)))} />}
          </Field>
          <Field label="Wanted delivery" error={form.fieldError(`${prefix}[${i}].wantedDeliveryDate`)}>
            {(p) => <input {...p} name={`date-${i}`} type="date" value={row.wantedDeliveryDate} onChange={(e) => setRows(rows.map((r, j) => (j === i ? { ...r, wantedDeliveryDate: e.target.value } : r)))} />}
          </Field>
        </div>
      ))}
      <div className="row">
        <button type="button" className="btn btn-secondary btn-small" onClick={() => setRows([...rows, { product: '', quantity: '1', wantedDeliveryDate: '' }])}>
          Add item
        </button>
        {rows.length > 1 ? (
          <button type="button" className="btn btn-secondary btn-small" onClick={() => setRows(rows.slice(0, -1))}>
            Remove last
          </button>
        ) : null}
      </div>
    </div>
  );
}

export function InquiryForm({ prospect, onChanged }: ActionProps) {
  const current = prospect.inquiry?.versions[prospect.inquiry.versions.length - 1];
  const [rows, setRows] = useState<ItemRow[]>(
    current ? current.items.map((i) => ({ product: i.product, quantity: String(i.quantity), wantedDeliveryDate: i.wantedDeliveryDate ?? '' })) : [{ product: '', quantity: '1', wantedDeliveryDate: '' }],
  );
  const [note, setNote] = useState('');
  const body = () => ({ items: rows.map((r) => ({ product: r.product, quantity: num(r.quantity), ...(r.wantedDeliveryDate ? { wantedDeliveryDate: r.wantedDeliveryDate } : {}) })), note });
  const form = useCommand(
    () => (current ? command('/api/prospects/{id}/change-inquiry', prospect.info.id, body()) : command('/api/prospects/{id}/create-inquiry', prospect.info.id, body())),
    onChanged,
    current ? 'Inquiry changed' : 'Inquiry recorded',
  );
  return (
    <ActionForm title={current ? 'Change inquiry' : 'Create inquiry'} form={form} fields={['items', 'note']} submit={current ? `Save as version ${current.version + 1}` : 'Record inquiry'}>
      <ItemRows rows={rows} setRows={setRows} form={form} prefix="items" />
      <Field label="Note" error={form.fieldError('note')} className="wide">
        {(p) => <textarea {...p} name="note" value={note} onChange={(e) => setNote(e.target.value)} />}
      </Field>
    </ActionForm>
  );
}

/**
 * The domain's rule for a zero price speaks to the API and the CLI ("say so with free: true
 * (--free)"); in this form the way to say so is the line's "Free of charge" box.
 */
function inFormWords(message: string | undefined): string | undefined {
  return message?.replace('say so with free: true (--free)', 'tick “Free of charge” to say so');
}

interface LineRow { product: string; quantity: string; unitPrice: string; discountPercent: string; free: boolean }

export function QuoteForm({ prospect, onChanged }: ActionProps) {
  const quote = prospect.quotes[prospect.quotes.length - 1];
  const inquiry = prospect.inquiry?.versions[prospect.inquiry.versions.length - 1];
  const [rows, setRows] = useState<LineRow[]>(
    quote
      ? quote.lines.map((l) => ({ product: l.product, quantity: String(l.quantity), unitPrice: (l.unitPriceCents / 100).toFixed(2), discountPercent: l.discountPercent ? String(l.discountPercent) : '', free: Boolean(l.free) }))
      : (inquiry?.items ?? [{ product: '', quantity: 1 }]).map((i) => ({ product: i.product, quantity: String(i.quantity), unitPrice: '', discountPercent: '', free: false })),
  );
  const [note, setNote] = useState('');
  const [validTo, setValidTo] = useState('');
  const lines = () => rows.map((r) => ({ product: r.product, quantity: num(r.quantity), unitPrice: r.unitPrice, ...(r.discountPercent ? { discountPercent: r.discountPercent } : {}), ...(r.free ? { free: true } : {}) }));
  const form = useCommand(
    () =>
      quote
        ? command('/api/prospects/{id}/change-quote', prospect.info.id, { lines: lines(), ...(note ? { note } : {}), ...(validTo ? { validTo: localInputToIso(validTo) } : {}) })
        : command('/api/prospects/{id}/create-quote', prospect.info.id, { lines: lines(), note, ...(validTo ? { validTo: localInputToIso(validTo) } : {}) }),
    onChanged,
    quote ? 'Quotation changed' : 'Quotation created',
  );
  const set = (i: number, patch: Partial<LineRow>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <ActionForm title={quote ? 'Change quotation' : 'Create quotation'} form={form} fields={['lines', 'note', 'validTo']} submit={quote ? (quote.status === 'draft' ? 'Save draft' : 'Save as new revision') : 'Create quotation'}>
      <div className="wide stack">
        {rows.map((r, i) => (
          <div className="form-grid" key={i}>
            <Field label={`Product ${i + 1}`} error={form.fieldError(`lines[${i}].product`)}>
              {(p) => <input {...p} name={`line-product-${i}`} value={r.product} onChange={(e) => set(i, { product: e.target.value })} />}
            </Field>
            <Field label="Quantity" error={form.fieldError(`lines[${i}].quantity`)}>
              {(p) => <input {...p} name={`line-quantity-${i}`} inputMode="numeric" value={r.quantity} onChange={(e) => set(i, { quantity: e.target.value })} />}
            </Field>
            <Field label={`Unit price (${prospect.process.quotePolicy.currency})`} error={inFormWords(form.fieldError(`lines[${i}].unitPrice`))}>
              {(p) => <input {...p} name={`line-price-${i}`} inputMode="decimal" value={r.unitPrice} onChange={(e) => set(i, { unitPrice: e.target.value })} placeholder="1999.90" />}
            </Field>
            <Field label="Discount %" error={form.fieldError(`lines[${i}].discountPercent`)}>
              {(p) => <input {...p} name={`line-discount-${i}`} inputMode="decimal" value={r.discountPercent} onChange={(e) => set(i, { discountPercent: e.target.value })} />}
            </Field>
            <Field label="Free of charge" error={form.fieldError(`lines[${i}].free`)}>
              {(p) => <input {...p} name={`line-free-${i}`} type="checkbox" checked={r.free} onChange={(e) => set(i, { free: e.target.checked })} />}
            </Field>
          </div>
        ))}
        <div className="row">
          <button type="button" className="btn btn-secondary btn-small" onClick={() => setRows([...rows, { product: '', quantity: '1', unitPrice: '', discountPercent: '', free: false }])}>
            Add line
          </button>
          {rows.length > 1 ? (
            <button type="button" className="btn btn-secondary btn-small" onClick={() => setRows(rows.slice(0, -1))}>
              Remove last
            </button>
          ) : null}
        </div>
      </div>
      <Field label="Valid until (empty: the process's validity from sending)" error={form.fieldError('validTo')}>
        {(p) => <input {...p} name="validTo" type="datetime-local" value={validTo} onChange={(e) => setValidTo(e.target.value)} />}
      </Field>
      <Field label="Note" error={form.fieldError('note')} className="wide">
        {(p) => <textarea {...p} name="quote-note" value={note} onChange={(e) => setNote(e.target.value)} />}
      </Field>
    </ActionForm>
  );
}

export function SendQuoteForm({ prospect, onChanged }: ActionProps) {
  const [handedOver, setHandedOver] = useState<'' | 'visit' | 'call' | 'letter' | 'direct_mail'>('');
  const send = useCommand(() => command('/api/prospects/{id}/send-quote', prospect.info.id, handedOver ? { handedOver } : {}), onChanged, handedOver ? 'Recorded as handed over' : `Sent to ${prospect.info.email ?? 'the customer'}`);
  // A change that only moves the end of validity: a new draft revision with the same lines
  // (re-read from the inquiry if it changed since), valid for the process's term from now,
  // superseding the expired one. (refresh-quote only follows a changed inquiry.)
  const validity = spanWords(prospect.process.quotePolicy.validity);
  const renew = useCommand(
    () => command('/api/prospects/{id}/change-quote', prospect.info.id, { validTo: new Date(Date.now() + prospect.process.quotePolicy.validity).toISOString() }),
    onChanged,
    'A renewed revision is ready to send',
  );
  const latest = prospect.quotes.at(-1);
  return (
    <div className="stack">
      {/* Only a draft can be sent: a sent one says so instead of offering a send the server refuses. */}
      {latest && latest.status !== 'draft' && !send.done ? (
        <p className="notice" data-testid="send-not-draft">
          Revision {latest.revision} is {latest.status}
          {latest.sentAt ? ` (sent ${formatDateTime(latest.sentAt)})` : ''}. {latest.status === 'sent' ? 'Change the quotation to make a new revision to send, or record the answer.' : 'Create or change a quotation to send a new revision.'}
        </p>
      ) : (
      <ActionForm title="Send quotation" form={send} fields={['handedOver']} submit="Send quotation">
        <Field label="How it reaches the customer" error={send.fieldError('handedOver')} hint={prospect.info.email ? `by mail to ${prospect.info.email}` : 'this prospect has no email address'}>
          {(p) => (
            <select {...p} name="handedOver" value={handedOver} onChange={(e) => setHandedOver(e.target.value as typeof handedOver)}>
              <option value="">by mail</option>
              <option value="visit">handed over at a visit</option>
              <option value="call">read out on a call</option>
              <option value="letter">by letter</option>
              <option value="direct_mail">by direct mail</option>
            </select>
          )}
        </Field>
      </ActionForm>
      )}
      {/* Offered only when there is something to renew: the server refuses it otherwise. */}
      {prospect.quotes.at(-1)?.status === 'expired' ? (
        <ActionForm title="Renew expired quotation" form={renew} fields={[]} submit="Renew expired quotation">
          <p className="muted small wide">
            The quotation expired unanswered. Renewing it makes a new revision with the same lines, valid for {validity} from now, ready to send.
          </p>
        </ActionForm>
      ) : null}
    </div>
  );
}

export function DecisionForms({ prospect, onChanged }: ActionProps) {
  const [note, setNote] = useState('');
  const [rejectReason, setRejectReason] = useState('');
  const [lostReason, setLostReason] = useState('');
  const accept = useCommand(() => command('/api/prospects/{id}/accept-quote', prospect.info.id, { note }), onChanged, 'Won');
  const reject = useCommand(() => command('/api/prospects/{id}/reject-quote', prospect.info.id, { reason: rejectReason }), onChanged, 'Rejection recorded');
  const lost = useCommand(() => command('/api/prospects/{id}/mark-lost', prospect.info.id, { reason: lostReason }), onChanged, 'Marked lost');
  return (
    <div className="stack">
      <ActionForm title="Customer accepted" form={accept} fields={['note']} submit="Customer accepted: won">
        <Field label="Note" error={accept.fieldError('note')} className="wide">
          {(p) => <input {...p} name="accept-note" value={note} onChange={(e) => setNote(e.target.value)} />}
        </Field>
      </ActionForm>
      <ActionForm title="Customer rejected" form={reject} fields={['reason']} submit="Customer rejected" danger>
        <Field label="Why they rejected" error={reject.fieldError('reason')} className="wide">
          {(p) => <input {...p} name="reject-reason" value={rejectReason} onChange={(e) => setRejectReason(e.target.value)} />}
        </Field>
      </ActionForm>
      <ActionForm title="Mark lost" form={lost} fields={['reason']} submit="Mark lost" danger>
        <Field label="Why it is lost" error={lost.fieldError('reason')} className="wide">
          {(p) => <input {...p} name="lost-reason" value={lostReason} onChange={(e) => setLostReason(e.target.value)} />}
        </Field>
      </ActionForm>
    </div>
  );
}

export function CallForms({ prospect, onChanged }: ActionProps) {
  const calls = (prospect.calls ?? []).filter((c) => c.status === 'scheduled');
  const [at, setAt] = useState('');
  const [duration, setDuration] = useState('');
  const [note, setNote] = useState('');
  const [callId, setCallId] = useState(calls[0]?.id ?? '');
  const [newAt, setNewAt] = useState(calls[0] ? isoToLocalInput(calls[0].at) : '');
  const [outcome, setOutcome] = useState('');
  const [reason, setReason] = useState('');
  const schedule = useCommand(() => command('/api/prospects/{id}/schedule-call', prospect.info.id, { at: localInputToIso(at), note, ...(duration ? { duration } : {}) }), onChanged, 'Call scheduled; the invitation is on its way');
  const reschedule = useCommand(() => command('/api/prospects/{id}/reschedule-call', prospect.info.id, { callId, at: localInputToIso(newAt) }), onChanged, 'Call moved');
  const cancel = useCommand(() => command('/api/prospects/{id}/cancel-call', prospect.info.id, { callId, reason }), onChanged, 'Call cancelled');
  const complete = useCommand(() => command('/api/prospects/{id}/complete-call', prospect.info.id, { callId, outcome, note: '' }), onChanged, 'Call recorded');
  const picker = (form: FormState) => (
    <Field label="Call" error={form.fieldError('callId')}>
      {(p) => (
        <select {...p} name="callId" value={callId} onChange={(e) => setCallId(e.target.value)}>
          {calls.length === 0 ? <option value="">no scheduled call</option> : null}
          {calls.map((c) => (
            <option key={c.id} value={c.id}>
              {formatDateTime(c.at)} ({c.id})
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  return (
    <div className="stack">
      <ActionForm title="Schedule a call" form={schedule} fields={['at', 'duration', 'note']} submit="Schedule call">
        <Field label="When" error={schedule.fieldError('at')}>
          {(p) => <input {...p} name="call-at" type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} />}
        </Field>
        <Field label="Length (e.g. 30m)" error={schedule.fieldError('duration')}>
          {(p) => <input {...p} name="duration" value={duration} onChange={(e) => setDuration(e.target.value)} placeholder="process default" />}
        </Field>
        <Field label="Note" error={schedule.fieldError('note')} className="wide">
          {(p) => <input {...p} name="call-note" value={note} onChange={(e) => setNote(e.target.value)} />}
        </Field>
      </ActionForm>
      {calls.length > 0 ? (
        <>
          <ActionForm title="Move a call" form={reschedule} fields={['callId', 'at']} submit="Move call">
            {picker(reschedule)}
            <Field label="New time" error={reschedule.fieldError('at')}>
              {(p) => <input {...p} name="new-at" type="datetime-local" value={newAt} onChange={(e) => setNewAt(e.target.value)} />}
            </Field>
          </ActionForm>
          <ActionForm title="Record a call as done" form={complete} fields={['callId', 'outcome']} submit="Call done">
            {picker(complete)}
            <Field label="Outcome" error={complete.fieldError('outcome')}>
              {(p) => <input {...p} name="call-outcome" value={outcome} onChange={(e) => setOutcome(e.target.value)} />}
            </Field>
          </ActionForm>
          <ActionForm title="Cancel a call" form={cancel} fields={['callId', 'reason']} submit="Cancel call" danger>
            {picker(cancel)}
            <Field label="Reason" error={cancel.fieldError('reason')}>
              {(p) => <input {...p} name="cancel-reason" value={reason} onChange={(e) => setReason(e.target.value)} />}
            </Field>
          </ActionForm>
        </>
      ) : null}
    </div>
  );
}

export function SupportForms({ prospect, onChanged }: ActionProps) {
  const open = (prospect.supportQueries ?? []).filter((q) => !q.answeredAt);
  const [topic, setTopic] = useState('');
  const [question, setQuestion] = useState('');
  const [queryId, setQueryId] = useState(open[0]?.id ?? '');
  const [answer, setAnswer] = useState('');
  const ask = useCommand(() => command('/api/prospects/{id}/open-support-query', prospect.info.id, { topic, question }), onChanged, 'Query recorded; the support desk has a task');
  const reply = useCommand(() => command('/api/prospects/{id}/answer-support-query', prospect.info.id, { queryId, answer }), onChanged, 'Answer recorded');
  return (
    <div className="stack">
      <ActionForm title="Record a support query" form={ask} fields={['topic', 'question']} submit="Record query">
        <Field label="Topic" error={ask.fieldError('topic')}>
          {(p) => <input {...p} name="topic" value={topic} onChange={(e) => setTopic(e.target.value)} />}
        </Field>
        <Field label="Question" error={ask.fieldError('question')} className="wide">
          {(p) => <textarea {...p} name="question" value={question} onChange={(e) => setQuestion(e.target.value)} />}
        </Field>
      </ActionForm>
      {open.length > 0 ? (
        <ActionForm title="Answer a support query" form={reply} fields={['queryId', 'answer']} submit="Answer">
          <Field label="Query" error={reply.fieldError('queryId')}>
            {(p) => (
              <select {...p} name="queryId" value={queryId} onChange={(e) => setQueryId(e.target.value)}>
                {open.map((q) => (
                  <option key={q.id} value={q.id}>
                    {q.topic}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Answer" error={reply.fieldError('answer')} className="wide">
            {(p) => <textarea {...p} name="answer" value={answer} onChange={(e) => setAnswer(e.target.value)} />}
          </Field>
        </ActionForm>
      ) : null}
    </div>
  );
}

export function ReassignForm({ prospect, onChanged }: ActionProps) {
  const account = useAccount();
  // A manager hands over within their team (the server refuses another team's rep).
  const teams = account.role === 'manager' ? prospect.process.teams.filter((t) => managesTeam(account, t)) : prospect.process.teams;
  const reps = teams.flatMap((t) => t.reps.map((r) => r.id)).filter((r) => r !== prospect.info.rep);
  const [rep, setRep] = useState(reps[0] ?? '');
  const [reason, setReason] = useState('');
  const form = useCommand(() => command('/api/prospects/{id}/reassign', prospect.info.id, { rep, ...(reason ? { reason } : {}) }), onChanged, `Reassigned to ${rep}`);
  return (
    <ActionForm title="Reassign" form={form} fields={['rep', 'reason']} submit="Reassign">
      <Field label="New rep" error={form.fieldError('rep')}>
        {(p) => (
          <select {...p} name="rep" value={rep} onChange={(e) => setRep(e.target.value)}>
            {reps.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Reason" error={form.fieldError('reason')}>
        {(p) => <input {...p} name="reassign-reason" value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
    </ActionForm>
  );
}

/** Which action tabs a role sees (the server refuses the rest anyway). */
/** Steps of the pipeline, which a won or lost prospect refuses (the server says so; the page does not offer them). */
const PIPELINE_TABS = new Set(['qualify', 'inquiry', 'quote', 'send', 'decision', 'reassign']);

/**
 * The tab a rep opens the page for: the prospect's next step (qualify once contacted, the
 * inquiry once qualified, the quotation, sending the draft, the customer's answer), so the
 * page does not open on "Log contact" at every stage.
 */
export function nextStepTab(p: Pick<ProspectView, 'stage' | 'contacts' | 'quotes'>): string {
  switch (p.stage) {
    case 'contact':
      return p.contacts.length > 0 ? 'qualify' : 'contact';
    case 'qualification':
      return 'inquiry';
    case 'inquiry':
      return 'quote';
    case 'quotation': {
      const latest = p.quotes.at(-1);
      return latest?.status === 'sent' ? 'decision' : latest?.status === 'draft' || latest?.status === 'expired' ? 'send' : 'quote';
    }
    default:
      return 'contact';
  }
}

export function useActionTabs(stage?: string, hasSupport = true): { id: string; label: string; Form: (p: ActionProps) => ReactNode }[] {
  const account = useAccount();
  const closed = stage !== undefined && isClosedStage(stage);
  const tabs = [
    { id: 'contact', label: 'Log contact', Form: LogContactForm },
    { id: 'qualify', label: 'Qualify', Form: QualifyForm },
    { id: 'inquiry', label: 'Inquiry', Form: InquiryForm },
    { id: 'quote', label: 'Quotation', Form: QuoteForm },
    { id: 'send', label: 'Send', Form: SendQuoteForm },
    { id: 'decision', label: 'Won / lost', Form: DecisionForms },
    { id: 'calls', label: 'Calls', Form: CallForms },
    // Only where the prospect's process has a support team (the server refuses a query otherwise).
    ...(hasSupport ? [{ id: 'support', label: 'Support query', Form: SupportForms }] : []),
  ];
  if (account.role === 'support') return tabs.filter((t) => t.id === 'support');
  if (account.role === 'manager' || account.role === 'admin') tabs.push({ id: 'reassign', label: 'Reassign', Form: ReassignForm });
  // A closed prospect keeps its contacts, calls and support queries.
  return closed ? tabs.filter((t) => !PIPELINE_TABS.has(t.id)) : tabs;
}
