import { useEffect, useRef, useState } from 'react';
import { useParams } from 'react-router-dom';
import { api, ok } from '../api/client';
import type { paths } from '../api/schema';
import { Badge, ErrorBox, LiveStamp, Loading, PageHeader, usePolled } from '../ui/common';
import { FormMessage, useForm } from '../ui/form';
import { formatDateTime, plural } from '../ui/format';
import { CAMPAIGN_TONES } from './Campaigns';

type Progress = paths['/api/campaigns/{id}']['get']['responses'][200]['content']['application/json'];
type RunState = paths['/api/campaigns/{id}/state']['get']['responses'][200]['content']['application/json'];

/**
 * Seconds to go by this answer's numbers, as the CLI's bar reckons them: while the throttle
 * governs (the average is at least 90 % of it) the throttle's pace, else the average rate.
 */
function etaSeconds(p: Progress): number | undefined {
  if (p.status !== 'running' || p.remaining === 0) return undefined;
  const average = p.averagePerMinute;
  const perMinute = p.throttle !== undefined && (average === undefined || average >= 0.9 * p.throttle) ? p.throttle : average;
  return perMinute !== undefined && perMinute > 0 ? (p.remaining / perMinute) * 60 : undefined;
}

/** Re-renders every `ms` while `on`: what lets the ETA count down between polls. */
function useTicking(ms: number, on: boolean): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!on) return;
    const timer = setInterval(() => setTick((t) => t + 1), ms);
    return () => clearInterval(timer);
  }, [ms, on]);
}

function formatEta(seconds: number, now: number): string {
  const ms = seconds * 1000;
  const span = ms < 90_000 ? `${Math.round(seconds)} s` : `${Math.round(ms / 60_000)} min`;
  return `about ${span} (${new Date(now + ms).toLocaleTimeString()})`;
}

