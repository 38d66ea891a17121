import { isCancellation, proxyLocalActivities, condition } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { ProspectState } from '../../domain/pipeline/prospect';
import { recordVersion } from '../../domain/pipeline/record';
import { projectProspect, unsent } from '../../domain/reporting/projection';

// A local activity: one marker in the history per batch, no extra workflow task, so
// feeding the reports costs the lifecycle little. Retried for as long as the database is
// away; the prospect's commands never wait on it (it runs beside the loop).
const { recordReadModel } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/**
 * Feeds the reporting read model for the life of the run: whenever the prospect's record
 * grows, one batch with the snapshot and every event not yet written by this run. Changes
 * made while a batch is being written go in the next one. A new run (continue-as-new)
 * writes its first batch in full; the rows are keyed, so nothing counts twice.
 */
export async function feedReadModel(get: () => ProspectState): Promise<void> {
  const written = new Set<number>();
  let version = -1;
  try {
    for (;;) {
      await condition(() => recordVersion(get()) !== version);
      const state = get();
      const projection = projectProspect(state);
      const events = unsent(projection, written);
      await recordReadModel({ workflowId: projection.workflowId, snapshot: projection.snapshot, events });
      for (const e of events) written.add(e.seq);
      version = recordVersion(state);
    }
  } catch (err) {
    // The run ends (continue-as-new, cancellation): the next run carries on.
    if (!isCancellation(err)) throw err;
  }
}
