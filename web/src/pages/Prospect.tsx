import { useCallback, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api, ok } from '../api/client';
import { asProspect, type InquiryVersion, type ProspectView } from '../api/views';
import { Badge, Empty, Fact, LiveStamp, Loading, PageHeader, PageLoadFailed, StageBadge, TASK_TONES, usePolled } from '../ui/common';
import { formatDateTime, formatDue, formatMoney, readable, words } from '../ui/format';
import { SuccessNotice } from '../ui/form';
import { TaskRow } from './MyDay';
import { nextStepTab, useActionTabs } from './prospectActions';

/** The prospect page: who, where in the pipeline, what happened, and every action as a form. */
export function ProspectPage() {
  const { id = '' } = useParams();
  const prospect = usePolled(async () => asProspect(await ok(api.GET('/api/prospects/{id}', { params: { path: { id } } }))), [id], 15_000);
  if (prospect.loading && !prospect.data) return <Loading what="Loading the prospect" />;
  if (!prospect.data) return <PageLoadFailed title="Prospect" error={prospect.error} back={{ to: '/prospects', label: 'Back to the prospects' }} />;
  const p = prospect.data;
  const quote = p.quotes[p.quotes.length - 1];
  const openTasks = p.tasks.filter((t) => t.state === 'open' || t.state === 'overdue' || t.state === 'escalated');
  return (
    <div className="page">
      <PageHeader
        title={
          <span className="prospect-head">
            {p.info.name} <StageBadge stage={p.stage} />
          </span>
        }
        subtitle={[p.info.company, p.info.email, p.info.phone].filter(Boolean).join(' · ') || p.info.id}
        actions={<LiveStamp at={prospect.updatedAt} />}
      />
      <section className="panel panel-body" aria-label="Summary">
        <div className="facts">
          <Fact label="Stage" value={p.stage} />
          <Fact label="Rep" value={p.info.rep} />
          <Fact label="Next due" value={formatDue(p.nextDue)} />
          <Fact label="Quotation" value={quote ? `${formatMoney(quote.totals.netCents, quote.currency)} net · rev ${quote.revision} ${quote.status}` : '—'} />
          <Fact label="Process" value={`${p.process.name} v${p.process.version}`} />
          <Fact label="Source" value={p.info.source} />
          {p.customerId ? <Fact label="Customer" value={<Link to={`/customers/${encodeURIComponent(p.customerId)}`}>{p.customerId}</Link>} /> : null}
        </div>
      </section>
      <div className="grid-2 record-grid">
        <div className="stack">
          <Actions prospect={p} onChanged={prospect.set} />
          <Timeline prospect={p} />
        </div>
        <div className="stack">
          <section className="panel" aria-labelledby="tasks-h">
            <div className="panel-head">
              <h2 id="tasks-h">Open tasks</h2>
              <span className="muted small">{openTasks.length}</span>
            </div>
            {openTasks.length === 0 ? (
              <Empty title="No open tasks" />
            ) : (
              <ul className="task-list">
                {openTasks.map((t) => (
                  <TaskRow key={t.id} task={{ ...t, prospectId: '' }} onDone={prospect.reload} />
                ))}
              </ul>
            )}
          </section>
          <Quotation prospect={p} />
          <Inquiry prospect={p} />
          <Qualification prospect={p} />
          <CallsAndQueries prospect={p} />
        </div>
      </div>
    </div>
  );
}

function Actions({ prospect, onChanged }: { prospect: ProspectView; onChanged: (p: ProspectView) => void }) {
  const tabs = useActionTabs(prospect.stage, Boolean(prospect.process.support) || (prospect.supportQueries?.length ?? 0) > 0);
  // Opens on the next step (when this account has its tab); the rep's own choice after that.
  const [tab, setTab] = useState(() => tabs.find((t) => t.id === nextStepTab(prospect))?.id ?? tabs[0]!.id);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const clearNotice = useCallback(() => setNotice(undefined), []);
  const current = tabs.find((t) => t.id === tab) ?? tabs[0]!;
  return (
    <section className="panel" aria-labelledby="actions-h">
      <div className="panel-head">
        <h2 id="actions-h">Actions</h2>
      </div>
      <div className="tabs" role="tablist" aria-label="Actions">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={t.id === current.id}
            aria-controls="action-panel"
            className="tab"
            onClick={() => (setTab(t.id), setNotice(undefined))}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="panel-body" role="tabpanel" id="action-panel" aria-labelledby={`tab-${current.id}`}>
        {/* keyed by the prospect's record length: a form starts from the latest state after each change */}
        <SuccessNotice notice={notice} onClear={clearNotice}>
          <current.Form
            key={`${current.id}-${prospect.changes.length}`}
            prospect={prospect}
            onChanged={(p, message) => {
              setNotice(message);
              onChanged(p);
            }}
          />
        </SuccessNotice>
      </div>
    </section>
  );
}

