import { Link } from 'react-router-dom';
import { api, ok } from '../api/client';
import { Badge, Empty, ErrorBox, LiveStamp, Loading, LoadMore, PageHeader, usePagedList, type Tone } from '../ui/common';
import { formatDateTime } from '../ui/format';

export const CAMPAIGN_TONES: Record<string, Tone> = { resolving: 'violet', running: 'blue', paused: 'amber', completed: 'green', cancelled: 'gray' };

interface CampaignRow { id: string; name: string; status?: string; sent?: number; startedAt: string; execution: string }

/** Campaign runs, newest first, refreshed by themselves. */
export function CampaignsPage() {
  const list = usePagedList(
    async (pageToken) => {
      const page = await ok(api.GET('/api/campaigns', { params: { query: { limit: 25, ...(pageToken ? { pageToken } : {}) } } }));
      return { items: page.campaigns as unknown as CampaignRow[], next: page.nextPageToken };
    },
    [],
    5_000,
  );
  return (
    <div className="page">
      <PageHeader
        title="Campaigns"
        subtitle="Mail runs: throttled, exactly once per recipient"
        actions={
          <>
            <LiveStamp at={list.updatedAt} />
            <Link className="btn btn-primary" to="/campaigns/new">
              New campaign
            </Link>
          </>
        }
      />
      <section className="panel">
        {list.loading && !list.items ? (
          <Loading what="Loading campaigns" />
        ) : list.error && !list.items ? (
          <ErrorBox error={list.error} />
        ) : (list.items ?? []).length === 0 ? (
          <Empty title="No campaign runs yet">Upload a campaign definition and its CSV to start one.</Empty>
        ) : (
          // A card per run on a phone, as the other lists: four columns squeezed the name to a word a line.
          <table className="cards-on-phone" data-testid="campaign-list">
            <thead>
              <tr>
                <th>Campaign</th>
                <th>Status</th>
                <th className="num">Sent</th>
                <th>Started</th>
              </tr>
            </thead>
            <tbody>
              {list.items!.map((c) => (
                <tr key={`${c.id}-${c.startedAt}`}>
                  <td>
                    <Link to={`/campaigns/${encodeURIComponent(c.id)}`}>{c.name}</Link>
                    <div className="muted small">{c.id}</div>
                  </td>
                  <td data-label="Status">
                    <Badge tone={CAMPAIGN_TONES[c.status ?? ''] ?? 'neutral'}>{c.status ?? c.execution.toLowerCase()}</Badge>
                  </td>
                  <td className="num" data-label="Sent">
                    {c.sent ?? '—'}
                  </td>
                  <td data-label="Started">{formatDateTime(c.startedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <LoadMore list={list} what="campaign runs" />
      </section>
    </div>
  );
}
