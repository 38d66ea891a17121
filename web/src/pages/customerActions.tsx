import { useState, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { api, ok } from '../api/client';
import type { components, paths } from '../api/schema';
import { asCustomer, type CustomerView, type SupportCaseView } from '../api/views';
import { useAccount } from '../session';
import { Badge } from '../ui/common';
import { CONTACT_FIELDS, ContactFields, Field, FormMessage, SelectField, SubmitButton, contactBody, useContactInput, useForm, type FormState } from '../ui/form';
import { formatDate } from '../ui/format';
import { OUTCOME_FOR_SUGGESTION, SUGGESTION_WORDS } from '../../../domain/customer/labels';

/**
 * The account's commands as forms (the API's `POST /api/customers/{id}/<command>`). Bodies
 * are typed from each route's OpenAPI schema; the server decides, and its refusal is shown at
 * the field it names. What a command made (a prospect, a query) comes back as `result.ref`.
 */

type CommandPath = Extract<keyof paths, `/api/customers/{id}/${string}`>;
type BodyOf<P extends CommandPath> = paths[P] extends { post: { requestBody: { content: { 'application/json': infer B } } } } ? B : never;
type Answer = { result: { changeNo: number; summary: string; ref?: string }; customer: components['schemas']['Customer'] };

export async function customerCommand<P extends CommandPath>(path: P, id: string, body: BodyOf<P>): Promise<{ customer: CustomerView; ref?: string; summary: string }> {
  // openapi-fetch cannot narrow a generic path; the body is checked against P's schema above.
  const post = api.POST as unknown as (path: string, init: unknown) => Promise<{ data?: Answer; error?: unknown; response: Response }>;
  const answer = await ok(post(path, { params: { path: { id } }, body }));
  return { customer: asCustomer(answer.customer), summary: answer.result.summary, ...(answer.result.ref ? { ref: answer.result.ref } : {}) };
}

export interface CustomerActionProps {
  customer: CustomerView;
  /** The account after a command, and what to say about it (shown above the forms). */
  onChanged: (c: CustomerView, message: ReactNode) => void;
}

function useCommand(run: () => Promise<{ customer: CustomerView; ref?: string; summary: string }>, onChanged: CustomerActionProps['onChanged'], message: (ref: string | undefined) => ReactNode): FormState {
  return useForm(async () => {
    const done = await run();
    onChanged(done.customer, message(done.ref));
  });
}

function ActionForm({ title, form, fields, children, submit }: { title: string; form: FormState; fields: string[]; children: ReactNode; submit: string }) {
  return (
    <form onSubmit={form.submit} aria-label={title} className="action-form">
      <div className="form-grid">{children}</div>
      <FormMessage form={form} fields={fields} />
      <div className="form-actions">
        <SubmitButton form={form}>{submit}</SubmitButton>
      </div>
    </form>
  );
}

const text = (value: string) => (value.trim() ? value : undefined);


function LogContactForm({ customer, onChanged }: CustomerActionProps) {
  const [contact, setContact] = useContactInput();
  const [note, setNote] = useState('');
  const form = useCommand(() => customerCommand('/api/customers/{id}/log-contact', customer.info.id, { ...contactBody(contact), note }), onChanged, () => 'Contact logged');
  return (
    <ActionForm title="Log contact" form={form} fields={[...CONTACT_FIELDS, 'note']} submit="Log contact">
      <ContactFields form={form} value={contact} onChange={setContact} />
      <Field label="Note" error={form.fieldError('note')} hint="#tags (like #repair-over-replace) become preferences on the profile" className="wide">
        {(p) => <textarea {...p} name="note" value={note} onChange={(e) => setNote(e.target.value)} />}
      </Field>
    </ActionForm>
  );
}

function SatisfactionForm({ customer, onChanged }: CustomerActionProps) {
  const [score, setScore] = useState('5');
  const [note, setNote] = useState('');
  const form = useCommand(() => customerCommand('/api/customers/{id}/satisfaction', customer.info.id, { score: Number(score), note }), onChanged, () => 'Satisfaction recorded');
  return (
    <ActionForm title="Satisfaction check" form={form} fields={['score', 'note']} submit="Record satisfaction">
      <Field label="Score (1 = unhappy, 5 = delighted)" error={form.fieldError('score')}>
        {(p) => (
          <select {...p} name="score" value={score} onChange={(e) => setScore(e.target.value)}>
            {['5', '4', '3', '2', '1'].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Note" error={form.fieldError('note')} className="wide">
        {(p) => <textarea {...p} name="note" value={note} onChange={(e) => setNote(e.target.value)} />}
      </Field>
    </ActionForm>
  );
}

function ProfileForm({ customer, onChanged }: CustomerActionProps) {
  const [prefer, setPrefer] = useState('');
  const [decisionMaker, setDecisionMaker] = useState('');
  const [role, setRole] = useState('');
  const [serviceLevel, setServiceLevel] = useState('');
  const [tier, setTier] = useState('');
  const tiers = Object.keys(customer.process.postSales?.tiers ?? {});
  const [note, setNote] = useState('');
  const form = useCommand(
    () =>
      customerCommand('/api/customers/{id}/profile', customer.info.id, {
        ...(text(prefer) ? { addPreferences: [prefer] } : {}),
        ...(text(decisionMaker) ? { decisionMakers: [{ name: decisionMaker, ...(text(role) ? { role } : {}) }] } : {}),
        ...(text(serviceLevel) ? { serviceLevel } : {}),
        ...(text(tier) ? { tier } : {}),
        ...(text(note) ? { note } : {}),
      }),
    onChanged,
    () => 'Profile changed',
  );
  return (
    <ActionForm title="Change profile" form={form} fields={['addPreferences', 'decisionMakers', 'serviceLevel', 'tier', 'note']} submit="Save profile">
      <Field label="Add a preference" error={form.fieldError('addPreferences')}>
        {(p) => <input {...p} name="prefer" value={prefer} onChange={(e) => setPrefer(e.target.value)} placeholder="repair over replace" />}
      </Field>
      <Field label="Decision maker" error={form.fieldError('decisionMakers')}>
        {(p) => <input {...p} name="decisionMaker" value={decisionMaker} onChange={(e) => setDecisionMaker(e.target.value)} />}
      </Field>
      <Field label="Their role" error={form.fieldError('decisionMakers.0.role')}>
        {(p) => <input {...p} name="role" value={role} onChange={(e) => setRole(e.target.value)} placeholder="CFO" />}
      </Field>
      <Field label="Service level" error={form.fieldError('serviceLevel')}>
        {(p) => <input {...p} name="serviceLevel" value={serviceLevel} onChange={(e) => setServiceLevel(e.target.value)} placeholder={customer.profile.serviceLevel ?? 'gold'} />}
      </Field>
      {/* Only the process's tiers are accepted (each sets a check-in interval): offer those, rather than refuse a typed one after the submit. */}
      <SelectField
        label="Tier"
        name="tier"
        value={tier}
        options={tiers}
        empty="(unchanged)"
        onChange={setTier}
        error={form.fieldError('tier')}
        disabled={tiers.length === 0}
        {...(tiers.length === 0 ? { hint: `process ${customer.process.name} names no tiers (postSales.tiers)` } : customer.info.tier ? { hint: `now ${customer.info.tier}` } : {})}
      />
      <Field label="Note" error={form.fieldError('note')} className="wide">
        {(p) => <textarea {...p} name="note" value={note} onChange={(e) => setNote(e.target.value)} />}
      </Field>
    </ActionForm>
  );
}

const prospectLink = (id: string | undefined) =>
  id ? (
    <>
      {' '}
      <Link to={`/prospects/${encodeURIComponent(id)}`}>{id}</Link>
    </>
  ) : null;

function NewDealForm({ customer, onChanged }: CustomerActionProps) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [note, setNote] = useState('');
  const form = useCommand(
    () => customerCommand('/api/customers/{id}/deals', customer.info.id, { ...(text(name) ? { name } : {}), ...(text(email) ? { email } : {}), note }),
    onChanged,
    (ref) => <>New deal opened:{prospectLink(ref)}</>,
  );
  return (
    <ActionForm title="New deal" form={form} fields={['name', 'email', 'note']} submit="Open deal">
      <Field label="Contact name (empty: the account's)" error={form.fieldError('name')}>
        {(p) => <input {...p} name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder={customer.info.contacts[0]?.name ?? ''} />}
      </Field>
      <Field label="Email" error={form.fieldError('email')}>
        {(p) => <input {...p} name="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} />}
      </Field>
      <Field label="What they want" error={form.fieldError('note')} className="wide">
        {(p) => <textarea {...p} name="note" value={note} onChange={(e) => setNote(e.target.value)} />}
      </Field>
    </ActionForm>
  );
}

function ReferralForm({ customer, onChanged }: CustomerActionProps) {
  const [v, setV] = useState({ name: '', company: '', email: '', phone: '', note: '' });
  const form = useCommand(
    () =>
      customerCommand('/api/customers/{id}/referrals', customer.info.id, {
        name: v.name,
        ...(text(v.company) ? { company: v.company } : {}),
        ...(text(v.email) ? { email: v.email } : {}),
        ...(text(v.phone) ? { phone: v.phone } : {}),
        note: v.note,
      }),
    (c, m) => (setV({ name: '', company: '', email: '', phone: '', note: '' }), onChanged(c, m)),
    (ref) => <>Referral added as prospect{prospectLink(ref)}</>,
  );
  const input = (key: keyof typeof v, label: string, extra: Record<string, unknown> = {}) => (
    <Field label={label} error={form.fieldError(key)}>
      {(p) => <input {...p} {...extra} name={key} value={v[key]} onChange={(e) => setV({ ...v, [key]: e.target.value })} />}
    </Field>
  );
  return (
    <ActionForm title="Add referral" form={form} fields={Object.keys(v)} submit="Add referral">
      {input('name', 'Name', { required: true })}
      {input('company', 'Company')}
      {input('email', 'Email', { type: 'email' })}
      {input('phone', 'Phone')}
      <Field label="Note" error={form.fieldError('note')} className="wide">
        {(p) => <textarea {...p} name="note" value={v.note} onChange={(e) => setV({ ...v, note: e.target.value })} />}
      </Field>
    </ActionForm>
  );
}

function OrderForm({ customer, onChanged }: CustomerActionProps) {
  const [product, setProduct] = useState(customer.consumables[0]?.product ?? '');
  const [quantity, setQuantity] = useState('');
  const usual = customer.consumables.find((c) => c.product === product)?.quantity;
  const form = useCommand(
    () => customerCommand('/api/customers/{id}/orders', customer.info.id, { product, ...(text(quantity) ? { quantity: Number(quantity) } : {}) }),
    onChanged,
    () => 'Order recorded',
  );
  return (
    <ActionForm title="Record order" form={form} fields={['product', 'quantity']} submit="Record order">
      <Field label="Product" error={form.fieldError('product')}>
        {(p) => <input {...p} name="product" value={product} onChange={(e) => setProduct(e.target.value)} list="consumables" />}
      </Field>
      <datalist id="consumables">
        {customer.consumables.map((c) => (
          <option key={c.product} value={c.product} />
        ))}
      </datalist>
      {/* Empty is allowed: the order repeats the consumable's last quantity (the domain's default), so the field says which. */}
      <Field label="Quantity" error={form.fieldError('quantity')} {...(usual !== undefined ? { hint: `empty: the usual ${usual}` } : {})}>
        {(p) => <input {...p} name="quantity" inputMode="numeric" value={quantity} onChange={(e) => setQuantity(e.target.value)} placeholder={usual !== undefined ? String(usual) : ''} />}
      </Field>
    </ActionForm>
  );
}

const SUGGESTION_TONES = { repair: 'green', replace: 'violet', answer: 'gray' } as const;

/** The profile's suggestion for one query, worded for the support rep. */
export function Suggestion({ query }: { query: SupportCaseView }) {
  return (
    <div className="row" data-testid={`suggestion-${query.id}`}>
      <Badge tone={SUGGESTION_TONES[query.suggestion]}>suggested: {SUGGESTION_WORDS[query.suggestion]}</Badge>
      <span className="small">{query.why}</span>
    </div>
  );
}

/** What the profile says, in the few lines a support rep reads while the customer waits. */
export function ProfileBrief({ customer }: { customer: CustomerView }) {
  const p = customer.profile;
  return (
    <dl className="kv" aria-label="Service profile">
      <dt>Prefers</dt>
      <dd>{p.preferences.length ? p.preferences.join(' · ') : '—'}</dd>
      <dt>Decision makers</dt>
      <dd>{p.decisionMakers.length ? p.decisionMakers.map((d) => `${d.name}${d.role ? ` (${d.role})` : ''}`).join(', ') : '—'}</dd>
      <dt>Installed</dt>
      <dd>{p.installedProducts.length ? p.installedProducts.map((i) => `${i.quantity} × ${i.product} (${formatDate(i.purchasedAt)})`).join(', ') : '—'}</dd>
      <dt>Service level</dt>
      <dd>{p.serviceLevel ?? '—'}</dd>
    </dl>
  );
}

function SupportQueryForm({ customer, onChanged }: CustomerActionProps) {
  const [topic, setTopic] = useState('');
  const [question, setQuestion] = useState('');
  const [product, setProduct] = useState('');
  const form = useCommand(
    () => customerCommand('/api/customers/{id}/support-queries', customer.info.id, { topic, question, ...(text(product) ? { product } : {}) }),
    (c, m) => (setTopic(''), setQuestion(''), setProduct(''), onChanged(c, m)),
    (ref) => <>Support query {ref} opened; its suggestion is under Support queries</>,
  );
  return (
    <div className="stack">
      <div className="notice" data-testid="support-profile">
        <strong>What {customer.info.name} values</strong>
        <ProfileBrief customer={customer} />
      </div>
      <ActionForm title="Support query" form={form} fields={['topic', 'question', 'product']} submit="Open support query">
        <Field label="Topic" error={form.fieldError('topic')}>
          {(p) => <input {...p} name="topic" value={topic} onChange={(e) => setTopic(e.target.value)} placeholder="pump leaks" />}
        </Field>
        <Field label="Product" error={form.fieldError('product')}>
          {(p) => <input {...p} name="product" value={product} onChange={(e) => setProduct(e.target.value)} list="installed" />}
        </Field>
        <datalist id="installed">
          {customer.profile.installedProducts.map((i) => (
            <option key={`${i.product}-${i.prospectId}`} value={i.product} />
          ))}
        </datalist>
        <Field label="Question" error={form.fieldError('question')} className="wide">
          {(p) => <textarea {...p} name="question" value={question} onChange={(e) => setQuestion(e.target.value)} />}
        </Field>
      </ActionForm>
    </div>
  );
}

/** Answering one open query: answered, a repair task, or a replacement deal, as the profile suggests. */
export function AnswerQueryForm({ customer, query, onChanged }: CustomerActionProps & { query: SupportCaseView }) {
  const [answer, setAnswer] = useState('');
  const [outcome, setOutcome] = useState<'answered' | 'repair' | 'new_deal'>(OUTCOME_FOR_SUGGESTION[query.suggestion]);
  const form = useCommand(
    () => customerCommand('/api/customers/{id}/answer-support-query', customer.info.id, { queryId: query.id, answer, outcome }),
    onChanged,
    (ref) => (ref ? <>Answered; it became {ref.includes('-C') ? `task ${ref}` : prospectLink(ref)}</> : 'Answered'),
  );
  return (
    <ActionForm title={`Answer ${query.id}`} form={form} fields={['answer', 'outcome']} submit="Answer">
      <Field label="Answer" error={form.fieldError('answer')} className="wide">
        {(p) => <textarea {...p} name="answer" value={answer} onChange={(e) => setAnswer(e.target.value)} />}
      </Field>
      <Field label="It becomes" error={form.fieldError('outcome')}>
        {(p) => (
          <select {...p} name="outcome" value={outcome} onChange={(e) => setOutcome(e.target.value as typeof outcome)}>
            <option value="answered">just the answer</option>
            <option value="repair">a repair task for the owner</option>
            <option value="new_deal">a replacement deal</option>
          </select>
        )}
      </Field>
    </ActionForm>
  );
}

export interface CustomerTab {
  id: string;
  label: string;
  Form: (props: CustomerActionProps) => ReactNode;
}

/** The tabs the account offers this person: support only opens queries; the others work the account. */
export function useCustomerTabs(): CustomerTab[] {
  const account = useAccount();
  const support: CustomerTab = { id: 'support', label: 'Support query', Form: SupportQueryForm };
  if (account.role === 'support') return [support];
  return [
    { id: 'contact', label: 'Log contact', Form: LogContactForm },
    { id: 'deal', label: 'New deal', Form: NewDealForm },
    { id: 'referral', label: 'Referral', Form: ReferralForm },
    support,
    { id: 'satisfaction', label: 'Satisfaction', Form: SatisfactionForm },
    { id: 'profile', label: 'Profile', Form: ProfileForm },
    { id: 'order', label: 'Order', Form: OrderForm },
  ];
}
