import { useState } from 'react';
import { useParams, useSearchParams } from 'react-router-dom';
import { api, ok } from '../api/client';
import { useAccount } from '../session';
import { CodeView } from '../ui/CodeView';
import { Badge, Empty, ErrorBox, Loading, PageHeader, usePolled } from '../ui/common';
import { Field, FormMessage, SelectField, useForm } from '../ui/form';
import { formatDateTime } from '../ui/format';

type Def = Record<string, any>;

/** One process: its versions, a readable view, the YAML, a diff of two versions, and migration. */
export function ProcessPage() {
  const { name = '' } = useParams();
  const account = useAccount();
  const [params, setParams] = useSearchParams();
  const latest = usePolled(async () => ok(api.GET('/api/processes/{name}', { params: { path: { name } } })), [name]);
  const versions = latest.data?.version ?? 0;
  const version = Number(params.get('version')) || versions;
  const shown = usePolled(async () => (version ? ok(api.GET('/api/processes/{name}', { params: { path: { name }, query: { version } } })) : undefined), [name, version]);
  const [view, setView] = useState<'readable' | 'yaml'>('readable');
  if (latest.loading && !latest.data) return <Loading what="Loading the process" />;
  if (!latest.data) return <ErrorBox error={latest.error} />;
  // The document, not the definition: its durations are text with their units (30d, 1bd), as in `process show`.
  const def = shown.data?.document as Def | undefined;
  const canManage = account.role === 'ops' || account.role === 'admin';
  return (
    <div className="page">
      <PageHeader
        title={`Process ${name}`}
        subtitle={`${versions} version(s) · latest published ${formatDateTime(latest.data.publishedAt)}`}
        actions={
          <Field label="Version">
            {(p) => (
              <select {...p} name="version" value={version} onChange={(e) => setParams({ version: e.target.value }, { replace: true })}>
                {Array.from({ length: versions }, (_, i) => versions - i).map((v) => (
                  <option key={v} value={v}>
                    v{v}
                    {v === versions ? ' (latest)' : ''}
                  </option>
                ))}
              </select>
            )}
          </Field>
        }
      />
      <div className="grid-2">
        <section className="panel" aria-labelledby="def-h">
          <div className="panel-head">
            <h2 id="def-h">
              Version {version} {shown.data ? <span className="muted small">published {formatDateTime(shown.data.publishedAt)}</span> : null}
            </h2>
            <div className="tabs" role="tablist" aria-label="View">
              <button type="button" role="tab" className="tab" aria-selected={view === 'readable'} onClick={() => setView('readable')}>
                Readable
              </button>
              <button type="button" role="tab" className="tab" aria-selected={view === 'yaml'} onClick={() => setView('yaml')}>
                YAML
              </button>
            </div>
          </div>
          <div className="panel-body">{!def ? <Loading /> : view === 'readable' ? <Readable def={def} /> : <CodeView text={shown.data?.yaml ?? ''} label={`Version ${version} as YAML`} />}</div>
        </section>
        <div className="stack">
          <Diff name={name} versions={versions} />
          {canManage ? <Migrate name={name} versions={versions} /> : null}
        </div>
      </div>
    </div>
  );
}

