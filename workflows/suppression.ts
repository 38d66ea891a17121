import { allHandlersFinished, condition, continueAsNew, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { DomainError } from '../domain/errors';
import { suppress, suppressedAmong, type SuppressionList } from '../domain/suppression';
import { getSuppressed, listSuppressed, suppressSignal, suppressUpdate } from './campaignMessages';

export interface SuppressionListInput {
  entries?: SuppressionList;
}

/** A long list is cheap to carry; a long history is not. */
const CONTINUE_AS_NEW_AFTER_EVENTS = 5_000;

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}

/**
 * One shard of the suppression list (`suppression-list-<task queue>-<shard>`, see
 * domain/suppression.ts): the addresses of that shard that unsubscribed or bounced, held
 * durably by a long-running workflow. Campaign batches ask it before sending;
 * the unsubscribe endpoint and bounce handling add to it with signal-with-start, so the
 * first opt-out creates it. It continues-as-new carrying the list, so its history stays
 * small; the shard's list rides in the workflow input, which holds some 20,000 entries
 * within Temporal's 2 MB payload limit (16 shards: some 320,000 addresses).
 */
export async function suppressionListWorkflow(input: SuppressionListInput = {}): Promise<void> {
  let list: SuppressionList = input.entries ?? {};

  const add = (raw: unknown) => {
    const result = suppress(list, raw, nowIso());
    list = result.list;
    return list[String((raw as { email?: unknown }).email ?? '').trim().toLowerCase()]!;
  };
  setHandler(suppressSignal, (raw) => {
    try {
      add(raw);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      log.warn('dropped a malformed suppression', { error: err.message });
    }
  });
  setHandler(suppressUpdate, (raw) => add(raw), { validator: (raw) => void suppress(list, raw, nowIso()) });
  setHandler(getSuppressed, (emails) => suppressedAmong(list, emails));
  setHandler(listSuppressed, () => Object.values(list));

  await condition(() => workflowInfo().historyLength > CONTINUE_AS_NEW_AFTER_EVENTS || workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  await continueAsNew<typeof suppressionListWorkflow>({ entries: list });
}
