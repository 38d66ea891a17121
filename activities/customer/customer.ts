import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { customerWorkflowId, type DealClosed } from '../../domain/customer/customer';
import { newProspect } from '../../domain/pipeline/lifecycle';
import type { ProspectInfoInput } from '../../domain/pipeline/prospect';
import type { ProcessDefinitionInput } from '../../domain/process/process';
import { DomainError } from '../../domain/shared/errors';
import { bookWonDeal } from '../../client/customer/start';
import { startProspect } from '../../client/pipeline/start';
import { dealClosed, referralClosed, type DealClosedInput } from '../../workflows/customer/contract';

export interface CustomerActivityDeps {
  /** The worker's own Temporal client (the deployment is the activity's task queue). */
  temporal: Client;
}

export type { DealClosedInput };

/**
 * Books a closed deal: a won one on its account (made when it is the first), a lost one on
 * the account it was a repeat deal of; either is credited to the customer that referred it.
 * Idempotent (the account ignores a deal it has closed already), so a retry changes nothing.
 * For the activity and for the worker's deal sink (worker/dealReportSink.ts).
 */
export async function bookClosedDeal(temporal: Client, taskQueue: string, input: DealClosedInput, warn: (message: string, meta: Record<string, unknown>) => void): Promise<void> {
  const { deal } = input;
  if (deal.outcome === 'won') {
    await bookWonDeal(
      temporal,
      taskQueue,
      { customer: { id: deal.customerId, name: deal.info.company ?? deal.info.name, owner: deal.rep, ...(deal.referredBy ? { referredBy: deal.referredBy } : {}) }, process: input.process },
      deal,
    );
  } else {
    await tell(temporal, deal.customerId, dealClosed, deal);
  }
  if (deal.referredBy && !(await tell(temporal, deal.referredBy, referralClosed, deal))) {
    warn('the referring customer has no running account', { referrer: deal.referredBy, prospect: deal.prospectId });
  }
}

/** Signals a running account; false when there is none (a lost deal of no account). */
async function tell(temporal: Client, customerId: string, signal: typeof dealClosed, deal: DealClosed): Promise<boolean> {
  try {
    await temporal.workflow.getHandle(customerWorkflowId(customerId)).signal(signal, deal);
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/**
 * The customer area's side effects: a closed deal is booked on its account (made when a
 * first deal is won) and credited to the customer that referred it; and the prospects an
 * account asks for are started. Both are idempotent, so a retry changes nothing.
 */
export function createCustomerActivities(deps: CustomerActivityDeps) {
  const { temporal } = deps;

  return {
    async reportDealClosed(input: DealClosedInput): Promise<void> {
      await bookClosedDeal(temporal, Context.current().info.taskQueue, input, (message, meta) => log.warn(message, meta));
    },

    /** Starts a prospect an account asked for; an existing one is left as it is. */
    async startDealProspect(input: { info: ProspectInfoInput; process: ProcessDefinitionInput }): Promise<void> {
      let initial;
      try {
        initial = newProspect(input.info, input.process, new Date().toISOString());
      } catch (err) {
        if (err instanceof DomainError) throw ApplicationFailure.nonRetryable(err.message, 'DomainError');
        throw err;
      }
      await startProspect(temporal, Context.current().info.taskQueue, initial);
    },
  };
}
