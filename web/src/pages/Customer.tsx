import { useCallback, useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api, ok } from '../api/client';
import { asCustomer, type CustomerContract, type CustomerView } from '../api/views';
import { useAccount } from '../session';
import { Badge, Empty, LiveStamp, Loading, PageHeader, PageLoadFailed, usePolled, type Tone, Fact } from '../ui/common';
import { Field, FormMessage, SubmitButton, SuccessNotice, useForm } from '../ui/form';
import { formatDate, formatDateTime, formatDue, formatMoney, readable } from '../ui/format';
import { TaskRow } from './MyDay';
import { SUPPORT_OUTCOME_WORDS, renewalNote } from '../../../domain/customer/labels';
import { AnswerQueryForm, customerCommand, ProfileBrief, Suggestion, useCustomerTabs } from './customerActions';

const DEAL_TONES: Record<string, Tone> = { open: 'blue', won: 'green', lost: 'red' };
const CONTRACT_TONES: Record<string, Tone> = { active: 'green', ending: 'amber', lapsed: 'red' };
const DAY = 86_400_000;

/**
 * Days until an instant, for a renewal date: "today" when it ends before this day (the
 * viewer's) is over, else the whole days left, rounded down ("in 12 d", never less than 1);
 * past it, "3 d ago" (within the last 24 h still "today").
 */
export function daysLeft(iso: string, now = Date.now()): string {
  const end = Date.parse(iso);
  if (end < now) {
    const ago = Math.floor((now - end) / DAY);
    return ago === 0 ? 'today' : `${ago} d ago`;
  }
  const endOfToday = new Date(now);
  endOfToday.setHours(24, 0, 0, 0);
  if (end < endOfToday.getTime()) return 'today';
  return `in ${Math.max(1, Math.floor((end - now) / DAY))} d`;
}

/**
 * The customer page: the account after the sale — its deals, contracts with their renewal
 * dates, referrals, service profile, support queries and open tasks, the account's history,
 * and every command the API offers on it as a form.
 */
export function CustomerPage() {
  const { id = '' } = useParams();
  const customer = usePolled(async () => asCustomer(await ok(api.GET('/api/customers/{id}', { params: { path: { id } } }))), [id], 15_000);
  if (customer.loading && !customer.data) return <Loading what="Loading the customer" />;
  if (!customer.data) return <PageLoadFailed title="Customer" error={customer.error} back={{ to: '/customers', label: 'Back to the customers' }} />;
  const c = customer.data;
  const openTasks = c.tasks.filter((t) => t.state === 'open' || t.state === 'overdue' || t.state === 'escalated');
  const won = c.deals.filter((d) => d.status === 'won');
  const currency = won[0]?.currency ?? c.contracts[0]?.currency ?? 'EUR';
  const nextRenewal = c.contracts.filter((k) => k.status !== 'lapsed').map((k) => k.end).sort()[0];
  const contact = c.info.contacts[0];
  return (
    <div className="page">
      <PageHeader
        title={
          <span className="prospect-head">
            {c.info.name} <Badge tone="green">customer</Badge>
            {c.info.tier ? <Badge tone="violet">{c.info.tier}</Badge> : null}
          </span>
        }
        subtitle={
          <>
            {[contact?.name, contact?.email, contact?.phone].filter(Boolean).join(' · ') || c.info.id}
            {c.info.referredBy ? (
              <>
                {' · referred by '}
                <Link to={`/customers/${encodeURIComponent(c.info.referredBy)}`}>{c.info.referredBy}</Link>
              </>
            ) : null}
          </>
        }
        actions={<LiveStamp at={customer.updatedAt} />}
      />
      <section className="panel panel-body" aria-label="Summary">
        <div className="facts">
          <Fact label="Owner" value={c.info.owner} />
          <Fact label="Won (net)" value={`${won.length} deal${won.length === 1 ? '' : 's'} · ${formatMoney(won.reduce((s, d) => s + (d.netCents ?? 0), 0), currency)}`} />
          <Fact label="Next renewal" value={nextRenewal ? `${formatDate(nextRenewal)} (${daysLeft(nextRenewal)})` : '—'} />
          <Fact label="Last contact" value={formatDue(c.cadence.lastContactAt)} />
          <Fact label="Satisfaction" value={c.cadence.satisfaction ? `${c.cadence.satisfaction.score} / 5` : '—'} />
          <Fact label="Lost revenue" value={c.lostRevenueCents ? formatMoney(c.lostRevenueCents, currency) : '—'} />
          <Fact label="Process" value={`${c.process.name} v${c.process.version}`} />
        </div>
      </section>
      <div className="grid-2 record-grid">
        <div className="stack">
          <Actions customer={c} onChanged={customer.set} />
          <Contracts customer={c} onChanged={customer.set} />
          <Deals customer={c} />
          <Timeline customer={c} />
        </div>
        <div className="stack">
          <section className="panel" aria-labelledby="ctasks-h">
            <div className="panel-head">
              <h2 id="ctasks-h">Open tasks</h2>
              <span className="muted small">{openTasks.length}</span>
            </div>
            {openTasks.length === 0 ? (
              <Empty title="No open tasks" />
            ) : (
              <ul className="task-list">
                {openTasks.map((t) => (
                  <TaskRow key={t.id} task={{ ...t, prospectId: '' }} onDone={customer.reload} showRep linkSubject={false} />
                ))}
              </ul>
            )}
          </section>
          <SupportQueries customer={c} onChanged={customer.set} />
          <Referrals customer={c} />
          <Profile customer={c} />
          <Consumables customer={c} />
        </div>
      </div>
    </div>
  );
}

