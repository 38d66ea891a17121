import { CancellationScope, condition, isCancellation, sleep } from '@temporalio/workflow';

/**
 * One durable timer for a workflow's soonest deadline, kept while the deadline only moves
 * later. A loop that waits with `condition(woke, timeout)` starts a timer at every wake and
 * cancels it at the next: two events each time, though the deadline rarely moves earlier.
 * An account's check-in moves a month later with every deal it wins, so each deal cost the
 * account a timer started and one cancelled; a prospect's open quotation restarted its timer
 * for every contact, reply or mail sent while it waited. This timer is replaced only when the deadline
 * moves earlier than it; when it fires before the deadline (which moved later meanwhile) the
 * loop finds nothing due and arms it again for the new one.
 */
export class DeadlineTimer {
  private firesAt: number | undefined;
  private scope: CancellationScope | undefined;
  private rang = false;

  /**
   * Makes sure a timer fires no later than `dueAt` (epoch ms). With no deadline left (a
   * quotation accepted) the timer is cancelled, rather than left to wake the workflow for
   * nothing.
   */
  arm(dueAt: number | undefined): void {
    if (dueAt === undefined) {
      this.cancel();
      return;
    }
    if (this.firesAt !== undefined && this.firesAt <= dueAt) return;
    this.cancel();
    const scope = new CancellationScope({ cancellable: true });
    this.scope = scope;
    this.firesAt = dueAt;
    scope
      .run(() => sleep(Math.max(dueAt - Date.now(), 0)))
      .then(
        () => {
          if (this.scope !== scope) return;
          this.scope = undefined;
          this.firesAt = undefined;
          this.rang = true;
        },
        (err: unknown) => {
          // Replaced by an earlier one; any other failure is a bug and fails the workflow task.
          if (!isCancellation(err)) throw err;
        },
      );
  }

  private cancel(): void {
    this.scope?.cancel();
    this.scope = undefined;
    this.firesAt = undefined;
  }

  /** Whether the timer fired since the last call (for a `condition`). */
  get fired(): boolean {
    return this.rang;
  }

  /** True once per firing: the loop then applies whatever is due. */
  take(): boolean {
    const rang = this.rang;
    this.rang = false;
    return rang;
  }
}

/**
 * The wait of a long-lived run's loop (a prospect's, an account's): until `woke()`, or until
 * its next deadline (`dueAt`, epoch ms; none when undefined). Through `deadlines` for runs
 * of a generation that keeps its timer; without, as earlier runs waited: a timer for this
 * wait only. It hands back the condition's own promise, adding no step of its own, so an
 * earlier run replays exactly as it ran. `dueAfter` then says whether the deadline ended it.
 */
export function untilWokeOrDue(deadlines: DeadlineTimer | undefined, dueAt: number | undefined, woke: () => boolean): Promise<boolean | void> {
  if (deadlines) {
    deadlines.arm(dueAt);
    return condition(() => woke() || deadlines.fired);
  }
  return dueAt === undefined ? condition(woke) : condition(woke, Math.max(dueAt - Date.now(), 0));
}

/** Whether the deadline, not a wake, ended the wait that `untilWokeOrDue` answered with `waited`. */
export function dueAfter(deadlines: DeadlineTimer | undefined, waited: boolean | void): boolean {
  return deadlines ? deadlines.take() : waited === false;
}
