import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api, ApiError, ok } from '../api/client';
import { useAccount } from '../session';
import { CodeView, ProblemList, type LineProblem } from '../ui/CodeView';
import { Empty, ErrorBox, Loading, PageHeader, usePolled } from '../ui/common';
import { Field, FormMessage, useForm } from '../ui/form';
import { formatDateTime } from '../ui/format';

/** Published processes, and uploading a new definition: validate (problems at their lines), then publish. */
export function ProcessesPage() {
  const account = useAccount();
  const list = usePolled(async () => (await ok(api.GET('/api/processes', {}))).processes, []);
  const canPublish = account.role === 'ops' || account.role === 'admin';
  return (
    <div className="page">
      <PageHeader title="Processes" subtitle="Versioned definitions of the sales process" />
      <section className="panel">
        {list.loading && !list.data ? (
          <Loading what="Loading processes" />
        ) : list.error && !list.data ? (
          <ErrorBox error={list.error} />
        ) : (list.data ?? []).length === 0 ? (
          <Empty title="No published process">Prospects run on the built-in process until one is published.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Process</th>
                <th className="num">Versions</th>
                <th>Latest published</th>
              </tr>
            </thead>
            <tbody>
              {list.data!.map((p) => (
                <tr key={p.name}>
                  <td>
                    <Link to={`/processes/${encodeURIComponent(p.name)}`}>{p.name}</Link>
                  </td>
                  <td className="num">{p.versions}</td>
                  <td>{formatDateTime(p.latestPublishedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {canPublish ? <UploadProcess onPublished={list.reload} /> : null}
    </div>
  );
}

/**
 * A refusal of the definition as the server words it: each problem carries its line of the
 * text sent (the server reads the YAML with its positions, as `salesflow process validate`).
 */
export function problemsOf(err: ApiError): LineProblem[] {
  const errors = err.problem.errors ?? [];
  if (errors.length === 0) return [{ path: '(file)', message: err.problem.detail }];
  return errors
    .map((e) => ({ path: e.field || '(file)', ...(e.line !== undefined ? { line: e.line } : {}), message: e.message }))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

function UploadProcess({ onPublished }: { onPublished: () => void }) {
  const navigate = useNavigate();
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState('');
  const [problems, setProblems] = useState<LineProblem[] | undefined>(undefined);
  const [validName, setValidName] = useState<string | undefined>(undefined);

  /** The server's verdict on the text; a refusal of the definition lands at its lines. */
  const refused = (err: unknown): boolean => {
    if (err instanceof ApiError && (err.status === 422 || err.status === 400)) {
      setProblems(problemsOf(err));
      setValidName(undefined);
      return true;
    }
    return false;
  };
  const validate = useForm(async () => {
    try {
      const res = await ok(api.POST('/api/processes/validate', { body: { yaml: text } }));
      setProblems([]);
      setValidName(res.definition.name);
      return 'Valid: ready to publish';
    } catch (err) {
      if (refused(err)) return 'Not valid: see the problems at their lines';
      throw err;
    }
  });
  const publish = useForm(async () => {
    try {
      const res = await ok(api.POST('/api/processes', { body: { yaml: text } }));
      onPublished();
      navigate(`/processes/${encodeURIComponent(res.definition.name)}?version=${res.version}`);
      return `Published ${res.definition.name} version ${res.version}`;
    } catch (err) {
      if (refused(err)) return 'Not published: fix the problems first';
      throw err;
    }
  });

  return (
    <section className="panel" aria-labelledby="upload-h">
      <div className="panel-head">
        <h2 id="upload-h">Upload a definition</h2>
        <span className="muted small">YAML, as `salesflow process validate` reads it</span>
      </div>
      <div className="panel-body stack">
        <div className="form-grid file-grid">
          <Field label="Definition file">
            {(p) => (
              <input
                {...p}
                name="process-file"
                type="file"
                accept=".yaml,.yml,.json,text/yaml"
                onChange={async (e) => {
                  const file = e.target.files?.[0];
                  if (!file) return;
                  setFileName(file.name);
                  setText(await file.text());
                  setProblems(undefined);
                  setValidName(undefined);
                }}
              />
            )}
          </Field>
        </div>
        <Field label="Or paste or edit the definition">
          {(p) => (
            <textarea
              {...p}
              name="process-text"
              className="mono"
              rows={8}
              value={text}
              onChange={(e) => {
                setText(e.target.value);
                setProblems(undefined);
                setValidName(undefined);
              }}
            />
          )}
        </Field>
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" disabled={!text || validate.pending} onClick={() => void validate.submit()}>
            Validate
          </button>
          <button type="button" className="btn btn-primary" disabled={!text || publish.pending || problems === undefined || problems.length > 0} onClick={() => void publish.submit()}>
            Publish{validName ? ` ${validName}` : ''}
          </button>
          {problems && problems.length === 0 ? <span className="form-done" role="status">Valid{validName ? `: ${validName}` : ''}{fileName ? ` (${fileName})` : ''}</span> : null}
          {problems && problems.length > 0 ? <span className="field-error" role="alert">{problems.length} problem(s)</span> : null}
        </div>
        <FormMessage form={{ ...validate, done: undefined }} fields={[]} />
        <FormMessage form={{ ...publish, done: undefined }} fields={[]} />
        {problems && problems.length > 0 ? <ProblemList problems={problems} /> : null}
        {text && problems && problems.length > 0 ? <CodeView text={text} problems={problems} label="The definition with its problems marked" /> : null}
      </div>
    </section>
  );
}
