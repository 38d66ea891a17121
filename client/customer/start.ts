import type { Client } from '@temporalio/client';
import type { DealClosed } from '../../domain/customer/customer';
import { CUSTOMER_GENERATION, CUSTOMER_WORKFLOW_TYPE, customerStartSearchAttributes, customerWorkflowId, dealClosed } from '../../workflows/customer/contract';
import type { CustomerWorkflowInput, customerWorkflow } from '../../workflows/customer/customer';
import { startSearchAttributes } from '../shared/visibility';

/**
 * The one way a customer account's workflow is started: with the deal that made it. A won
 * deal of an existing account is signalled to it; of a new one, starts it, in one call,
 * so two deals won at once end up in one account.
 */
export function bookWonDeal(client: Client, taskQueue: string, input: CustomerWorkflowInput, deal: DealClosed) {
  return client.workflow.signalWithStart<typeof customerWorkflow, [DealClosed]>(CUSTOMER_WORKFLOW_TYPE, {
    workflowId: customerWorkflowId(input.customer.id),
    taskQueue,
    // The current generation: the account takes every behaviour of this code without a marker.
    args: [{ ...input, generation: CUSTOMER_GENERATION }],
    memo: { name: input.customer.name },
    ...startSearchAttributes(customerStartSearchAttributes(input.customer.owner)),
    signal: dealClosed,
    signalArgs: [deal],
  });
}
