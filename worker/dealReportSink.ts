import type { Client } from '@temporalio/client';
import type { InjectedSinks } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import { bookClosedDeal } from '../activities/customer/customer';
import { dealReportMissed, type DealClosedInput, type DealReportSinks } from '../workflows/customer/contract';
import type { WorkerMetrics } from './metrics';
import { handBackBySignal, withinTimeout } from './sinkHandBack';

/**
 * A booking not done within this long is handed back to the prospect, which books through
 * its retried activity (the workflow task waits for the sink and times out after 10 s).
 */
export const DEAL_SINK_TIMEOUT_MS = 2_000;

export interface DealReportSinkDeps {
  /** The worker's client: it books the deal on the account and, failing that, tells the prospect. */
  temporal: Client;
  metrics: WorkerMetrics;
  log: { warn(message: string, meta?: Record<string, unknown>): void; error(message: string, meta?: Record<string, unknown>): void };
  /** Test seam: runs before each booking (an account that cannot be reached). */
  faults?: { beforeDealReport?: (input: DealClosedInput) => Promise<void> };
}

/**
 * The worker side of the deal sink (workflows/customer/contract.ts): books the deal within
 * the workflow task that closed the prospect. A booking that fails or takes too long is not
 * dropped: the prospect is signalled `dealReportMissed` and books through its activity.
 *
 * If even that signal cannot be sent, the sink keeps trying until the workflow task has
 * timed out: a completion sent after that is refused by the server, so the close does not
 * enter the history, the task runs again and calls the sink again. A closed deal is thus in
 * the history only once its account has it, or once the prospect knows to book it itself.
 */
export function dealReportSinks(deps: DealReportSinkDeps): InjectedSinks<DealReportSinks> {
  const { temporal, metrics, log, faults } = deps;

  async function handBack(info: WorkflowInfo, error: string): Promise<void> {
    const giveUpAt = Date.now() + info.taskTimeoutMs + 5_000;
    const handed = await handBackBySignal(temporal, info.workflowId, dealReportMissed, error, { giveUp: () => Date.now() >= giveUpAt, maxDelayMs: 2_000 });
    if (handed.outcome === 'told') {
      metrics.dealBookings.inc({ outcome: 'missed' });
      log.warn('booking a closed deal failed; the prospect books it through its activity', { workflowId: info.workflowId, error });
    } else if (handed.outcome === 'gave up') {
      // The task has timed out by now: its completion will be refused and the task run again.
      log.error('booking a closed deal failed and the prospect could not be told; its workflow task runs again', { workflowId: info.workflowId, error, signal: handed.error });
    }
  }

  return {
    deals: {
      closed: {
        fn: async (info, input) => {
          try {
            await withinTimeout(
              (async () => {
                await faults?.beforeDealReport?.(input);
                await bookClosedDeal(temporal, info.taskQueue, input, (message, meta) => log.warn(message, meta));
              })(),
              DEAL_SINK_TIMEOUT_MS,
              `booking the deal took longer than ${DEAL_SINK_TIMEOUT_MS} ms`,
            );
            metrics.dealBookings.inc({ outcome: 'booked' });
          } catch (err) {
            await handBack(info, (err as Error).message);
          }
        },
        callDuringReplay: false,
      },
    },
  };
}
