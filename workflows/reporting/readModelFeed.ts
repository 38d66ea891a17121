import { isCancellation, proxyActivities, proxyLocalActivities, condition, patched, setHandler, sleep } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { ProspectState } from '../../domain/pipeline/prospect';
import { recordVersion } from '../../domain/pipeline/record';
import { projectProspect, unsent } from '../../domain/reporting/projection';
import { readModel, readModelMissed } from './contract';

// Runs from before 'read-model-activity' fed the read model through a local activity (one
// marker per batch, no extra workflow task). Under a storm of signals the SDK's core (1.24)
// failed such histories on replay ("Missing associated machine for LocalActivity"), with
// slow writes (a 9 s write while contacts arrived, test/integration/prospectFaults) and
// without (2,100 signals from 16 senders): the live prospect stopped answering. They keep
// the local activity, kept short, to their end; their next run uses the regular activity.
const { recordReadModel: recordReadModelLocally } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '4s',
  localRetryThreshold: '0s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

// A regular activity: three events and a workflow task per batch, replayed like any other.
// Retried for as long as the database is away; the prospect's commands never wait on it
// (it runs beside the loop), and changes made while it runs go in the next batch.
const { recordReadModel } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/** At most this many events per write, so one attempt (and its input in the history) stays small on a long-lived prospect. */
const EVENTS_PER_BATCH = 100;

/**
 * Runs of the 'lean-history-2' generation write at most once per this long: a change within
 * it of the last write waits (one timer) and goes with whatever else arrives meanwhile. A
 * rep working a prospect sends several commands within seconds; each write costs the
 * history an activity's three events and a workflow task (about 1.3 KB), the timer two
 * small events and a workflow task. A change after a quiet spell (a new prospect, a
 * campaign's contact, a reply) is written at once: by the end of a window the prospect may
 * have left the worker's cache, and a timer firing then would cost a replay. Reports lag by
 * at most this much (plus the write).
 */
export const READ_MODEL_BATCH_WINDOW_MS = 5_000;

export interface FeedOptions {
  /** The run belongs to the 'lean-history-2' generation: regular activity without asking, writes batched. */
  lean2?: boolean;
  /**
   * The run belongs to the 'lean-history-3' generation: each change is written within the
   * workflow task that made it, through the worker's sink (workflows/reporting/contract.ts),
   * and through the activity only after the worker signalled that a write was missed.
   */
  inTask?: boolean;
}

/**
 * Feeds the reporting read model for the life of the run: whenever the prospect's record
 * grows, the snapshot and every event not yet written by this run. Runs of 'lean-history-3'
 * hand them to the worker's sink within the workflow task that made the change (nothing in
 * the history; see ./contract.ts); older runs write through the activity, in slices. Changes
 * made while a batch is being written go in the next one. A new run (continue-as-new)
 * writes its first batch in full; the rows are keyed, so nothing counts twice. `has` asks
 * whether a patch applies (the prospect's lean runs take them all without a marker).
 */
export async function feedReadModel(get: () => ProspectState, has: (patch: string) => boolean = patched, options: FeedOptions = {}): Promise<void> {
  const written = new Set<number>();
  let version = -1;
  // `patched`, not `has`: lean runs recorded before this patch fed through the local
  // activity without a marker for it, and must replay that way.
  const record = options.lean2 || patched('read-model-activity') ? recordReadModel : recordReadModelLocally;
  let lastWrite: number | undefined;
  // Set by the worker's signal: the sink could not write. The next write goes through the
  // activity (retried while the database is away) and holds every event again, since the
  // missed ones were counted as written.
  let missed = false;
  if (options.inTask) setHandler(readModelMissed, () => void (missed = true));
  try {
    for (;;) {
      await condition(() => recordVersion(get()) !== version || missed);
      const durable = missed;
      missed = false;
      if (durable) written.clear();
      // Runs of 'lean-history-2' (not 3) batch their writes.
      if (options.lean2 && !options.inTask && lastWrite !== undefined) {
        const wait = lastWrite + READ_MODEL_BATCH_WINDOW_MS - Date.now();
        if (wait > 0) await sleep(wait);
      }
      const state = get();
      const projection = projectProspect(state);
      const events = unsent(projection, written);
      if (options.inTask && !durable) {
        readModel.prospect({ workflowId: projection.workflowId, snapshot: projection.snapshot, events });
        for (const e of events) written.add(e.seq);
      } else {
        // Runs that wrote a batch whole replay as they ran.
        const slice = has('read-model-slices') ? EVENTS_PER_BATCH : Math.max(events.length, 1);
        for (let from = 0; from === 0 || from < events.length; from += slice) {
          const part = events.slice(from, from + slice);
          await record({ workflowId: projection.workflowId, snapshot: projection.snapshot, events: part });
          for (const e of part) written.add(e.seq);
        }
      }
      version = recordVersion(state);
      lastWrite = Date.now();
    }
  } catch (err) {
    // The run ends (continue-as-new, cancellation): the next run carries on.
    if (!isCancellation(err)) throw err;
  }
}

/**
 * The feed of runs of prospect generation 8 and later, without a loop of its own: the
 * prospect's loop calls `write` at every round, which hands the snapshot and the events not
 * yet written to the worker's sink within the workflow task, as the in-task feed above does.
 * A feed beside the loop cost each round a condition of its own (five promises, each with a
 * stack trace taken by the SDK), about a fifth of a prospect's promises. After the worker
 * signals a missed write, the whole projection goes through the retried activity, once, and
 * whatever changes meanwhile with it; then writes go through the sink again.
 */
export class InTaskReadModelFeed {
  private readonly written = new Set<number>();
  private version = -1;
  private missed = false;
  private durable = false;

  constructor(private readonly get: () => ProspectState) {
    setHandler(readModelMissed, () => void (this.missed = true));
  }

  /** Whether the loop must go round for the feed: a change not yet written, or a missed write (not while the activity writes). */
  get behind(): boolean {
    return !this.durable && (this.missed || recordVersion(this.get()) !== this.version);
  }

  /** Writes what changed since the last write, through the sink; after a missed write, starts the activity's. */
  write(): void {
    if (this.durable) return;
    if (this.missed) {
      this.durable = true;
      void this.writeDurably().finally(() => (this.durable = false));
      return;
    }
    const state = this.get();
    if (recordVersion(state) === this.version) return;
    const projection = projectProspect(state);
    const events = unsent(projection, this.written);
    readModel.prospect({ workflowId: projection.workflowId, snapshot: projection.snapshot, events });
    for (const e of events) this.written.add(e.seq);
    this.version = recordVersion(state);
  }

  /** Every event again (the missed ones were counted as written), in slices, until nothing is left behind. */
  private async writeDurably(): Promise<void> {
    this.written.clear();
    try {
      while (this.missed || recordVersion(this.get()) !== this.version) {
        this.missed = false;
        const state = this.get();
        const projection = projectProspect(state);
        const events = unsent(projection, this.written);
        for (let from = 0; from === 0 || from < events.length; from += EVENTS_PER_BATCH) {
          const part = events.slice(from, from + EVENTS_PER_BATCH);
          await recordReadModel({ workflowId: projection.workflowId, snapshot: projection.snapshot, events: part });
          for (const e of part) this.written.add(e.seq);
        }
        this.version = recordVersion(state);
      }
    } catch (err) {
      // The run ends (continue-as-new, cancellation): the next run writes its first batch whole.
      if (!isCancellation(err)) throw err;
    }
  }
}
