import { condition, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { CustomerState } from '../../domain/customer/customer';
import { projectCustomer } from '../../domain/reporting/postsales';

// The prospect's feed (readModelFeed.ts), for customer accounts: a regular activity, for
// the reason given there (local activities under a storm of signals failed on replay).
// An account's projection is a few rows, so one write is always short.
const { recordCustomerReadModel } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/**
 * Feeds the post-sales read model for the life of the run: whenever the account's state
 * changes in a way the projection shows, its whole projection (it replaces the account's
 * rows). Changes made during a write go in the next one. A new run (continue-as-new)
 * writes once at its start; writes never go back to an older record version.
 */
export async function feedCustomerReadModel(get: () => CustomerState): Promise<void> {
  let seen: CustomerState | undefined;
  let written = '';
  try {
    for (;;) {
      await condition(() => get() !== seen);
      seen = get();
      const projection = projectCustomer(seen);
      const signature = JSON.stringify(projection);
      // Most state changes (task bookkeeping, the outbox) change nothing the report shows.
      if (signature === written) continue;
      await recordCustomerReadModel(projection);
      written = signature;
    }
  } catch (err) {
    // The run ends (continue-as-new, cancellation): the next run carries on.
    if (!isCancellation(err)) throw err;
  }
}
