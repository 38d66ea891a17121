import { condition, isCancellation, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { CustomerState } from '../../domain/customer/customer';
import { projectCustomer } from '../../domain/reporting/postsales';
import { readModel, readModelMissed } from './contract';

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
export async function feedCustomerReadModel(get: () => CustomerState, options: { inTask?: boolean } = {}): Promise<void> {
  let seen: CustomerState | undefined;
  let written = '';
  // As for prospects (readModelFeed.ts): runs with `inTask` write within the workflow task
  // through the worker's sink, and through the activity once the worker says a write was missed.
  let missed = false;
  if (options.inTask) setHandler(readModelMissed, () => void (missed = true));
  try {
    for (;;) {
      await condition(() => get() !== seen || missed);
      const durable = missed;
      missed = false;
      seen = get();
      const projection = projectCustomer(seen);
      const signature = JSON.stringify(projection);
      // Most state changes (task bookkeeping, the outbox) change nothing the report shows.
      if (signature === written && !durable) continue;
      if (options.inTask && !durable) readModel.customer(projection);
      else await recordCustomerReadModel(projection);
      written = signature;
    }
  } catch (err) {
    // The run ends (continue-as-new, cancellation): the next run carries on.
    if (!isCancellation(err)) throw err;
  }
}
