import { useMemo, useState } from 'react';
import { api, ok } from '../api/client';
import { Badge, Empty, ErrorBox, Loading, PageHeader, usePolled } from '../ui/common';
import { Field, FormMessage, SubmitButton, useForm } from '../ui/form';
import { formatDateTime } from '../ui/format';
import { suppressionSourceText } from '../../../domain/campaign/labels';

interface Entry { email: string; reason: string; source: string; detail: string; at: string }

/** Who must never be mailed: search, and take an address off the list with a reason. */
export function SuppressionsPage() {
  const list = usePolled(async () => (await ok(api.GET('/api/suppressions', {}))).suppressed as unknown as Entry[], [], 30_000);
  const [q, setQ] = useState('');
  const shown = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const rows = [...(list.data ?? [])].sort((a, b) => b.at.localeCompare(a.at));
    return needle ? rows.filter((e) => `${e.email} ${e.reason} ${suppressionSourceText(e.source)} ${e.detail}`.toLowerCase().includes(needle)) : rows;
  }, [list.data, q]);
  return (
    <div className="page">
      <PageHeader title="Suppression list" subtitle={list.data ? `${list.data.length} ${list.data.length === 1 ? 'address' : 'addresses'} that campaigns never mail` : undefined} />
      <AddSuppression onAdded={list.reload} />
      <div className="filters" role="search">
        <Field label="Search address, reason or source">
          {(p) => <input {...p} type="search" value={q} onChange={(e) => setQ(e.target.value)} />}
        </Field>
      </div>
      <section className="panel">
        {list.loading && !list.data ? (
          <Loading what="Loading the suppression list" />
        ) : list.error && !list.data ? (
          <ErrorBox error={list.error} />
        ) : shown.length === 0 ? (
          <Empty title={q ? 'No match' : 'Nobody is suppressed'}>{q ? 'No address matches the search.' : 'Unsubscribes and bounces land here.'}</Empty>
        ) : (
          <div className="table-wrap">
            <table className="cards-on-phone">
              <thead>
                <tr>
                  <th>Address</th>
                  <th>Reason</th>
                  <th>Source</th>
                  <th>Since</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {shown.map((e) => (
                  <Row key={e.email} entry={e} onDone={list.reload} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

/** Someone who asked not to be mailed (on the phone, in a letter): on the list at once, with the reason. */
function AddSuppression({ onAdded }: { onAdded: () => void }) {
  const [email, setEmail] = useState('');
  const [note, setNote] = useState('');
  const form = useForm(
    async () => {
      await ok(api.POST('/api/suppressions', { body: { email, reason: 'manual', note } }));
      setEmail('');
      setNote('');
      return `${email} is on the list: no campaign mails them`;
    },
    { onDone: onAdded },
  );
  return (
    <form className="panel add-suppression" onSubmit={form.submit} aria-label="Add an address">
      <div className="panel-head">
        <h2>Add an address</h2>
        <span className="muted small">someone who asked not to be mailed</span>
      </div>
      <div className="panel-body stack">
        <div className="form-grid">
          <Field label="Email address" error={form.fieldError('email')}>
            {(p) => <input {...p} type="email" name="email" value={email} onChange={(e) => setEmail(e.target.value)} required />}
          </Field>
          <Field label="Why (optional)" error={form.fieldError('note')} hint="e.g. asked on the phone">
            {(p) => <input {...p} name="note" value={note} onChange={(e) => setNote(e.target.value)} />}
          </Field>
        </div>
        <FormMessage form={form} fields={['email', 'note']} />
        <div className="form-actions">
          <SubmitButton form={form}>Add to the list</SubmitButton>
        </div>
      </div>
    </form>
  );
}

function Row({ entry, onDone }: { entry: Entry; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const form = useForm(async () => {
    await ok(api.POST('/api/suppressions/unsuppress', { body: { email: entry.email, reason } }));
    return 'Taken off the list';
  }, { onDone });
  return (
    <tr>
      <td>{entry.email}</td>
      <td data-label="Reason">
        <div>
          <Badge tone={entry.reason === 'bounce' ? 'red' : 'amber'}>{entry.reason}</Badge>
          {entry.detail ? <div className="muted small">{entry.detail}</div> : null}
        </div>
      </td>
      <td className="small" data-label="Source">
        {suppressionSourceText(entry.source)}
      </td>
      <td className="small" data-label="Since">
        {formatDateTime(entry.at)}
      </td>
      <td>
        {open ? (
          <form onSubmit={form.submit} aria-label={`Unsuppress ${entry.email}`} className="row">
            <Field label="Why may they be mailed again?" error={form.fieldError('reason')}>
              {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
            </Field>
            <SubmitButton form={form} kind="danger">
              Unsuppress
            </SubmitButton>
            <FormMessage form={form} fields={['reason']} />
          </form>
        ) : (
          <button type="button" className="btn btn-secondary btn-small" onClick={() => setOpen(true)}>
            Unsuppress…
          </button>
        )}
      </td>
    </tr>
  );
}
