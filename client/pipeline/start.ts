import type { Client } from '@temporalio/client';
import type { LogContact } from '../../domain/pipeline/commands';
import type { ProspectState } from '../../domain/pipeline/prospect';
import {
  PROSPECT_GENERATION,
  PROSPECT_WORKFLOW_TYPE,
  contactObserved,
  prospectMemo,
  prospectStartSearchAttributes,
  prospectWorkflowId,
} from '../../workflows/pipeline/contract';
import type { prospectWorkflow } from '../../workflows/pipeline/prospect';
import { startSearchAttributes } from '../shared/visibility';

/**
 * The one way a prospect's workflow is started, for every caller (the CLI's facade, the
 * campaign activity that turns new leads into prospects, the HTTP API). `initial` is the
 * prospect as `newProspect` validated it.
 */
function prospectStartOptions(initial: ProspectState, taskQueue: string) {
  // The current generation: the run takes every behaviour of this code without a marker.
  const args: Parameters<typeof prospectWorkflow> = [{ info: initial.info, process: initial.process, generation: PROSPECT_GENERATION }];
  return {
    workflowId: prospectWorkflowId(initial.info.id),
    taskQueue,
    args,
    // Two racing starts end up with one workflow, never an error or a duplicate.
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    memo: prospectMemo(initial),
    ...startSearchAttributes(prospectStartSearchAttributes(initial)),
  };
}

/** Starts the prospect, or finds it running (idempotent). */
export function startProspect(client: Client, taskQueue: string, initial: ProspectState) {
  return client.workflow.start<typeof prospectWorkflow>(PROSPECT_WORKFLOW_TYPE, prospectStartOptions(initial, taskQueue));
}

/**
 * Starts the prospect only if no prospect of that id ever ran: refused with
 * `WorkflowExecutionAlreadyStartedError` when one runs or ran (so a create answers with the
 * existing prospect after one call, not a lookup first and a start after).
 */
export function startNewProspect(client: Client, taskQueue: string, initial: ProspectState) {
  return client.workflow.start<typeof prospectWorkflow>(PROSPECT_WORKFLOW_TYPE, {
    ...prospectStartOptions(initial, taskQueue),
    workflowIdConflictPolicy: 'FAIL',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
}

/** Logs the contact on the prospect, starting it first when there is none (idempotent). */
export function startProspectWithContact(client: Client, taskQueue: string, initial: ProspectState, contact: LogContact) {
  return client.workflow.signalWithStart<typeof prospectWorkflow, [LogContact]>(PROSPECT_WORKFLOW_TYPE, {
    ...prospectStartOptions(initial, taskQueue),
    signal: contactObserved,
    signalArgs: [contact],
  });
}
