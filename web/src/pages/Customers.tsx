import { Link } from 'react-router-dom';
import { api, ok } from '../api/client';
import { useAccount } from '../session';
import { Empty, ErrorBox, LiveStamp, Loading, PageHeader, useSearchBox, usePolled } from '../ui/common';
import { Field } from '../ui/form';
import { formatDate, formatDue } from '../ui/format';
import { daysLeft } from './Customer';

/**
 * Customer accounts from visibility (a rep's own; a manager's team; everyone's for ops,
 * admin and support): search by name, owner filter for those who see more than their own.
 */
export function CustomersPage() {
  const account = useAccount();
  const { params, set, q, typed, setTyped } = useSearchBox();
  const owner = params.get('owner') ?? '';
  // The server searches every account the caller may see and counts them; it sends at most 500.
  const list = usePolled(async () => ok(api.GET('/api/customers', { params: { query: { limit: 500, ...(owner ? { owner } : {}), ...(q ? { q } : {}) } } })), [owner, q], 30_000);
  const shown = list.data?.customers ?? [];
  const total = list.data?.total ?? 0;
  const counted = `${total} account${total === 1 ? '' : 's'}${q ? ` matching “${q}”` : ''}`;
  return (
    <div className="page">
      <PageHeader
        title={account.role === 'rep' ? 'My customers' : 'Customers'}
        subtitle={list.data ? (total > shown.length ? `the first ${shown.length} of ${counted}: search to find the others` : counted) : undefined}
        actions={
          <>
            <LiveStamp at={list.updatedAt} />
            {account.role !== 'support' ? (
              <Link className="btn btn-secondary" to="/renewals">
                Renewals due
              </Link>
            ) : null}
          </>
        }
      />
      <div className="filters" role="search">
        <Field label="Search">
          {(p) => <input {...p} type="search" value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="Name or id" />}
        </Field>
        {account.role !== 'rep' ? (
          <Field label="Owner">
            {(p) => <input {...p} value={owner} onChange={(e) => set({ owner: e.target.value.trim() })} placeholder="all owners" />}
          </Field>
        ) : null}
      </div>
      <section className="panel">
        {list.loading && !list.data ? (
          <Loading what="Loading customers" />
        ) : list.error && !list.data ? (
          <ErrorBox error={list.error} />
        ) : shown.length === 0 ? (
          <Empty title="No customers">{q || owner ? 'Nothing matches the filter.' : 'A won deal makes (or joins) its customer account; they appear here.'}</Empty>
        ) : (
          <div className="table-wrap">
            <table data-testid="customers" className="cards-on-phone">
              <thead>
                <tr>
                  <th>Customer</th>
                  <th>Owner</th>
                  <th title="When the account's clock next raises something: a check-in, a satisfaction check, a renewal reminder">Next reminder</th>
                  <th>Next renewal</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <Link to={`/customers/${encodeURIComponent(c.id)}`}>{c.name || c.id}</Link>
                      <div className="muted small">{c.id}</div>
                    </td>
                    <td data-label="Owner">{c.owner ?? '—'}</td>
                    <td data-label="Next reminder">{formatDue(c.nextDue)}</td>
                    <td data-label="Next renewal">{c.nextRenewal ? `${formatDate(c.nextRenewal)} (${daysLeft(c.nextRenewal)})` : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
