import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, ApiError, ok } from '../api/client';
import { CodeView, LineList, ProblemList, type LineProblem } from '../ui/CodeView';
import { PageHeader } from '../ui/common';
import { Field, FormMessage, useForm } from '../ui/form';
import { problemsOf } from './Processes';
// The README's example campaign, bundled as written, to start from.
import exampleYaml from '../../../examples/campaign-spring.yaml?raw';
import exampleCsv from '../../../examples/campaign-spring.csv?raw';

/** What POST /api/campaigns/validate answers for a good definition (its problems come as a 422, at their lines). */
interface Validation {
  definition: { id?: string; name?: string; audience?: { csv?: string; prospects?: string[]; filter?: unknown } };
  recipients?: number;
  columns?: string[];
  invalidRows: { line: number; message: string }[];
  alreadyRan?: 'completed' | 'cancelled';
}

/** The API's request for the audience's text, as the page asks for it: the file to choose. */
function inPageWords(message: string | undefined): string | undefined {
  const wanted = message && /^send the audience file (.+) as csv \(its text\) with the definition$/.exec(message);
  return wanted ? `This campaign's audience is ${wanted[1]}: choose that file here.` : message;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Who a valid definition mails, as `campaign validate` says it: a CSV's recipients, a list's prospects, or a filter's. */
function audienceWords(v: Validation): string {
  if (v.recipients !== undefined) return plural(v.recipients, 'recipient');
  const listed = v.definition.audience?.prospects;
  return listed ? plural(listed.length, 'prospect') : 'the prospects the filter selects when the run starts';
}

/**
 * The server's refusal of a run id used before names the CLI's `--id`, which this page does
 * not have: here the id is the definition's `id:` line.
 */
function alreadyRanInPageWords(message: string | undefined): string | undefined {
  const ran = message && /^campaign (\S+) already ran \((\w+)\); to mail its audience again, start it with a new --id$/.exec(message);
  return ran ? `Campaign ${ran[1]} already ran (${ran[2]}). To mail its audience again, change id: in the definition to a new one, then validate and start.` : undefined;
}

/** Upload a campaign definition and its CSV, validate (problems at their lines, bad rows listed), start. */
export function NewCampaignPage() {
  const navigate = useNavigate();
  const [yaml, setYaml] = useState('');
  const [csv, setCsv] = useState<{ name: string; text: string } | undefined>(undefined);
  const [result, setResult] = useState<{ valid: true; validation: Validation } | { valid: false; problems: LineProblem[] } | undefined>(undefined);
  const body = () => ({ yaml, ...(csv ? { csv: csv.text } : {}) });
  const validate = useForm(async () => {
    try {
      const v = (await ok(api.POST('/api/campaigns/validate', { body: body() }))) as unknown as Validation;
      setResult({ valid: true, validation: v });
      return `Valid: ${audienceWords(v)}`;
    } catch (err) {
      // A problem of the definition is shown at its line; one about the CSV (none sent, or one
      // the audience does not take) stays at the CSV field.
      if (err instanceof ApiError && err.status === 422 && !err.problem.errors?.some((e) => e.field === 'csv')) {
        setResult({ valid: false, problems: problemsOf(err) });
        return 'Not valid';
      }
      throw err;
    }
  });
  const start = useForm(async () => {
    const res = await ok(api.POST('/api/campaigns', { body: body() })).catch((err: unknown) => {
      const inWords = err instanceof ApiError ? alreadyRanInPageWords(err.problem.detail) : undefined;
      throw inWords !== undefined && err instanceof ApiError ? new ApiError({ ...err.problem, detail: inWords }) : err;
    });
    const id = (res.validation.definition as { id?: string }).id ?? '';
    navigate(`/campaigns/${encodeURIComponent(id)}`);
    return res.started ? 'Started' : 'This campaign is running already';
  });
  const reset = () => setResult(undefined);
  const v = result?.valid ? result.validation : undefined;
  return (
    <div className="page">
      <PageHeader title="New campaign" subtitle="Upload the definition (YAML) and, for a CSV audience, its CSV" />
      <section className="panel panel-body stack">
        <div className="form-grid file-grid">
          <Field label="Campaign definition (YAML)" error={validate.fieldError('yaml')}>
            {(p) => (
              <input
                {...p}
                name="campaign-file"
                type="file"
                accept=".yaml,.yml,.json"
                onChange={async (e) => {
                  const file = e.target.files?.[0];
                  if (file) setYaml(await file.text());
                  reset();
                }}
              />
            )}
          </Field>
          <Field label="Audience CSV" error={inPageWords(validate.fieldError('csv') ?? start.fieldError('csv'))} hint={csv ? `${csv.name}: ${csv.text.split('\n').filter(Boolean).length - 1} row(s)` : 'when the audience is a csv'}>
            {(p) => (
              <input
                {...p}
                name="campaign-csv"
                type="file"
                accept=".csv,text/csv"
                onChange={async (e) => {
                  const file = e.target.files?.[0];
                  setCsv(file ? { name: file.name, text: await file.text() } : undefined);
                  reset();
                }}
              />
            )}
          </Field>
        </div>
        <Field label="Definition">
          {(p) => (
            <textarea
              {...p}
              name="campaign-text"
              className="mono"
              rows={10}
              value={yaml}
              onChange={(e) => {
                setYaml(e.target.value);
                reset();
              }}
            />
          )}
        </Field>
        <div className="form-actions">
          {!yaml ? (
            <button
              type="button"
              className="btn btn-secondary"
              onClick={() => {
                setYaml(exampleYaml);
                setCsv({ name: 'campaign-spring.csv', text: exampleCsv });
                reset();
              }}
              title="The spring offer of the README's walk-through: its definition here, its 61-row CSV as the audience"
            >
              Start from the example
            </button>
          ) : null}
          <button type="button" className="btn btn-secondary" disabled={!yaml || validate.pending} onClick={() => void validate.submit()}>
            Validate
          </button>
          <button type="button" className="btn btn-primary" disabled={!result?.valid || start.pending} onClick={() => void start.submit()} title={result?.valid ? undefined : 'Validate first'}>
            Start campaign
          </button>
        </div>
        <FormMessage form={{ ...validate, done: undefined }} fields={['csv']} />
        <FormMessage form={{ ...start, done: undefined }} fields={['csv']} />
        {result ? (
          result.valid ? (
            <div className="stack" data-testid="campaign-validation">
              <p className="form-done" role="status">
                Valid: {v!.definition.name} ({v!.definition.id}) · {audienceWords(v!)}
                {v!.columns ? ` · columns ${v!.columns.join(', ')}` : ''}
              </p>
              {v!.alreadyRan ? (
                <p className="notice" data-testid="campaign-already-ran">
                  A run with the id {v!.definition.id} already {v!.alreadyRan === 'cancelled' ? 'ran and was cancelled' : 'ran'}: starting it again would mail everyone twice, so it would be refused. Change id: in the definition to a new one to mail this audience again.
                </p>
              ) : null}
              {v!.invalidRows.length > 0 ? (
                <div>
                  <p className="notice">{v!.invalidRows.length === 1 ? '1 CSV row is invalid and will be skipped:' : `${v!.invalidRows.length} CSV rows are invalid and will be skipped:`}</p>
                  <LineList label="Invalid rows" lines={v!.invalidRows} />
                </div>
              ) : null}
            </div>
          ) : (
            <div className="stack">
              <ProblemList problems={result.problems} />
              <CodeView text={yaml} problems={result.problems} label="The definition with its problems marked" />
            </div>
          )
        ) : null}
      </section>
    </div>
  );
}