type Entry = { at: string; kind: 'contact' | 'change' | 'mail' | 'escalation'; text: string; by?: string };

function timelineOf(p: ProspectView): Entry[] {
  const entries: Entry[] = [
    ...p.contacts.map((c): Entry => ({
      at: c.at,
      kind: c.channel === 'email' && c.source ? 'mail' : 'contact',
      text: `${c.direction === 'inbound' ? 'Inbound' : 'Outbound'} ${c.channel.replace('_', ' ')}${c.note ? `: ${c.note}` : ''}`,
      by: c.by,
    })),
    // A logged contact is also a change ("logged outbound call"): shown once, as the contact.
    ...p.changes
      .filter((c) => !p.contacts.some((k) => k.by === c.by && c.what === `logged ${k.direction} ${k.channel}`))
      .map((c): Entry => ({ at: c.at, kind: 'change', text: shortHashes(readable(c.what)), by: c.by })),
    ...p.escalations.map((e): Entry => ({
      at: e.at,
      kind: 'escalation',
      text: `${words(e.kind)}${e.quoteRevision ? ` (quotation rev ${e.quoteRevision})` : ''}${e.taskId ? ` (task ${e.taskId})` : ''} → ${e.to}${e.skipped ? ` — not sent: ${e.skipped}` : ''}`,
    })),
    ...p.outbox.map((m): Entry => ({ at: '', kind: 'mail', text: `queued mail to ${m.to}: ${m.subject}` })),
  ];
  return entries.sort((a, b) => (a.at === '' ? 1 : b.at === '' ? -1 : Date.parse(a.at) - Date.parse(b.at)));
}

/** A document's SHA-256 in a record line, to its first 12 digits: enough to tell documents apart at a glance (the full one is on the revision). */
function shortHashes(text: string): string {
  return text.replace(/\b([0-9a-f]{12})[0-9a-f]{52}\b/g, '$1…');
}

function Timeline({ prospect }: { prospect: ProspectView }) {
  const [newestFirst, setNewestFirst] = useState(true);
  const entries = timelineOf(prospect);
  if (newestFirst) entries.reverse();
  return (
    <section className="panel timeline-panel" aria-labelledby="timeline-h">
      <div className="panel-head">
        <h2 id="timeline-h">Timeline</h2>
        {/* The button says what it does, not the order already shown. */}
        <button type="button" className="btn btn-secondary btn-small" onClick={() => setNewestFirst((n) => !n)}>
          {newestFirst ? 'Show oldest first' : 'Show newest first'}
        </button>
      </div>
      <div className="panel-body">
        <ol className="timeline" data-testid="timeline">
          {entries.map((e, i) => (
            <li key={i}>
              <span className={`dot dot-${e.kind}`} aria-hidden="true" />
              <div>
                <div>
                  <Badge tone={e.kind === 'escalation' ? 'red' : e.kind === 'mail' ? 'violet' : e.kind === 'contact' ? 'blue' : 'gray'}>{e.kind}</Badge> {e.text}
                </div>
                <div className="when">
                  {e.at ? formatDateTime(e.at) : 'being sent'}
                  {e.by ? ` · ${e.by}` : ''}
                </div>
              </div>
            </li>
          ))}
        </ol>
      </div>
    </section>
  );
}