/** A run's live progress: done of total, rate and ETA, who was not mailed and why, and pause/resume/cancel. */
export function CampaignPage() {
  const { id = '' } = useParams();
  const progress = usePolled(async () => ok(api.GET('/api/campaigns/{id}', { params: { path: { id } } })), [id], 2_000);
  // Who was not mailed and why: the run's state, which carries the lists (progress only counts them).
  const state = usePolled(async () => ok(api.GET('/api/campaigns/{id}/state', { params: { path: { id } } })), [id], 10_000);
  const p = progress.data;
  const reloadState = state.reload;
  // A new skip, failure or refused row shows with the progress that counts it, not up to 10 s later.
  useEffect(() => {
    if (p) reloadState();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [p?.skipped, p?.failed, p?.invalidRows, p?.status]);
  // The ETA as last computed and when: counted down by the clock until the progress moves
  // (a throttled run moves a batch every 10 s), so it neither stands still nor jumps. Only
  // the ETA moves between polls; the counts are the server's.
  const anchor = useRef<{ done: number; at: number; eta: number } | undefined>(undefined);
  useTicking(1_000, p?.status === 'running');
  const useSteer = (name: 'pause' | 'resume' | 'cancel') =>
    useForm(async () => {
      const path = `/api/campaigns/{id}/${name}` as '/api/campaigns/{id}/pause';
      progress.set(await ok(api.POST(path, { params: { path: { id } }, body: {} })));
      return `${name === 'pause' ? 'Paused' : name === 'resume' ? 'Resumed' : 'Cancelled'}`;
    });
  const pause = useSteer('pause');
  const resume = useSteer('resume');
  const cancel = useSteer('cancel');
  if (progress.loading && !p) return <Loading what="Loading the campaign" />;
  if (!p) return <ErrorBox error={progress.error} />;
  const done = p.sent + p.skipped + p.failed;
  const percent = p.total > 0 ? Math.floor((done / p.total) * 100) : p.status === 'completed' ? 100 : 0;
  const now = Date.now();
  const eta = etaSeconds(p);
  if (eta === undefined) anchor.current = undefined;
  else if (anchor.current?.done !== done) anchor.current = { done, at: now, eta };
  const etaNow = anchor.current ? Math.max(0, anchor.current.eta - (now - anchor.current.at) / 1000) : undefined;
  return (
    <div className="page">
      <PageHeader title={p.name} subtitle={`${p.id} · started ${formatDateTime(p.startedAt)}`} actions={<LiveStamp at={progress.updatedAt} />} />
      <section className="panel panel-body stack" aria-label="Progress">
        <div className="row">
          <Badge tone={CAMPAIGN_TONES[p.status] ?? 'neutral'}>{p.status}</Badge>
          <strong data-testid="campaign-percent">{percent}%</strong>
          <span className="muted" data-testid="campaign-done">
            {done} of {plural(p.total, 'recipient')}
          </span>
          <span className="spacer" />
          {p.status === 'running' ? (
            <button type="button" className="btn btn-secondary" onClick={() => void pause.submit()} disabled={pause.pending}>
              Pause
            </button>
          ) : null}
          {p.status === 'paused' ? (
            <button type="button" className="btn btn-primary" onClick={() => void resume.submit()} disabled={resume.pending}>
              Resume
            </button>
          ) : null}
          {p.status === 'running' || p.status === 'paused' || p.status === 'resolving' ? (
            <button type="button" className="btn btn-danger" onClick={() => window.confirm('Cancel this campaign run? Recipients not yet mailed will not be.') && void cancel.submit()} disabled={cancel.pending}>
              Cancel run
            </button>
          ) : null}
        </div>
        <div className="progress" role="progressbar" aria-label="Campaign progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
          {/* set through the DOM (CSSOM), which the app's style-src 'self' policy allows */}
          <span style={{ width: `${Math.min(100, Math.max(0, percent))}%` }} />
        </div>
        <FormMessage form={{ ...pause, done: undefined }} fields={[]} />
        <FormMessage form={{ ...resume, done: undefined }} fields={[]} />
        <FormMessage form={{ ...cancel, done: undefined }} fields={[]} />
        <dl className="kv">
          <dt>Sent</dt>
          <dd>{p.sent}</dd>
          {/* Only suppressed addresses are skipped; a duplicate address is a refused row, counted below. */}
          <dt>Skipped (suppressed)</dt>
          <dd>{p.skipped}</dd>
          <dt>Failed</dt>
          <dd>
            {p.failed}
            {p.bounced ? ` (${p.bounced} bounced)` : ''}
          </dd>
          <dt>Remaining</dt>
          <dd>{p.remaining}</dd>
          <dt>Invalid rows (duplicates, bad addresses)</dt>
          <dd>{p.invalidRows}</dd>
          <dt>Rate</dt>
          {/* The server's average (the CLI prints the same): sent over the time sending took, counted as the throttle counts it. */}
          <dd data-testid="campaign-rate">
            {p.averagePerMinute !== undefined ? `${p.averagePerMinute.toFixed(1)} mails/min on average` : '—'}
            {p.throttle ? ` (limit ${p.throttle}/min)` : ''}
          </dd>
          <dt>ETA</dt>
          <dd data-testid="campaign-eta">{etaNow !== undefined ? formatEta(etaNow, now) : p.finishedAt ? `finished ${formatDateTime(p.finishedAt)}` : '—'}</dd>
        </dl>
      </section>
      {state.data ? <NotMailed run={state.data} /> : null}
    </div>
  );
}

/**
 * The recipients skipped, bounced or failed and the CSV rows refused, each with why: what
 * `campaign start` and `campaign status --watch` list under their summary. The state holds
 * the first 1,000 recipients and the first 100 rows (MAX_LISTED_EXCEPTIONS, MAX_LISTED_INVALID_ROWS);
 * beyond that the page says how many more.
 */
function NotMailed({ run }: { run: RunState }) {
  const rows = run.invalidRowSamples;
  const recipients = run.exceptions;
  // A cancel leaves every recipient from the cursor on unmailed: they are not exceptions, but not mailed all the same.
  const unsent = run.status === 'cancelled' ? Math.max(run.total - run.cursor, 0) : 0;
  if (rows.length === 0 && recipients.length === 0 && unsent === 0) return null;
  const moreRows = run.invalidRows - rows.length;
  const moreRecipients = run.skipped + run.bounced + run.failed - recipients.length;
  return (
    <section className="panel" aria-labelledby="not-mailed-h">
      <div className="panel-head">
        <h2 id="not-mailed-h">Not mailed</h2>
        <span className="muted small">
          {plural(run.skipped + run.bounced + run.failed, 'recipient')} skipped or failed,{' '}
          {run.audience === 'prospects' || run.audience === 'filter' ? `${plural(run.invalidRows, 'prospect')} of the ${run.audience === 'prospects' ? 'list' : 'filter'} left out` : `${plural(run.invalidRows, 'CSV row')} refused`}
          {unsent > 0 ? `, ${plural(unsent, 'recipient')} not sent: the run was cancelled` : ''}
        </span>
      </div>
      <div className="table-wrap">
        <table className="rows-narrow" aria-label="Recipients and rows not mailed" data-testid="campaign-not-mailed">
          <thead>
            <tr>
              <th>Row</th>
              <th>Address</th>
              <th>Outcome</th>
              <th>Why</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`line-${r.line}`}>
                {/* As the run's audience was written: a CSV's line, or a listed prospect's place. */}
                <td>{run.audience === 'prospects' ? `prospect ${r.line} of the list` : run.audience === 'filter' ? `prospect ${r.line} of those the filter selected` : `CSV line ${r.line}`}</td>
                <td className="muted no-address">—</td>
                <td>
                  <Badge tone="gray">invalid</Badge>
                </td>
                <td className="reason">{r.message}</td>
              </tr>
            ))}
            {recipients.map((e) => (
              <tr key={`recipient-${e.index}`}>
                {/* The audience's order, counted from 1 (a CSV's recipient n is on a line after n). */}
                <td>recipient {e.index + 1}</td>
                <td>{e.email}</td>
                <td>
                  <Badge tone={e.status === 'skipped' ? 'amber' : 'red'}>{e.status}</Badge>
                </td>
                <td className="reason">{e.reason}</td>
              </tr>
            ))}
            {unsent > 0 ? (
              <tr key="cancelled">
                <td>{unsent === 1 ? `recipient ${run.cursor + 1}` : `recipients ${run.cursor + 1}–${run.total}`}</td>
                <td className="muted no-address">—</td>
                <td>
                  <Badge tone="gray">cancelled</Badge>
                </td>
                <td className="reason">not sent: the run was cancelled</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      {moreRows > 0 || moreRecipients > 0 ? (
        <p className="panel-body muted small">
          {[moreRows > 0 ? `${plural(moreRows, 'more refused row')} not listed` : '', moreRecipients > 0 ? `${plural(moreRecipients, 'more recipient')} not listed` : ''].filter(Boolean).join('; ')}
          {' '}(a run lists the first 100 rows and 1,000 recipients).
        </p>
      ) : null}
    </section>
  );
}