function Actions({ customer, onChanged }: { customer: CustomerView; onChanged: (c: CustomerView) => void }) {
  const tabs = useCustomerTabs();
  const [tab, setTab] = useState(tabs[0]!.id);
  const [notice, setNotice] = useState<ReactNode>(undefined);
  const clearNotice = useCallback(() => setNotice(undefined), []);
  const current = tabs.find((t) => t.id === tab) ?? tabs[0]!;
  return (
    <section className="panel" aria-labelledby="cactions-h">
      <div className="panel-head">
        <h2 id="cactions-h">Actions</h2>
      </div>
      <div className="tabs" role="tablist" aria-label="Actions">
        {tabs.map((t) => (
          <button key={t.id} type="button" role="tab" id={`ctab-${t.id}`} aria-selected={t.id === current.id} aria-controls="caction-panel" className="tab" onClick={() => (setTab(t.id), setNotice(undefined))}>
            {t.label}
          </button>
        ))}
      </div>
      <div className="panel-body" role="tabpanel" id="caction-panel" aria-labelledby={`ctab-${current.id}`}>
        <SuccessNotice notice={notice} onClear={clearNotice}>
          <current.Form
            key={`${current.id}-${customer.changes.length}`}
            customer={customer}
            onChanged={(c, message) => {
              setNotice(message);
              onChanged(c);
            }}
          />
        </SuccessNotice>
      </div>
    </section>
  );
}

