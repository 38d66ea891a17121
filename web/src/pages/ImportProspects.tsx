import { useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { api, ApiError, ok } from '../api/client';
import type { paths } from '../api/schema';
import { runImport, tallyLine, type ImportTally } from '../../../domain/pipeline/importRun';
import { LineList } from '../ui/CodeView';
import { useAccount } from '../session';
import { PageHeader, usePolled } from '../ui/common';
import { Field, FormMessage, useForm } from '../ui/form';

type CreateBody = paths['/api/prospects']['post']['requestBody']['content']['application/json'];

/** What POST /api/prospects/import/check answers: the rows as create takes them, and the bad lines. */
interface Checked {
  columns: string[];
  rows: { line: number; info: CreateBody }[];
  problems: { line: number; message: string }[];
}

/** The import's tally as the page shows it: why it stopped, in words. */
type Outcome = Omit<ImportTally, 'stopped'> & { stopped?: string };

/** Prospects created at once: enough to keep the server busy, few enough to leave it to the reps. */
const IN_FLIGHT = 4;

/**
 * Import prospects from a CSV file, as `salesflow import` does: the server checks the whole
 * file with the import's rules (every bad line listed; nothing is imported while one is
 * left), then each row is created through POST /api/prospects, a few at a time, with the
 * progress shown. A prospect there already is left as it is, so importing the same file
 * again finishes an import cut short and creates nothing twice.
 */
export function ImportProspectsPage() {
  const account = useAccount();
  const [csv, setCsv] = useState<{ name: string; text: string } | undefined>(undefined);
  const [settings, setSettings] = useState({ process: '', rep: '', source: 'import' });
  const [checked, setChecked] = useState<Checked | undefined>(undefined);
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  const [running, setRunning] = useState(false);
  const stopRef = useRef(false);
  const processes = usePolled(async () => (await ok(api.GET('/api/processes'))).processes, []);
  const reset = () => {
    setChecked(undefined);
    setOutcome(undefined);
  };
  const check = useForm(async () => {
    if (!csv) return;
    setOutcome(undefined);
    const answer = (await ok(
      api.POST('/api/prospects/import/check', {
        body: { csv: csv.text, ...(settings.rep ? { rep: settings.rep } : {}), ...(settings.source ? { source: settings.source } : {}), ...(settings.process ? { process: settings.process } : {}) },
      }),
    )) as Checked;
    setChecked(answer);
    return answer.problems.length > 0 ? undefined : `${answer.rows.length} prospect(s) ready to import`;
  });

  const run = async () => {
    if (!checked) return;
    stopRef.current = false;
    setRunning(true);
    const shown = (t: ImportTally): Outcome => ({ ...t, refused: [...t.refused], clashes: [...t.clashes], stopped: t.stopped === undefined ? undefined : t.stopped instanceof Error ? t.stopped.message : String(t.stopped) });
    setOutcome({ done: 0, created: 0, existing: 0, refused: [], clashes: [] });
    const tally = await runImport(checked.rows, {
      concurrency: IN_FLIGHT,
      create: async (row) => {
        const res = await ok(api.POST('/api/prospects', { body: { ...row.info, ...(settings.process ? { process: settings.process } : {}) } }));
        return { created: res.created, existing: res.prospect.info as { name: string; email?: string } };
      },
      // A rule about the row (a rep the account may not create for): listed, the import goes
      // on. Anything else (the server gone, the session ended) stops it.
      refusal: (err) => (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 401 ? err.message : undefined),
      halted: () => stopRef.current,
      progress: (t) => setOutcome(shown(t)),
    });
    setOutcome({ ...shown(tally), ...(stopRef.current && tally.stopped === undefined ? { stopped: 'stopped by you' } : {}) });
    setRunning(false);
  };

  const total = checked?.rows.length ?? 0;
  const percent = outcome && total ? Math.round((outcome.done / total) * 100) : 0;
  const finished = outcome !== undefined && !running;
  return (
    <div className="page">
      <PageHeader
        title="Import prospects"
        subtitle="From a CSV file: a header row, then one prospect a line"
        actions={
          <Link className="btn btn-secondary" to="/prospects">
            Back to prospects
          </Link>
        }
      />
      <section className="panel panel-body stack">
        <p className="muted">
          Columns: <code>name</code> (required), <code>id</code>, <code>company</code>, <code>email</code>, <code>phone</code>, <code>rep</code>, <code>source</code>; any other column is a
          field the process's rules can read (a territory, a size). A line without an id gets one made from its email address, so importing the same file again never makes a
          prospect twice.
        </p>
        <div className="form-grid">
          <Field label="CSV file" hint={csv ? `${csv.name}: ${Math.max(csv.text.split(/\r?\n/).filter((l) => l.trim()).length - 1, 0)} line(s) after the header` : undefined}>
            {(p) => (
              <input
                {...p}
                name="import-csv"
                type="file"
                accept=".csv,text/csv"
                disabled={running}
                onChange={async (e) => {
                  const file = e.target.files?.[0];
                  setCsv(file ? { name: file.name, text: await file.text() } : undefined);
                  reset();
                }}
              />
            )}
          </Field>
          <Field label="Process" hint={account.role === 'rep' ? 'a published process runs the prospects; they are yours, whatever its rules say' : 'a published process assigns reps and runs the prospects'}>
            {(p) => (
              <select {...p} name="process" value={settings.process} disabled={running} onChange={(e) => (setSettings({ ...settings, process: e.target.value }), reset())}>
                <option value="">The built-in process</option>
                {(processes.data ?? []).map((proc) => (
                  <option key={proc.name} value={proc.name}>
                    {proc.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {account.role !== 'rep' ? (
            <Field label="Default rep" hint="for lines without a rep; empty: a published process assigns one">
              {(p) => <input {...p} name="rep" value={settings.rep} disabled={running} onChange={(e) => (setSettings({ ...settings, rep: e.target.value }), reset())} />}
            </Field>
          ) : null}
          <Field label="Default source" hint="for lines without a source">
            {(p) => <input {...p} name="source" value={settings.source} disabled={running} onChange={(e) => (setSettings({ ...settings, source: e.target.value }), reset())} />}
          </Field>
        </div>
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" disabled={!csv || check.pending || running} onClick={() => void check.submit()}>
            Check the file
          </button>
          <button
            type="button"
            className="btn btn-primary"
            disabled={!checked || checked.problems.length > 0 || total === 0 || running}
            title={!checked ? 'Check the file first' : checked.problems.length > 0 ? 'Fix the lines below first' : undefined}
            onClick={() => void run()}
          >
            {/* No count while lines have problems: none of them would be imported. */}
            {outcome && finished ? `Import ${total} again` : checked && checked.problems.length === 0 ? `Import ${total} prospect(s)` : 'Import'}
          </button>
          {running ? (
            <button type="button" className="btn btn-danger" onClick={() => (stopRef.current = true)}>
              Stop
            </button>
          ) : null}
        </div>
        <FormMessage form={{ ...check, done: checked && checked.problems.length === 0 && !outcome ? check.done : undefined }} fields={['csv', 'rep', 'source']} />
        {checked && checked.problems.length > 0 ? (
          <div data-testid="import-problems">
            <p className="notice">
              {new Set(checked.problems.map((x) => x.line)).size} line(s) have problems; nothing is imported until they are fixed ({checked.rows.length} line(s) are fine):
            </p>
            <LineList label="Lines with problems" lines={checked.problems} />
          </div>
        ) : null}
        {outcome ? (
          <div className="stack" data-testid="import-outcome">
            <div className="progress" role="progressbar" aria-label="Import progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
              {/* set through the DOM (CSSOM), which the app's style-src 'self' policy allows */}
              <span style={{ width: `${percent}%` }} />
            </div>
            <p role="status" className={finished && outcome.refused.length === 0 && outcome.clashes.length === 0 && !outcome.stopped ? 'form-done' : undefined}>
              {running ? `Importing… ${outcome.done} of ${total}` : `${outcome.done} of ${total} done`}: {tallyLine(outcome)}.
            </p>
            {outcome.stopped ? (
              <p className="form-error" role="alert">
                The import stopped: {outcome.stopped}. What was created stays; import the file again to finish (nothing is created twice).
              </p>
            ) : null}
            {finished && outcome.refused.length > 0 ? (
              <div>
                <p className="notice">Refused by the server; fix these lines and import the file again (the others are there and are not created twice):</p>
                <LineList label="Refused lines" lines={outcome.refused.map((r) => ({ ...r, note: `(${r.id})` }))} />
              </div>
            ) : null}
            {finished && outcome.clashes.length > 0 ? (
              <div>
                <p className="notice">These ids belong to someone else already there; the lines were not imported (give them other ids):</p>
                <LineList label="Lines whose id is taken" lines={outcome.clashes} />
              </div>
            ) : null}
            {finished && outcome.done > 0 ? (
              <p>
                <Link to="/prospects">See the prospects</Link>
              </p>
            ) : null}
          </div>
        ) : null}
      </section>
    </div>
  );
}
