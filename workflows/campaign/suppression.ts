import { allHandlersFinished, condition, continueAsNew, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { normalizeEmail } from '../../domain/shared/email';
import { DomainError } from '../../domain/shared/errors';
import { listBytes, suppress, suppressedAmong, unsuppress, type SuppressionList, type SuppressionRemoval } from '../../domain/campaign/suppression';
import { getSuppressed, listSuppressed, listUnsuppressed, suppressSignal, suppressUpdate, unsuppressUpdate } from './contract';

export interface SuppressionListInput {
  entries?: SuppressionList;
  /** The most recent removals (`campaign unsuppress`), with who and why. */
  removals?: SuppressionRemoval[];
  /** Continue-as-new after this many history events (default 5,000; tests use fewer). */
  continueAsNewAfterEvents?: number;
}

/** A long list is cheap to carry; a long history is not. */
const CONTINUE_AS_NEW_AFTER_EVENTS = 5_000;

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}

/**
 * One shard of the suppression list (`suppression-list-<task queue>-<shard>`, see
 * domain/campaign/suppression.ts): the addresses of that shard that unsubscribed or bounced, held
 * durably by a long-running workflow. Campaign batches ask it before sending;
 * the unsubscribe endpoint and bounce handling add to it with signal-with-start, so the
 * first opt-out creates it, and read the entry back with the `suppress` update. It
 * continues-as-new carrying the list, so its history stays small; the list rides in the
 * workflow input, so it is capped at SHARD_BUDGET_BYTES (half of Temporal's 2 MB payload
 * limit): a full shard refuses the update with a clear message, and a caller that needs
 * the entry (a bounce) fails rather than carrying on without it.
 */
export async function suppressionListWorkflow(input: SuppressionListInput = {}): Promise<void> {
  let list: SuppressionList = input.entries ?? {};
  let removals: SuppressionRemoval[] = input.removals ?? [];
  let bytes = listBytes(list);

  const add = (raw: unknown) => {
    const result = suppress(list, raw, nowIso(), bytes);
    list = result.list;
    bytes += result.bytes;
    return list[normalizeEmail(String((raw as { email?: unknown }).email ?? ''))]!;
  };
  setHandler(suppressSignal, (raw) => {
    try {
      add(raw);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      // A signal cannot be refused; its sender reads the entry back with the update,
      // which refuses with the same message, so nobody believes it was recorded.
      log.warn('dropped a suppression', { error: err.message });
    }
  });
  setHandler(suppressUpdate, (raw) => add(raw), { validator: (raw) => void suppress(list, raw, nowIso(), bytes) });
  setHandler(
    unsuppressUpdate,
    (raw) => {
      const result = unsuppress(list, removals, raw, nowIso());
      list = result.list;
      removals = result.removals;
      bytes = listBytes(list);
      return result.removal;
    },
    { validator: (raw) => void unsuppress(list, removals, raw, nowIso()) },
  );
  setHandler(getSuppressed, (emails) => suppressedAmong(list, emails));
  setHandler(listSuppressed, () => Object.values(list));
  setHandler(listUnsuppressed, () => removals);

  const after = input.continueAsNewAfterEvents ?? CONTINUE_AS_NEW_AFTER_EVENTS;
  await condition(() => workflowInfo().historyLength > after || workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  await continueAsNew<typeof suppressionListWorkflow>({
    entries: list,
    ...(removals.length > 0 ? { removals } : {}),
    ...(input.continueAsNewAfterEvents === undefined ? {} : { continueAsNewAfterEvents: input.continueAsNewAfterEvents }),
  });
}
