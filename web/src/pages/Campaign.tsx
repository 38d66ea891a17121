import { useRef } from 'react';
import { useParams } from 'react-router-dom';
import { api, ok } from '../api/client';
import { Badge, ErrorBox, LiveStamp, Loading, PageHeader, usePolled } from '../ui/common';
import { FormMessage, useForm } from '../ui/form';
import { formatDateTime, plural } from '../ui/format';
import { CAMPAIGN_TONES } from './Campaigns';

interface Progress {
  id: string;
  name: string;
  status: string;
  total: number;
  sent: number;
  skipped: number;
  failed: number;
  bounced: number;
  remaining: number;
  invalidRows: number;
  startedAt: string;
  sendingSince?: string;
  finishedAt?: string;
  throttle?: number;
}

/** A run's live progress: done of total, rate and ETA, and pause/resume/cancel. */
export function CampaignPage() {
  const { id = '' } = useParams();
  const progress = usePolled(async () => (await ok(api.GET('/api/campaigns/{id}', { params: { path: { id } } }))) as unknown as Progress, [id], 2_000);
  // Rate over what this screen has watched, else since sending began.
  const first = useRef<{ at: number; done: number } | undefined>(undefined);
  const useSteer = (name: 'pause' | 'resume' | 'cancel') =>
    useForm(async () => {
      const path = `/api/campaigns/{id}/${name}` as '/api/campaigns/{id}/pause';
      progress.set((await ok(api.POST(path, { params: { path: { id } }, body: {} }))) as unknown as Progress);
      return `${name === 'pause' ? 'Paused' : name === 'resume' ? 'Resumed' : 'Cancelled'}`;
    });
  const pause = useSteer('pause');
  const resume = useSteer('resume');
  const cancel = useSteer('cancel');
  if (progress.loading && !progress.data) return <Loading what="Loading the campaign" />;
  if (!progress.data) return <ErrorBox error={progress.error} />;
  const p = progress.data;
  const done = p.sent + p.skipped + p.failed;
  const percent = p.total > 0 ? Math.floor((done / p.total) * 100) : p.status === 'completed' ? 100 : 0;
  const now = Date.now();
  if (!first.current && p.status === 'running') first.current = { at: now, done };
  const since = p.sendingSince ? Date.parse(p.sendingSince) : undefined;
  const end = p.finishedAt ? Date.parse(p.finishedAt) : now;
  const perMinute = since && end > since ? (done / ((end - since) / 60_000)) : undefined;
  const etaMs = perMinute && perMinute > 0 && p.remaining > 0 && p.status === 'running' ? (p.remaining / perMinute) * 60_000 : undefined;
  return (
    <div className="page">
      <PageHeader title={p.name} subtitle={`${p.id} · started ${formatDateTime(p.startedAt)}`} actions={<LiveStamp at={progress.updatedAt} />} />
      <section className="panel panel-body stack" aria-label="Progress">
        <div className="row">
          <Badge tone={CAMPAIGN_TONES[p.status] ?? 'neutral'}>{p.status}</Badge>
          <strong data-testid="campaign-percent">{percent}%</strong>
          <span className="muted">
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
          <dt>Skipped (suppressed, duplicates)</dt>
          <dd>{p.skipped}</dd>
          <dt>Failed</dt>
          <dd>
            {p.failed}
            {p.bounced ? ` (${p.bounced} bounced)` : ''}
          </dd>
          <dt>Remaining</dt>
          <dd>{p.remaining}</dd>
          <dt>Invalid CSV rows</dt>
          <dd>{p.invalidRows}</dd>
          <dt>Rate</dt>
          <dd data-testid="campaign-rate">{perMinute !== undefined ? `${perMinute.toFixed(1)} mails/min` : '—'}{p.throttle ? ` (limit ${p.throttle}/min)` : ''}</dd>
          <dt>ETA</dt>
          <dd data-testid="campaign-eta">{etaMs !== undefined ? `about ${etaMs < 90_000 ? `${Math.max(1, Math.round(etaMs / 1000))} s` : `${Math.round(etaMs / 60_000)} min`} (${new Date(now + etaMs).toLocaleTimeString()})` : p.finishedAt ? `finished ${formatDateTime(p.finishedAt)}` : '—'}</dd>
        </dl>
      </section>
    </div>
  );
}
