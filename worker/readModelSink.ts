import type { Client } from '@temporalio/client';
import type { InjectedSinks } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import { NOT_FED } from '../activities/reporting/readModel';
import type { SalesflowDb } from '../db/database';
import { writeCustomerProjections } from '../db/postsalesReport';
import { writeProjections } from '../db/reporting';
import type { CustomerProjection } from '../domain/reporting/postsales';
import type { ReadModelBatch } from '../domain/reporting/projection';
import { readModelMissed, type ReadModelSinks } from '../workflows/reporting/contract';
import type { WorkerMetrics } from './metrics';
import { handBackBySignal, withinTimeout } from './sinkHandBack';

/**
 * The worker side of the read-model sink (workflows/reporting/contract.ts). The SDK awaits a
 * sink's calls before it completes the workflow task that made them, so this write holds up
 * that task, and is bounded: a write not done within this long (the workflow task times out
 * after 10 s) is handed back to the workflow, which writes through its retried activity.
 */
export const READ_MODEL_SINK_TIMEOUT_MS = 2_000;

/** At most this many prospects' batches in one transaction. */
const GROUP_LIMIT = 200;

/**
 * How long an idle writer waits for more before it begins a transaction: workflow tasks
 * finishing at the same moment join one commit. A commit costs PostgreSQL more than the
 * rows (its WAL flush): at 16 prospects in flight a millisecond cut the transactions by a
 * quarter and PostgreSQL's CPU per prospect from 6.5 to 5.4 ms, the commands' latency
 * unchanged; a lone command waits the one millisecond.
 */
export const READ_MODEL_GROUP_LINGER_MS = 1;

/**
 * After a failed write, writes are handed back at once for this long instead of each waiting
 * on a database that is away: commands stay fast during an outage, and their workflows write
 * through the activity, which retries until the database is back.
 */
export const READ_MODEL_SINK_PAUSE_MS = 10_000;

export interface ReadModelSinkDeps {
  /** The salesflow database; without one nothing is fed (as the activity does: `salesflow report rebuild` catches up). */
  db?: SalesflowDb;
  /** The worker's client, to tell a workflow that its write was missed. */
  temporal: Client;
  metrics: WorkerMetrics;
  log: { warn(message: string, meta?: Record<string, unknown>): void; error(message: string, meta?: Record<string, unknown>): void };
  /** Test seam, shared with the activity: runs before each prospect's write (a slow or failing database). */
  faults?: { beforeWrite?: (batch: ReadModelBatch) => Promise<void> };
}

/**
 * A transaction still running after this long is given up on by the writer (its batches were
 * handed back long before), so that the writes after it go on. The pool's own query timeout
 * (DATABASE_QUERY_TIMEOUT, two minutes by default) ends such a transaction's connection in the
 * end; the writer does not wait that long.
 */
export const READ_MODEL_GROUP_STUCK_MS = 30_000;

/**
 * Group commit: the batches that arrive while a transaction runs go together in the next one,
 * so many workflow tasks finishing at once cost one transaction, not one each. A failed
 * transaction fails every batch in it (each is then handed back to its workflow).
 */
export class GroupWriter<T> {
  private queue: { item: T; done: (err?: unknown) => void }[] = [];
  private running = false;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly stuckMs = READ_MODEL_GROUP_STUCK_MS,
    private readonly lingerMs = READ_MODEL_GROUP_LINGER_MS,
  ) {}

  submit(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, done: (err) => (err === undefined ? resolve() : reject(err)) });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      if (this.lingerMs > 0) await new Promise((resolve) => setTimeout(resolve, this.lingerMs));
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, GROUP_LIMIT);
        try {
          await withinTimeout(this.write(group.map((g) => g.item)), this.stuckMs, `the read-model write took longer than ${this.stuckMs} ms`);
          for (const g of group) g.done();
        } catch (err) {
          for (const g of group) g.done(err ?? new Error('the read-model write failed'));
        }
      }
    } finally {
      this.running = false;
    }
  }
}

export function readModelSinks(deps: ReadModelSinkDeps): InjectedSinks<ReadModelSinks> {
  const { db, temporal, metrics, log, faults } = deps;
  const prospects = db ? new GroupWriter<ReadModelBatch>((batches) => writeProjections(db, batches)) : undefined;
  const customers = db
    ? new GroupWriter<CustomerProjection>((projections) => writeCustomerProjections(db, projections))
    : undefined;
  let warned = false;
  let pausedUntil = 0;

  /**
   * Tells the workflow to write through its activity. Retried for a few seconds (still within
   * the workflow task): when Temporal cannot be reached that long, the task's completion
   * fails too, the task runs again and calls the sink again.
   */
  async function handBack(info: WorkflowInfo, kind: 'prospect' | 'customer', error: string): Promise<void> {
    const handed = await handBackBySignal(temporal, info.workflowId, readModelMissed, error, { giveUp: (attempt) => attempt >= 3 });
    if (handed.outcome === 'told') {
      metrics.readModelWrites.inc({ kind, outcome: 'missed' });
      log.warn('a read-model write failed; the workflow writes through its activity', { workflowId: info.workflowId, error });
    } else if (handed.outcome === 'gave up') {
      metrics.readModelWrites.inc({ kind, outcome: 'lost' });
      log.error('a read-model write failed and the workflow could not be told; run `salesflow report rebuild`', { workflowId: info.workflowId, error, signal: handed.error });
    }
  }

  async function write<T>(info: WorkflowInfo, kind: 'prospect' | 'customer', writer: GroupWriter<T> | undefined, item: T, before?: () => Promise<void>): Promise<void> {
    if (!writer) {
      if (!warned) log.warn(NOT_FED);
      warned = true;
      return;
    }
    if (Date.now() < pausedUntil) {
      await handBack(info, kind, 'the read model was failing moments ago');
      return;
    }
    try {
      await withinTimeout(
        (async () => {
          await before?.();
          await writer.submit(item);
        })(),
        READ_MODEL_SINK_TIMEOUT_MS,
        `the read-model write took longer than ${READ_MODEL_SINK_TIMEOUT_MS} ms`,
      );
      metrics.readModelWrites.inc({ kind, outcome: 'written' });
    } catch (err) {
      pausedUntil = Date.now() + READ_MODEL_SINK_PAUSE_MS;
      await handBack(info, kind, (err as Error).message);
    }
  }

  return {
    readModel: {
      prospect: {
        fn: (info, batch) => write(info, 'prospect', prospects, batch, faults?.beforeWrite ? () => faults.beforeWrite!(batch) : undefined),
        callDuringReplay: false,
      },
      customer: {
        fn: (info, projection) => write(info, 'customer', customers, projection),
        callDuringReplay: false,
      },
    },
  };
}
