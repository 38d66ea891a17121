import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api, ApiError, ok } from '../api/client';
import { useAccount } from '../session';
import { Empty, ErrorBox, LiveStamp, Loading, LoadMore, PageHeader, StageBadge, useSearchBox, usePagedList, usePolled } from '../ui/common';
import { Field, FormMessage, SubmitButton, useForm } from '../ui/form';
import { formatDue, formatMoney } from '../ui/format';

const STAGES = ['contact', 'qualification', 'inquiry', 'quotation', 'won', 'lost'] as const;
type Stage = (typeof STAGES)[number];
/** Rows per request; further pages follow the server's nextPageToken. */
const PAGE_SIZE = 50;

/** My prospects (a rep's own; a manager's team; everything for ops): filter by stage, search by name or company. */
export function ProspectsPage() {
  const account = useAccount();
  const { params, set, q, typed, setTyped } = useSearchBox();
  const stage = (params.get('stage') ?? '') as Stage | '';
  const [creating, setCreating] = useState(false);
  const list = usePagedList(
    async (pageToken) => {
      const page = await ok(
        api.GET('/api/prospects', { params: { query: { ...(stage ? { stage } : {}), ...(q ? { q } : {}), limit: PAGE_SIZE, ...(pageToken ? { pageToken } : {}) } } }),
      );
      return { items: page.prospects, next: page.nextPageToken };
    },
    [stage, q],
    15_000,
  );
  const shown = list.items ?? [];
  const counted = q ? `${shown.length} match${shown.length === 1 ? '' : 'es'} for “${q}”` : `${shown.length} prospect${shown.length === 1 ? '' : 's'}`;
  return (
    <div className="page">
      <PageHeader
        title={account.role === 'rep' ? 'My prospects' : 'Prospects'}
        subtitle={list.items ? (list.hasMore ? `the first ${counted}; more below` : counted) : undefined}
        actions={
          <>
            <LiveStamp at={list.updatedAt} />
            {account.role !== 'support' ? (
              <>
                <Link className="btn btn-secondary" to="/prospects/import">
                  Import CSV
                </Link>
                <button type="button" className="btn btn-primary" onClick={() => setCreating((c) => !c)} aria-expanded={creating}>
                  New prospect
                </button>
              </>
            ) : null}
          </>
        }
      />
      {creating ? <NewProspect onDone={() => (setCreating(false), list.reload())} /> : null}
      <div className="filters" role="search">
        <Field label="Search">
          {(p) => <input {...p} type="search" value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="Name, company, email or id" />}
        </Field>
        <Field label="Stage">
          {(p) => (
            <select {...p} value={stage} onChange={(e) => set({ stage: e.target.value })}>
              <option value="">All stages</option>
              {STAGES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <section className="panel">
        {list.loading && !list.items ? (
          <Loading what="Loading prospects" />
        ) : list.error && !list.items ? (
          <ErrorBox error={list.error} />
        ) : shown.length === 0 && !list.hasMore ? (
          <Empty title="No prospects">{q || stage ? 'Nothing matches the filter.' : 'Prospects assigned to you appear here.'}</Empty>
        ) : (
          <div className="table-wrap">
            <table className="cards-on-phone">
              <thead>
                <tr>
                  <th>Prospect</th>
                  <th>Stage</th>
                  <th>Rep</th>
                  <th className="num" title="The current quotation's net total, before tax">Quote (net)</th>
                  <th>Next due</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <Link to={`/prospects/${encodeURIComponent(p.id)}`}>{p.name}</Link>
                      {/* The id too: two people of one company (a repeat deal, a second contact) read apart. */}
                      <div className="muted small">{p.company ? `${p.company} · ${p.id}` : p.id}</div>
                    </td>
                    <td data-label="Stage">
                      <StageBadge stage={p.stage} />
                    </td>
                    <td data-label="Rep">{p.rep ?? '—'}</td>
                    <td className="num" data-label="Quote (net)">
                      {p.quoteTotal !== undefined ? formatMoney(Math.round(p.quoteTotal * 100)) : '—'}
                    </td>
                    <td data-label="Next due">{formatDue(p.nextDue)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <LoadMore list={list} what="prospects" />
      </section>
    </div>
  );
}

/**
 * A new prospect: on creation the page opens it. An id that is taken stays in the form with
 * whose it is (creating an existing prospect changes nothing, so a silent close read as done).
 */
function NewProspect({ onDone }: { onDone: () => void }) {
  const account = useAccount();
  const navigate = useNavigate();
  const [v, setV] = useState({ id: '', name: '', company: '', email: '', phone: '', rep: account.role === 'rep' ? (account.personId ?? '') : '', process: '' });
  const [taken, setTaken] = useState<{ id: string; name: string; company?: string } | undefined>(undefined);
  const processes = usePolled(async () => (await ok(api.GET('/api/processes'))).processes, []);
  const form = useForm(async () => {
    setTaken(undefined);
    const body = {
      id: v.id,
      name: v.name,
      ...(v.company ? { company: v.company } : {}),
      ...(v.email ? { email: v.email } : {}),
      ...(v.phone ? { phone: v.phone } : {}),
      ...(v.rep ? { rep: v.rep } : {}),
      ...(v.process ? { process: v.process } : {}),
    };
    const res = await ok(api.POST('/api/prospects', { body }));
    if (!res.created) {
      const info = res.prospect.info as { id: string; name: string; company?: string };
      setTaken(info);
      throw new ApiError({ type: 'about:blank', title: 'Taken', status: 409, detail: `${info.id} exists already`, errors: [{ field: 'id', message: `is ${info.name}${info.company ? ` (${info.company})` : ''} already: open it, or choose another id` }] });
    }
    onDone();
    navigate(`/prospects/${encodeURIComponent(res.prospect.info.id)}`);
    return `Created ${res.prospect.info.name}`;
  });
  const input = (key: Exclude<keyof typeof v, 'process'>, label: string, extra: Record<string, unknown> = {}) => (
    <Field label={label} error={form.fieldError(key)}>
      {(p) => <input {...p} {...extra} name={key} value={v[key]} onChange={(e) => setV({ ...v, [key]: e.target.value })} />}
    </Field>
  );
  return (
    <form className="panel panel-body stack" onSubmit={form.submit} aria-label="New prospect">
      <h2>New prospect</h2>
      <div className="form-grid">
        {input('id', 'Id', { placeholder: 'acme-gmbh', required: true })}
        {input('name', 'Name', { required: true })}
        {input('company', 'Company')}
        {input('email', 'Email', { type: 'email' })}
        {input('phone', 'Phone')}
        {account.role !== 'rep' ? input('rep', 'Rep') : null}
        <Field label="Process" error={form.fieldError('process')} hint="a published process also assigns the rep">
          {(p) => (
            <select {...p} name="process" value={v.process} onChange={(e) => setV({ ...v, process: e.target.value })}>
              <option value="">The built-in process</option>
              {(processes.data ?? []).map((proc) => (
                <option key={proc.name} value={proc.name}>
                  {proc.name} (v{proc.versions})
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <FormMessage form={form} fields={Object.keys(v)} />
      {taken ? (
        <p className="notice" data-testid="prospect-taken">
          <Link to={`/prospects/${encodeURIComponent(taken.id)}`}>Open {taken.name}</Link>
        </p>
      ) : null}
      <div className="form-actions">
        <SubmitButton form={form}>Create prospect</SubmitButton>
      </div>
    </form>
  );
}
