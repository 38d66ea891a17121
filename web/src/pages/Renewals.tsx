import { useMemo } from 'react';
import { Link } from 'react-router-dom';
import { api, ok } from '../api/client';
import type { Renewal } from '../api/views';
import { useAccount } from '../session';
import { Badge, Empty, ErrorBox, LiveStamp, Loading, PageHeader, useAddressFilters, usePolled, type Tone } from '../ui/common';
import { Field } from '../ui/form';
import { formatDate, formatMoney } from '../ui/format';
import { daysLeft } from './Customer';
import { renewalNote } from '../../../domain/customer/labels';

const WINDOWS = ['30d', '60d', '90d', '180d'] as const;
type SortKey = 'end' | 'customer' | 'product' | 'value' | 'owner';
const COLUMNS: { key: SortKey; label: string; num?: boolean }[] = [
  { key: 'end', label: 'Renews' },
  { key: 'customer', label: 'Customer' },
  { key: 'product', label: 'Contract' },
  { key: 'owner', label: 'Owner' },
  { key: 'value', label: 'Value / term', num: true },
];
const STATUS_TONES: Record<string, Tone> = { active: 'green', ending: 'amber' };

function compare(key: SortKey): (a: Renewal, b: Renewal) => number {
  switch (key) {
    case 'customer':
      return (a, b) => a.customerName.localeCompare(b.customerName) || a.end.localeCompare(b.end);
    case 'product':
      return (a, b) => a.product.localeCompare(b.product) || a.end.localeCompare(b.end);
    case 'owner':
      return (a, b) => a.owner.localeCompare(b.owner) || a.end.localeCompare(b.end);
    case 'value':
      return (a, b) => a.valueCents - b.valueCents || a.end.localeCompare(b.end);
    default:
      return (a, b) => a.end.localeCompare(b.end) || a.customerId.localeCompare(b.customerId);
  }
}

/**
 * Contracts and subscriptions ending soon (the next 90 days unless another window is
 * chosen), sortable by any column, each linking to its customer. The sort and window live
 * in the address, so a bookmark or a reload keeps them.
 */
export function RenewalsPage() {
  const account = useAccount();
  const { params, set } = useAddressFilters();
  const within = (WINDOWS as readonly string[]).includes(params.get('within') ?? '') ? (params.get('within') as (typeof WINDOWS)[number]) : '90d';
  const sort = (COLUMNS.some((c) => c.key === params.get('sort')) ? params.get('sort') : 'end') as SortKey;
  const descending = params.get('dir') === 'desc';
  const list = usePolled(async () => (await ok(api.GET('/api/renewals', { params: { query: { within } } }))).renewals, [within], 30_000);
  const rows = useMemo(() => {
    const sorted = [...(list.data ?? [])].sort(compare(sort));
    return descending ? sorted.reverse() : sorted;
  }, [list.data, sort, descending]);
  const sortBy = (key: SortKey) => set({ sort: key === 'end' ? undefined : key, dir: key === sort && !descending ? 'desc' : undefined });
  const total = rows.reduce<Record<string, number>>((sum, r) => ({ ...sum, [r.currency]: (sum[r.currency] ?? 0) + r.valueCents }), {});
  return (
    <div className="page">
      <PageHeader
        title="Renewals"
        subtitle={
          list.data
            ? `${rows.length} contract${rows.length === 1 ? '' : 's'} ending within ${within}${account.role === 'rep' ? ' on your accounts' : ''} · ${Object.entries(total)
                .map(([cur, cents]) => formatMoney(cents, cur))
                .join(' + ') || formatMoney(0)} a term`
            : undefined
        }
        actions={<LiveStamp at={list.updatedAt} />}
      />
      <div className="filters" role="search">
        <Field label="Ending within">
          {(p) => (
            <select {...p} value={within} onChange={(e) => set({ within: e.target.value === '90d' ? undefined : e.target.value })}>
              {WINDOWS.map((w) => (
                <option key={w} value={w}>
                  {w.replace('d', ' days')}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <section className="panel">
        {list.loading && !list.data ? (
          <Loading what="Loading renewals" />
        ) : list.error && !list.data ? (
          <ErrorBox error={list.error} />
        ) : rows.length === 0 ? (
          <Empty title="No renewals due">No contract or subscription ends within {within}.</Empty>
        ) : (
          <div className="table-wrap">
            <table data-testid="renewals" className="cards-on-phone">
              <thead>
                <tr>
                  {COLUMNS.map((c) => (
                    <th key={c.key} className={c.num ? 'num' : undefined} aria-sort={sort === c.key ? (descending ? 'descending' : 'ascending') : 'none'}>
                      <button type="button" className="sort-button" onClick={() => sortBy(c.key)}>
                        {c.label}
                        <span aria-hidden="true">{sort === c.key ? (descending ? ' ▼' : ' ▲') : ''}</span>
                      </button>
                    </th>
                  ))}
                  <th>Status</th>
                  <th>Renewal quotation</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={`${r.customerId}-${r.contractId}`} data-testid={`renewal-${r.customerId}-${r.contractId}`}>
                    <td>
                      <time dateTime={r.end}>{formatDate(r.end)}</time>
                      <div className="muted small">{daysLeft(r.end)}</div>
                    </td>
                    <td data-label="Customer">
                      <Link to={`/customers/${encodeURIComponent(r.customerId)}`}>{r.customerName || r.customerId}</Link>
                    </td>
                    <td data-label="Contract">
                      <div>
                        {r.contractId} · {r.product}
                        <div className="muted small">
                          {[r.kind, renewalNote(r)].filter(Boolean).join(' · ')}
                        </div>
                      </div>
                    </td>
                    <td data-label="Owner">{r.owner}</td>
                    <td className="num" data-label="Value / term">
                      {formatMoney(r.valueCents, r.currency)}
                    </td>
                    <td data-label="Status">
                      <Badge tone={STATUS_TONES[r.status] ?? 'neutral'}>{r.status}</Badge>
                    </td>
                    <td data-label="Renewal quotation">{r.renewalQuote ? `${r.renewalQuote.number} (${r.renewalQuote.status})` : <span className="muted">not drafted yet</span>}</td>
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