function Readable({ def }: { def: Def }) {
  const stages = Object.entries((def.tasks ?? {}) as Record<string, { kind: string; title: string; due: string; escalateAfter: string }[]>);
  return (
    <div>
      {def.description ? <p>{def.description}</p> : null}
      <div className="def-section">
        <h3>Teams</h3>
        <table className="small">
          <thead>
            <tr>
              <th>Team</th>
              <th>Manager</th>
              <th>Reps</th>
            </tr>
          </thead>
          <tbody>
            {(def.teams ?? []).map((t: Def) => (
              <tr key={t.name}>
                <td>{t.name}</td>
                <td>{t.manager?.name ?? t.manager?.id}</td>
                <td>{(t.reps ?? []).map((r: Def) => r.name ?? r.id).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="def-section">
        <h3>Quotations</h3>
        <dl className="kv">
          <dt>Valid for</dt>
          <dd>{def.quotePolicy?.validity}</dd>
          <dt>Stale after</dt>
          <dd>{def.quotePolicy?.staleAfter} without an answer (reminder to the rep)</dd>
          <dt>Escalate after</dt>
          <dd>{def.quotePolicy?.escalateAfter} (to the manager)</dd>
          <dt>Currency</dt>
          <dd>{def.quotePolicy?.currency}</dd>
        </dl>
      </div>
      {def.qualification ? (
        <div className="def-section">
          <h3>Qualification (threshold {def.qualification.threshold})</h3>
          <ul className="small">
            {(def.qualification.rules ?? []).map((r: Def) => (
              <li key={r.name}>
                <strong>{r.weight} points</strong> — {r.name} ({[r.field, r.op, ...(r.value !== undefined ? [JSON.stringify(r.value)] : [])].join(' ')})
              </li>
            ))}
            {(def.qualification.knockouts ?? []).map((r: Def) => (
              <li key={r.name}>
                <Badge tone="red">knock-out</Badge> {r.name}: {r.reason}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="def-section">
        <h3>Tasks by stage</h3>
        {stages.length === 0 ? (
          <p className="muted">No tasks.</p>
        ) : (
          <table className="small">
            <thead>
              <tr>
                <th>When</th>
                <th>Task</th>
                <th>Due</th>
                <th>Escalates after</th>
              </tr>
            </thead>
            <tbody>
              {stages.flatMap(([stage, tasks]) =>
                tasks.map((t, i) => (
                  <tr key={`${stage}-${i}`}>
                    <td>{stage}</td>
                    <td>{t.title}</td>
                    <td>{t.due}</td>
                    <td>{t.escalateAfter}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        )}
      </div>
      {def.support ? (
        <div className="def-section">
          <h3>Support</h3>
          <p className="small">
            Team {def.support.team} answers within {def.support.answerWithin}; escalates after {def.support.escalateAfter}.
          </p>
        </div>
      ) : null}
    </div>
  );
}

function Diff({ name, versions }: { name: string; versions: number }) {
  const [from, setFrom] = useState(Math.max(1, versions - 1));
  const [to, setTo] = useState(versions);
  const diff = usePolled(async () => (versions > 1 ? ok(api.GET('/api/processes/{name}/diff', { params: { path: { name }, query: { from, to } } })) : undefined), [name, from, to, versions]);
  const pick = (label: string, value: number, set: (n: number) => void) => (
    <Field label={label}>
      {(p) => (
        <select {...p} value={value} onChange={(e) => set(Number(e.target.value))}>
          {Array.from({ length: versions }, (_, i) => i + 1).map((v) => (
            <option key={v} value={v}>
              v{v}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  const show = (v: unknown) => (v === undefined ? '—' : diffValue(v));
  return (
    <section className="panel" aria-labelledby="diff-h">
      <div className="panel-head">
        <h2 id="diff-h">Compare versions</h2>
      </div>
      <div className="panel-body">
        {versions < 2 ? (
          <p className="muted">Only one version so far.</p>
        ) : (
          <>
            <div className="filters">
              {pick('From', from, setFrom)}
              {pick('To', to, setTo)}
            </div>
            {diff.error ? <ErrorBox error={diff.error} /> : null}
            {diff.data ? (
              diff.data.changes.length === 0 ? (
                <Empty title="No differences" />
              ) : (
                <div className="table-wrap">
                  <table className="small diff-table" data-testid="diff">
                    <thead>
                      <tr>
                        <th>Field</th>
                        <th>v{from}</th>
                        <th>v{to}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {diff.data.changes.map((c) => (
                        <tr key={c.path}>
                          <td className="mono">{c.path}</td>
                          <td className="diff-del">{show(c.from)}</td>
                          <td className="diff-add">{show(c.to)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )
            ) : diff.loading ? (
              <Loading />
            ) : null}
          </>
        )}
      </div>
    </section>
  );
}

/**
 * A changed setting as a person reads it: a value as it is, a rep or team added or removed as
 * its fields (`id: carol · name: Carol · email: …`), anything deeper as indented JSON.
 */
function diffValue(v: unknown): string {
  const plain = (x: unknown) => x === null || ['string', 'number', 'boolean'].includes(typeof x);
  if (plain(v)) return String(v);
  if (Array.isArray(v) && v.every(plain)) return v.join(', ');
  if (typeof v === 'object' && v !== null && Object.values(v).every(plain)) {
    return Object.entries(v)
      .map(([k, x]) => `${k}: ${String(x)}`)
      .join(' · ');
  }
  return JSON.stringify(v, null, 2);
}

type MigrateRow = { from?: number; outcome: string; reason?: string };
type MigrateResult = {
  results: (MigrateRow & { prospectId: string })[];
  moved: number;
  refused: number;
  unchanged: number;
  /** The process's customer accounts, moved by the same run. */
  customers: { results: (MigrateRow & { customerId: string })[]; moved: number; refused: number; unchanged: number };
};
const wouldMove = (r: MigrateResult) => r.results.filter((x) => x.outcome === 'would migrate').length;
const accountsPart = (n: number) => (n > 0 ? ` and ${n} customer(s)` : '');
const STAGES = ['contact', 'qualification', 'inquiry', 'quotation', 'won', 'lost'] as const;

/** Migration, when there is another version to move to (prospects already on a version stay as they are). */
function Migrate({ name, versions }: { name: string; versions: number }) {
  if (versions < 2) {
    return (
      <section className="panel" aria-labelledby="migrate-h">
        <div className="panel-head">
          <h2 id="migrate-h">Migrate prospects</h2>
        </div>
        <p className="panel-body muted">Only one version so far: publish another to migrate prospects to it.</p>
      </section>
    );
  }
  return <MigrateForm name={name} versions={versions} />;
}

/** Migration: always a dry run first; the real move takes exactly the previewed settings. */
function MigrateForm({ name, versions }: { name: string; versions: number }) {
  const [to, setTo] = useState(versions);
  const [stage, setStage] = useState<'' | (typeof STAGES)[number]>('');
  const [repFrom, setRepFrom] = useState('');
  const [repTo, setRepTo] = useState('');
  const [preview, setPreview] = useState<{ key: string; result: MigrateResult } | undefined>(undefined);
  const [done, setDone] = useState<MigrateResult | undefined>(undefined);
  // Every version's reps: who left (in an earlier version, not in the target) and who may take over (in the target).
  const teams = usePolled(
    async () =>
      Promise.all(
        Array.from({ length: versions }, (_, i) => i + 1).map(async (v) => {
          const shown = await ok(api.GET('/api/processes/{name}', { params: { path: { name }, query: { version: v } } }));
          const doc = shown.document as { teams?: { reps?: { id: string }[] }[] };
          return { version: v, reps: (doc.teams ?? []).flatMap((t) => (t.reps ?? []).map((r) => r.id)) };
        }),
      ),
    [name, versions],
  );
  const targetReps = teams.data?.find((t) => t.version === to)?.reps ?? [];
  const leftReps = [...new Set((teams.data ?? []).filter((t) => t.version !== to).flatMap((t) => t.reps))].filter((r) => !targetReps.includes(r)).sort();
  const body = () => ({ to, ...(stage ? { stage } : {}), ...(repFrom || repTo ? { reassign: { from: repFrom, to: repTo } } : {}) });
  const key = JSON.stringify(body());
  const dry = useForm(async () => {
    const result = await ok(api.POST('/api/processes/{name}/migrate', { params: { path: { name } }, body: { ...body(), dryRun: true } }));
    setPreview({ key, result });
    setDone(undefined);
    return `Preview: ${wouldMove(result)} would move, ${result.refused} refused, ${result.unchanged} unchanged${result.customers.results.length + result.customers.unchanged > 0 ? `; customers: ${result.customers.moved} would move, ${result.customers.refused} refused, ${result.customers.unchanged} unchanged` : ''}`;
  });
  const run = useForm(async () => {
    const result = await ok(api.POST('/api/processes/{name}/migrate', { params: { path: { name } }, body: { ...body(), dryRun: false } }));
    setDone(result);
    setPreview(undefined);
    // The preview's line would stand above what was done.
    dry.reset();
    return `Migrated ${result.moved}, refused ${result.refused}; customers migrated ${result.customers.moved}, refused ${result.customers.refused}`;
  });
  const previewed = preview?.key === key;
  const shown = done ?? (previewed ? preview!.result : undefined);
  return (
    <section className="panel" aria-labelledby="migrate-h">
      <div className="panel-head">
        <h2 id="migrate-h">Migrate prospects</h2>
      </div>
      <form className="panel-body" onSubmit={dry.submit} aria-label="Migrate prospects">
        <div className="form-grid">
          <Field label="To version" error={dry.fieldError('to')}>
            {(p) => (
              <select {...p} name="to" value={to} onChange={(e) => setTo(Number(e.target.value))}>
                {Array.from({ length: versions }, (_, i) => versions - i).map((v) => (
                  <option key={v} value={v}>
                    v{v}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Only in stage" error={dry.fieldError('stage')}>
            {(p) => (
              <select {...p} name="stage" value={stage} onChange={(e) => setStage(e.target.value as typeof stage)}>
                <option value="">any stage</option>
                {STAGES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <SelectField label="Rep who left (optional)" name="reassign-from" value={repFrom} empty="nobody" options={leftReps} onChange={setRepFrom} error={dry.fieldError('reassign.from')} hint={`in an earlier version, not in v${to}`} />
          <SelectField
            label="Their prospects and accounts go to"
            name="reassign-to"
            value={repTo}
            empty={repFrom ? 'choose a rep' : '—'}
            options={targetReps}
            onChange={setRepTo}
            error={dry.fieldError('reassign.to')}
            hint={`a rep of v${to}`}
            disabled={!repFrom}
          />
        </div>
        <FormMessage form={dry} fields={['to', 'stage', 'reassign']} />
        <FormMessage form={{ ...run, done: undefined }} fields={[]} />
        <div className="form-actions">
          <button type="submit" className="btn btn-secondary" disabled={dry.pending}>
            Preview (dry run)
          </button>
          <button type="button" className="btn btn-primary" disabled={!previewed || run.pending} onClick={() => void run.submit()} title={previewed ? undefined : 'Preview first'}>
            Migrate {previewed ? wouldMove(preview!.result) : ''} prospect(s){previewed ? accountsPart(preview!.result.customers.moved) : ''}
          </button>
        </div>
        {done ? <p className="form-done" role="status">Migrated {done.moved}; refused {done.refused}; unchanged {done.unchanged}.{done.customers.results.length + done.customers.unchanged > 0 ? ` Customers: migrated ${done.customers.moved}; refused ${done.customers.refused}; unchanged ${done.customers.unchanged}.` : ''}</p> : null}
        {shown && shown.results.length + shown.customers.results.length > 0 ? (
          <table className="small" data-testid="migration">
            <thead>
              <tr>
                <th>Prospect or customer</th>
                <th>From</th>
                <th>Outcome</th>
              </tr>
            </thead>
            <tbody>
              {shown.results.map((r) => (
                <tr key={r.prospectId}>
                  <td>{r.prospectId}</td>
                  <td>{r.from ? `v${r.from}` : '—'}</td>
                  <td>
                    <Badge tone={r.outcome === 'refused' ? 'red' : r.outcome === 'migrated' ? 'green' : 'blue'}>{r.outcome}</Badge> {r.reason ?? ''}
                  </td>
                </tr>
              ))}
              {shown.customers.results.map((r) => (
                <tr key={`customer-${r.customerId}`}>
                  <td>customer {r.customerId}</td>
                  <td>{r.from ? `v${r.from}` : '—'}</td>
                  <td>
                    <Badge tone={r.outcome === 'refused' ? 'red' : r.outcome === 'migrated' ? 'green' : 'blue'}>{r.outcome}</Badge> {r.reason ?? ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </form>
    </section>
  );
}
