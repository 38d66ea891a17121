import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/workflow';

/**
 * What the within-task sinks share (worker/readModelSink.ts, worker/dealReportSink.ts): a
 * side effect bounded in time, and, when it fails, a signal that hands it back to the
 * workflow, which then does it through its retried activity.
 */

/** `work`, or a rejection with `message` once `ms` have passed. */
export function withinTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** How a hand-back ended: the workflow was told; it no longer runs; or the sender gave up (`error`: the last signal's failure). */
export type HandBack = { outcome: 'told' } | { outcome: 'gone' } | { outcome: 'gave up'; error: string };

/**
 * Signals `signal` to the workflow, retrying with backoff (250 ms doubling, at most
 * `maxDelayMs`) until it is sent, the workflow is gone, or `giveUp(attempt)` says so after a
 * failed attempt (counted from 0).
 */
export async function handBackBySignal(
  temporal: Client,
  workflowId: string,
  signal: SignalDefinition<[{ error: string }]>,
  error: string,
  options: { giveUp: (attempt: number) => boolean; maxDelayMs?: number },
): Promise<HandBack> {
  for (let attempt = 0; ; attempt++) {
    try {
      await temporal.workflow.getHandle(workflowId).signal(signal, { error });
      return { outcome: 'told' };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { outcome: 'gone' };
      if (options.giveUp(attempt)) return { outcome: 'gave up', error: (err as Error).message };
      await sleep(Math.min(250 * 2 ** attempt, options.maxDelayMs ?? Infinity));
    }
  }
}