function Quotation({ prospect }: { prospect: ProspectView }) {
  if (prospect.quotes.length === 0) return null;
  const revisions = [...prospect.quotes].reverse();
  return (
    <section className="panel" aria-labelledby="quote-h">
      <div className="panel-head">
        <h2 id="quote-h">Quotation</h2>
        <span className="muted small">{prospect.quotes.length} revision(s)</span>
      </div>
      {revisions.map((q) => (
        <div key={q.revision} className={`panel-body${q.status === 'superseded' ? ' superseded' : ''}`} data-testid={`quote-rev-${q.revision}`}>
          <div className="row">
            <strong className={q.status === 'superseded' ? 'struck-text' : ''}>Revision {q.revision}</strong>
            <Badge tone={q.status === 'sent' ? 'blue' : q.status === 'accepted' ? 'green' : q.status === 'draft' ? 'gray' : q.status === 'superseded' ? 'neutral' : 'red'}>{q.status}</Badge>
            <span className="spacer" />
            <strong className={q.status === 'superseded' ? 'struck-text' : ''}>{formatMoney(q.totals.netCents, q.currency)}</strong>
            {/* Before tax: the quotation document adds the seller's tax per line. */}
            <span className="muted small">
              net{q.totals.discountCents > 0 ? `, after ${formatMoney(q.totals.discountCents, q.currency)} discount` : ''}, before tax
            </span>
          </div>
          <div className="muted small">
            inquiry v{q.inquiryVersion} · created {formatDateTime(q.createdAt)}
            {q.sentAt ? ` · sent ${formatDateTime(q.sentAt)}` : ''}
            {q.validTo ? ` · valid until ${formatDateTime(q.validTo)}` : ''}
            {q.escalatedAt ? ' · escalated' : q.remindedAt ? ' · reminder sent' : ''}
            {/* The PDF as it was sent (stored when sent; the hash on the revision names these bytes). */}
            {q.documentSha256 ? (
              <>
                {' · '}
                <a href={`/api/prospects/${encodeURIComponent(prospect.info.id)}/quotes/${q.revision}/document`} target="_blank" rel="noopener" data-testid={`quote-pdf-${q.revision}`}>
                  PDF
                </a>
              </>
            ) : null}
          </div>
          <div className="table-wrap">
            <table className="small">
              <thead>
                <tr>
                  <th>Product</th>
                  <th className="num">Qty</th>
                  <th className="num">Unit</th>
                  <th className="num">Disc.</th>
                  <th className="num">Net</th>
                </tr>
              </thead>
              <tbody>
                {q.lines.map((l, i) => (
                  <tr key={i} className={q.status === 'superseded' ? 'struck' : ''}>
                    <td>{l.product}</td>
                    <td className="num">{l.quantity}</td>
                    <td className="num">{l.free ? 'free' : formatMoney(l.unitPriceCents, q.currency)}</td>
                    <td className="num">{l.discountPercent ? `${l.discountPercent}%` : ''}</td>
                    <td className="num">{formatMoney(l.netCents, q.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ))}
    </section>
  );
}

/** What changed from one inquiry version to the next, item by item. */
function inquiryDiff(prev: InquiryVersion | undefined, next: InquiryVersion): { text: string; kind: 'add' | 'del' | 'same' }[] {
  const before = new Map((prev?.items ?? []).map((i) => [i.product, i]));
  const out: { text: string; kind: 'add' | 'del' | 'same' }[] = [];
  const show = (i: { product: string; quantity: number; wantedDeliveryDate?: string }) => `${i.product} × ${i.quantity}${i.wantedDeliveryDate ? ` by ${i.wantedDeliveryDate}` : ''}`;
  for (const item of next.items) {
    const old = before.get(item.product);
    before.delete(item.product);
    if (!old) out.push({ text: show(item), kind: prev ? 'add' : 'same' });
    else if (old.quantity !== item.quantity || old.wantedDeliveryDate !== item.wantedDeliveryDate) {
      out.push({ text: show(old), kind: 'del' });
      out.push({ text: show(item), kind: 'add' });
    } else out.push({ text: show(item), kind: 'same' });
  }
  for (const gone of before.values()) out.push({ text: show(gone), kind: 'del' });
  return out;
}

function Inquiry({ prospect }: { prospect: ProspectView }) {
  const versions = prospect.inquiry?.versions ?? [];
  if (versions.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="inquiry-h">
      <div className="panel-head">
        <h2 id="inquiry-h">Inquiry</h2>
        <span className="muted small">{versions.length} version(s)</span>
      </div>
      {[...versions].reverse().map((v) => {
        const prev = versions.find((x) => x.version === v.version - 1);
        return (
          <div key={v.version} className="panel-body">
            <div className="row">
              <strong>Version {v.version}</strong>
              <span className="muted small">
                {formatDateTime(v.changedAt)} · {v.changedBy}
              </span>
            </div>
            <ul className="diff-list" aria-label={prev ? `Changes from version ${prev.version}` : 'Items'}>
              {inquiryDiff(prev, v).map((d, i) => (
                <li key={i} className={d.kind === 'add' ? 'diff-add' : d.kind === 'del' ? 'diff-del' : ''}>
                  {d.kind === 'add' ? '+ ' : d.kind === 'del' ? '− ' : ''}
                  {d.text}
                </li>
              ))}
            </ul>
            {v.note ? <p className="muted small">{v.note}</p> : null}
          </div>
        );
      })}
    </section>
  );
}

function Qualification({ prospect }: { prospect: ProspectView }) {
  const q = prospect.qualification;
  if (!q) return null;
  return (
    <section className="panel" aria-labelledby="qual-h">
      <div className="panel-head">
        <h2 id="qual-h">Qualification</h2>
        {q.outcome ? <Badge tone={q.outcome === 'qualified' ? 'green' : 'red'}>{q.outcome}</Badge> : <Badge>undecided</Badge>}
      </div>
      <div className="panel-body">
        <dl className="kv">
          <dt>Budget</dt>
          <dd>{q.answers.budget ?? '—'}</dd>
          <dt>Need</dt>
          <dd>{q.answers.need ?? '—'}</dd>
          <dt>Authority</dt>
          <dd>{q.answers.authority ?? '—'}</dd>
          <dt>Timeline</dt>
          <dd>{q.answers.timeline ?? '—'}</dd>
          {q.reason ? (
            <>
              <dt>Reason</dt>
              <dd>{q.reason}</dd>
            </>
          ) : null}
        </dl>
        {q.score ? (
          <table className="small">
            <caption className="muted small">
              Score {q.score.score} of threshold {q.score.threshold}
              {q.score.knockout ? ` · knock-out ${q.score.knockout.rule}: ${q.score.knockout.reason}` : ''}
            </caption>
            <thead>
              <tr>
                <th>Rule</th>
                <th>Holds</th>
                <th className="num">Points</th>
              </tr>
            </thead>
            <tbody>
              {q.score.contributions.map((c) => (
                <tr key={c.rule}>
                  <td>{c.rule}</td>
                  <td>{c.matched ? 'yes' : 'no'}</td>
                  <td className="num">{c.points}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </div>
    </section>
  );
}

function CallsAndQueries({ prospect }: { prospect: ProspectView }) {
  const calls = prospect.calls ?? [];
  const queries = prospect.supportQueries ?? [];
  if (calls.length === 0 && queries.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="calls-h">
      <div className="panel-head">
        <h2 id="calls-h">Calls and support queries</h2>
      </div>
      <div className="panel-body stack">
        {calls.map((c) => (
          <div key={c.id} className="row">
            <Badge tone={TASK_TONES[c.status === 'scheduled' ? 'open' : c.status === 'done' ? 'done' : 'cancelled']}>call {c.status}</Badge>
            {formatDateTime(c.at)} · {Math.round(c.durationMs / 60_000)} min{c.outcome ? ` · ${c.outcome}` : ''}
          </div>
        ))}
        {queries.map((q) => (
          <div key={q.id}>
            <div className="row">
              <Badge tone={q.answeredAt ? 'green' : 'amber'}>{q.answeredAt ? 'answered' : 'open'}</Badge>
              <strong>{q.topic}</strong>
              <span className="muted small">{formatDateTime(q.openedAt)}</span>
            </div>
            <p className="small">{q.question}</p>
            {q.answer ? <p className="small muted">Answer: {q.answer}</p> : null}
          </div>
        ))}
      </div>
    </section>
  );
}
