import { defineSearchAttributeKey, type SearchAttributePair } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate, proxySinks, type Sinks } from '@temporalio/workflow';
import type { ProcessDefinitionInput } from '../../domain/process/process';
import type { CustomerCommandName } from '../../domain/customer/commands';
import { customerIdOf, customerWorkflowId, type CustomerState, type DealClosed } from '../../domain/customer/customer';
import { ProspectSA, taskChanged } from '../pipeline/contract';

/**
 * The customer area's Temporal contract: one long-lived workflow per account
 * (`customerWorkflow`, id `customer-<id>`), made or found when a deal is won
 * (client/customer/start.ts). Bundle-safe.
 */
export { customerIdOf, customerWorkflowId, taskChanged };

export const CUSTOMER_WORKFLOW_TYPE = 'customerWorkflow';

/**
 * The code generation an account starts in (workflows/shared/generations.ts). 1: every
 * behaviour patched in up to 'one-open-check-in', without a marker. 2: also one deadline
 * timer kept while the deadline moves later (workflows/shared/deadlineTimer.ts), instead of
 * a timer started and cancelled at every wake. 3: also 'one-open-renewal-reminder' (a second
 * renewal reminder while the owner's renewal task is open raises no second task).
 */
export const CUSTOMER_GENERATION = 3;

/**
 * Accounts are listed by owner (SalesRep), what is due next (NextDueTime, shared with
 * prospects and tasks) and their soonest contract end (NextRenewalTime: the renewals list).
 */
export const CustomerSA = {
  owner: ProspectSA.rep,
  nextDue: ProspectSA.nextDue,
  nextRenewal: defineSearchAttributeKey('NextRenewalTime', 'DATETIME'),
} as const;

export function customerStartSearchAttributes(owner: string): SearchAttributePair[] {
  return [{ key: CustomerSA.owner, value: owner }];
}

/** What an account command answers: small, as every result is written to history. */
export interface CustomerCommandResult {
  /** How many entries the account's record has ever had. */
  changeNo: number;
  summary: string;
  /** What the command made: a prospect id (deal, referral), a query id, a repair task. */
  ref?: string;
}

export const customerUpdates = {
  logContact: defineUpdate<CustomerCommandResult, [unknown]>('logContact'),
  recordSatisfaction: defineUpdate<CustomerCommandResult, [unknown]>('recordSatisfaction'),
  changeProfile: defineUpdate<CustomerCommandResult, [unknown]>('changeProfile'),
  openDeal: defineUpdate<CustomerCommandResult, [unknown]>('openDeal'),
  addReferral: defineUpdate<CustomerCommandResult, [unknown]>('addReferral'),
  renewContract: defineUpdate<CustomerCommandResult, [unknown]>('renewContract'),
  declineRenewal: defineUpdate<CustomerCommandResult, [unknown]>('declineRenewal'),
  recordOrder: defineUpdate<CustomerCommandResult, [unknown]>('recordOrder'),
  openSupportQuery: defineUpdate<CustomerCommandResult, [unknown]>('openSupportQuery'),
  answerSupportQuery: defineUpdate<CustomerCommandResult, [unknown]>('answerSupportQuery'),
  migrateProcess: defineUpdate<CustomerCommandResult, [unknown]>('migrateProcess'),
} as const satisfies Record<CustomerCommandName, unknown>;

export const getCustomer = defineQuery<CustomerState>('getCustomer');

/** A deal of this account closed (won or lost); a won first deal starts the account. */
export const dealClosed = defineSignal<[DealClosed]>('dealClosed');

/** A prospect this customer referred closed; a win is credited here. */
export const referralClosed = defineSignal<[DealClosed]>('referralClosed');

/** A closed deal as a prospect reports it: the deal, and its process (a new account runs on it). */
export interface DealClosedInput {
  deal: DealClosed;
  process: ProcessDefinitionInput;
}

/**
 * How prospects of the 'lean-history-5' generation report a closed deal: within the workflow
 * task that closed it, through a sink, as the read model is written (../reporting/contract.ts).
 * The worker awaits the sink before it completes the task and skips it on replay, so the
 * account has the deal before the close is in the history; a report that fails is handed
 * back by `dealReportMissed`, and the prospect then reports through the retried activity
 * `reportDealClosed`, as runs before did. Nothing of it is in the history unless that happens.
 */
export interface DealReportSinks extends Sinks {
  deals: {
    closed(input: DealClosedInput): void;
  };
}

export const { deals } = proxySinks<DealReportSinks>();

/** The worker could not book what the prospect handed its deal sink: report through the activity. */
export const dealReportMissed = defineSignal<[{ error: string }]>('dealReportMissed');