function Contracts({ customer, onChanged }: { customer: CustomerView; onChanged: (c: CustomerView) => void }) {
  const account = useAccount();
  const [deciding, setDeciding] = useState<string | undefined>(undefined);
  const canAct = account.role !== 'support';
  const contracts = [...customer.contracts].sort((a, b) => (a.status === 'lapsed' ? 1 : 0) - (b.status === 'lapsed' ? 1 : 0) || a.end.localeCompare(b.end));
  return (
    <section className="panel" aria-labelledby="contracts-h">
      <div className="panel-head">
        <h2 id="contracts-h">Contracts and subscriptions</h2>
        <span className="muted small">{customer.contracts.filter((k) => k.status !== 'lapsed').length} running</span>
      </div>
      {contracts.length === 0 ? (
        <Empty title="No contracts">A won line whose product the process names as a contract or subscription runs here, with its renewal date.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="small cards-on-phone" data-testid="contracts">
            <thead>
              <tr>
                <th>Contract</th>
                <th>Renews</th>
                <th>Status</th>
                <th className="num">Value / term</th>
                <th>Renewal</th>
              </tr>
            </thead>
            <tbody>
              {contracts.map((k) => (
                <ContractRow key={k.id} contract={k} canAct={canAct} open={deciding === k.id} onOpen={() => setDeciding(deciding === k.id ? undefined : k.id)} customer={customer} onChanged={(c) => (setDeciding(undefined), onChanged(c))} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function ContractRow({ contract: k, canAct, open, onOpen, customer, onChanged }: { contract: CustomerContract; canAct: boolean; open: boolean; onOpen: () => void; customer: CustomerView; onChanged: (c: CustomerView) => void }) {
  const running = k.status !== 'lapsed';
  return (
    <>
      <tr className={running ? '' : 'row-disabled'} data-testid={`contract-${k.id}`}>
        <td>
          <strong>{k.id}</strong> {k.quantity} × {k.product}
          <div className="muted">
            {[k.kind, renewalNote(k)].filter(Boolean).join(', ')} · term {k.term} since {formatDate(k.start)} · from <Link to={`/prospects/${encodeURIComponent(k.prospectId)}`}>{k.prospectId}</Link>
          </div>
        </td>
        <td data-testid="renewal-date" data-label="Renews">
          <div>
            <time dateTime={k.end}>{formatDate(k.end)}</time>
            <div className="muted">{running ? daysLeft(k.end) : 'ended'}</div>
          </div>
        </td>
        <td data-label="Status">
          <div>
            <Badge tone={CONTRACT_TONES[k.status] ?? 'neutral'}>{k.status}</Badge>
            {k.escalatedAt ? <div className="muted">escalated</div> : null}
            {k.declined ? <div className="muted">declined: {k.declined.reason}</div> : null}
            {k.lostCents ? <div className="muted">lost {formatMoney(k.lostCents, k.currency)}</div> : null}
          </div>
        </td>
        <td className="num" data-label="Value / term">
          {formatMoney(k.valueCents, k.currency)}
        </td>
        <td>
          {k.renewalQuote ? (
            <div>
              quotation {k.renewalQuote.number} ({k.renewalQuote.status}) {formatMoney(k.renewalQuote.netCents, k.renewalQuote.currency)}
            </div>
          ) : (
            <div className="muted">{running ? 'quotation drafted at the first reminder' : '—'}</div>
          )}
          {canAct && running ? (
            <button type="button" className="btn btn-secondary btn-small" aria-expanded={open} onClick={onOpen} aria-label={`Renew or decline ${k.id}`}>
              Renew or decline…
            </button>
          ) : null}
        </td>
      </tr>
      {open ? (
        <tr>
          <td colSpan={5}>
            <RenewalDecision contract={k} customer={customer} onChanged={onChanged} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/** The customer's answer to a renewal: a new term from the old end, or a decline with its reason. */
function RenewalDecision({ contract, customer, onChanged }: { contract: CustomerContract; customer: CustomerView; onChanged: (c: CustomerView) => void }) {
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const renew = useForm(async () => onChanged((await customerCommand('/api/customers/{id}/renew', customer.info.id, { contractId: contract.id, note })).customer));
  const decline = useForm(async () => onChanged((await customerCommand('/api/customers/{id}/decline-renewal', customer.info.id, { contractId: contract.id, reason })).customer));
  return (
    <div className="grid-2">
      <form onSubmit={renew.submit} aria-label={`Renew ${contract.id}`} className="stack">
        <Field label="Note on the renewal" error={renew.fieldError('note')}>
          {(p) => <input {...p} name="note" value={note} onChange={(e) => setNote(e.target.value)} />}
        </Field>
        {/* The contract is the form's subject, not a field on it: a refusal about it (already renewed) reads as the message. */}
        <FormMessage form={renew} fields={['note']} />
        <SubmitButton form={renew}>Renew: term {contract.term + 1}</SubmitButton>
      </form>
      <form onSubmit={decline.submit} aria-label={`Decline ${contract.id}`} className="stack">
        <Field label="Why they decline" error={decline.fieldError('reason')}>
          {(p) => <input {...p} name="reason" value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
        <FormMessage form={decline} fields={['reason']} />
        <SubmitButton form={decline} kind="danger">
          Decline renewal
        </SubmitButton>
      </form>
    </div>
  );
}

function Deals({ customer }: { customer: CustomerView }) {
  const deals = [...customer.deals].reverse();
  return (
    <section className="panel" aria-labelledby="deals-h">
      <div className="panel-head">
        <h2 id="deals-h">Deals</h2>
        <span className="muted small">{customer.deals.length}</span>
      </div>
      {deals.length === 0 ? (
        <Empty title="No deals yet" />
      ) : (
        <div className="table-wrap">
          <table className="small cards-on-phone" data-testid="deals">
            <thead>
              <tr>
                <th>Prospect</th>
                <th>Kind</th>
                <th>Status</th>
                <th>Products</th>
                <th>Closed</th>
                <th className="num">Net</th>
              </tr>
            </thead>
            <tbody>
              {deals.map((d) => (
                <tr key={d.prospectId} data-testid={`deal-${d.prospectId}`}>
                  <td>
                    <Link to={`/prospects/${encodeURIComponent(d.prospectId)}`}>{d.prospectId}</Link>
                    {d.origin ? <div className="muted">{d.origin}</div> : null}
                  </td>
                  <td data-label="Kind">{d.kind}</td>
                  <td data-label="Status">
                    <Badge tone={DEAL_TONES[d.status] ?? 'neutral'}>{d.status}</Badge>
                  </td>
                  <td data-label="Products">{d.products?.join(', ') || '—'}</td>
                  <td data-label="Closed">{d.closedAt ? formatDate(d.closedAt) : `opened ${formatDate(d.openedAt)}`}</td>
                  <td className="num" data-label="Net">
                    {d.netCents !== undefined ? formatMoney(d.netCents, d.currency) : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Referrals({ customer }: { customer: CustomerView }) {
  return (
    <section className="panel" aria-labelledby="referrals-h">
      <div className="panel-head">
        <h2 id="referrals-h">Referrals</h2>
        <span className="muted small">{customer.referrals.length}</span>
      </div>
      {customer.referrals.length === 0 ? (
        <Empty title="No referrals yet">Add one under Actions → Referral: it becomes a prospect with source referral:{customer.info.id}.</Empty>
      ) : (
        <ul className="task-list" data-testid="referrals">
          {customer.referrals.map((r) => (
            <li key={r.prospectId} className="task" data-testid={`referral-${r.prospectId}`}>
              <div>
                <div className="task-title">
                  <Link to={`/prospects/${encodeURIComponent(r.prospectId)}`}>{r.name}</Link>
                  {r.company ? ` (${r.company})` : ''}
                </div>
                <div className="task-meta">
                  <Badge tone={DEAL_TONES[r.status] ?? 'neutral'}>{r.status}</Badge>
                  <span>{r.prospectId}</span>
                  <span>added {formatDate(r.at)} by {r.by}</span>
                  {r.creditedAt ? <Badge tone="green">credited {formatMoney(r.netCents, r.currency)}</Badge> : null}
                </div>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Profile({ customer }: { customer: CustomerView }) {
  const p = customer.profile;
  return (
    <section className="panel" aria-labelledby="profile-h">
      <div className="panel-head">
        <h2 id="profile-h">Service profile</h2>
      </div>
      <div className="panel-body stack">
        <ProfileBrief customer={customer} />
        {p.reasons.length > 0 ? (
          <div>
            <div className="muted small">Their reasons</div>
            <ul className="diff-list">
              {p.reasons.slice(-5).map((r, i) => (
                <li key={i}>
                  {r.outcome} {r.prospectId}: {r.text}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {p.notes.length > 0 ? (
          <div>
            <div className="muted small">Notes</div>
            <ul className="diff-list">
              {p.notes
                .slice(-5)
                .reverse()
                .map((n, i) => (
                  <li key={i}>
                    {n.text} <span className="muted small">— {n.by}, {formatDate(n.at)}, {n.source}</span>
                  </li>
                ))}
            </ul>
          </div>
        ) : null}
      </div>
    </section>
  );
}

function SupportQueries({ customer, onChanged }: { customer: CustomerView; onChanged: (c: CustomerView) => void }) {
  const [answering, setAnswering] = useState<string | undefined>(undefined);
  if (customer.supportCases.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="queries-h">
      <div className="panel-head">
        <h2 id="queries-h">Support queries</h2>
      </div>
      <div className="panel-body stack">
        {[...customer.supportCases].reverse().map((q) => (
          <div key={q.id} data-testid={`query-${q.id}`}>
            <div className="row">
              <Badge tone={q.answeredAt ? 'green' : 'amber'}>{q.answeredAt ? SUPPORT_OUTCOME_WORDS[q.outcome ?? 'answered'] : 'open'}</Badge>
              <strong>{q.topic}</strong>
              <span className="muted small">
                {q.id} · {formatDateTime(q.openedAt)} · {q.openedBy}
                {q.product ? ` · ${q.product}` : ''}
              </span>
            </div>
            <p className="small">{q.question}</p>
            <Suggestion query={q} />
            {q.answer ? (
              <p className="small muted">
                Answer: {q.answer}
                {q.followUp ? ` → ${q.followUp}` : ''}
              </p>
            ) : answering === q.id ? (
              <AnswerQueryForm customer={customer} query={q} onChanged={(c) => (setAnswering(undefined), onChanged(c))} />
            ) : (
              <button type="button" className="btn btn-secondary btn-small" onClick={() => setAnswering(q.id)}>
                Answer…
              </button>
            )}
          </div>
        ))}
      </div>
    </section>
  );
}

function Consumables({ customer }: { customer: CustomerView }) {
  if (customer.consumables.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="consumables-h">
      <div className="panel-head">
        <h2 id="consumables-h">Consumables</h2>
      </div>
      <div className="panel-body stack">
        {customer.consumables.map((c) => (
          <div key={c.product} className="row">
            <strong>{c.product}</strong>
            <span className="small">
              {c.quantity} per order · last {formatDate(c.lastOrderAt)} · reorder due {formatDate(new Date(Date.parse(c.lastOrderAt) + c.everyMs).toISOString())}
            </span>
          </div>
        ))}
      </div>
    </section>
  );
}

function Timeline({ customer }: { customer: CustomerView }) {
  const [newestFirst, setNewestFirst] = useState(true);
  const entries = [...customer.changes];
  if (newestFirst) entries.reverse();
  const [shown, setShown] = useState(30);
  return (
    <section className="panel timeline-panel" aria-labelledby="ctimeline-h">
      <div className="panel-head">
        <h2 id="ctimeline-h">Timeline</h2>
        {/* The button says what it does, as the prospect page's does. */}
        <button type="button" className="btn btn-secondary btn-small" onClick={() => setNewestFirst((n) => !n)}>
          {newestFirst ? 'Show oldest first' : 'Show newest first'}
        </button>
      </div>
      <div className="panel-body">
        <ol className="timeline" data-testid="timeline">
          {entries.slice(0, shown).map((e, i) => (
            <li key={i}>
              <span className="dot dot-change" aria-hidden="true" />
              <div>
                <div>{readable(e.what)}</div>
                <div className="when">
                  {formatDateTime(e.at)} · {e.by}
                </div>
              </div>
            </li>
          ))}
        </ol>
        {entries.length > shown ? (
          <button type="button" className="btn btn-secondary btn-small" onClick={() => setShown((n) => n + 50)}>
            Show {Math.min(50, entries.length - shown)} more
          </button>
        ) : null}
      </div>
    </section>
  );
}

