import { defineSearchAttributeKey, type SearchAttributePair } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  AcceptQuote,
  ChangeInquiry,
  ChangeQuote,
  RefreshQuote,
  CompleteTask,
  CreateInquiry,
  CreateQuote,
  LogContact,
  MarkLost,
  Qualify,
  RejectQuote,
  CustomerMessage,
  SendQuote,
  ScheduleCall,
  RescheduleCall,
  CancelCall,
  CompleteCall,
  OpenSupportQuery,
  AnswerSupportQuery,
  MigrateProcess,
  Reassign,
} from '../../domain/pipeline/commands';
import type { TaskChange } from '../../domain/tasks/tasks';
import type { CommandName } from '../../domain/pipeline/lifecycle';
import { prospectIdOf, prospectWorkflowId, type CommandResult, type ProspectState } from '../../domain/pipeline/prospect';

/**
 * The pipeline's Temporal contract: what a caller needs to find, start and talk to a
 * prospect's workflow (`prospectWorkflow`, id `prospect-<id>`). Bundle-safe: workflow code,
 * activities and clients all import it. (The id itself is built in the domain, where
 * Message-IDs are derived from it.)
 */
export { prospectIdOf, prospectWorkflowId };

/** The prospect's workflow type, for visibility queries (starts go by the function's type). */
export const PROSPECT_WORKFLOW_TYPE = 'prospectWorkflow';

/**
 * The code generation a prospect starts in (workflows/shared/generations.ts): every start
 * puts it in the input, and the run takes every behaviour patched in before it without a
 * marker. 6: everything up to 'lean-history-5'. 7: also one deadline timer kept while the
 * deadline stays or moves later (workflows/shared/deadlineTimer.ts). 8: the read model fed by
 * the loop at each round rather than beside it (InTaskReadModelFeed in
 * workflows/reporting/readModelFeed.ts). Raise it (and record a history) when a new run should
 * take behaviours patched in since without asking, or change what its code does.
 */
export const PROSPECT_GENERATION = 8;

/**
 * Everything a person lists or filters prospects by lives in visibility, so inboxes and
 * pipeline lists need no second database. The dev server allows 10 Keyword and 3 each of
 * Datetime/Double/Int attributes per namespace; these are chosen to leave room. Task
 * workflows reuse SalesRep and NextDueTime.
 */
export const ProspectSA = {
  stage: defineSearchAttributeKey('SalesStage', 'KEYWORD'),
  rep: defineSearchAttributeKey('SalesRep', 'KEYWORD'),
  quoteTotal: defineSearchAttributeKey('QuoteTotal', 'DOUBLE'),
  nextDue: defineSearchAttributeKey('NextDueTime', 'DATETIME'),
  process: defineSearchAttributeKey('SalesProcess', 'KEYWORD'),
  processVersion: defineSearchAttributeKey('SalesProcessVersion', 'INT'),
} as const;

/** What a new prospect is listed by from its first moment (the workflow keeps them current). */
export function prospectStartSearchAttributes(initial: ProspectState): SearchAttributePair[] {
  return [
    { key: ProspectSA.stage, value: initial.stage },
    { key: ProspectSA.rep, value: initial.info.rep },
    { key: ProspectSA.process, value: initial.process.name },
    { key: ProspectSA.processVersion, value: initial.process.version },
  ];
}

/** Shown in lists without waking the workflow. */
export function prospectMemo(initial: ProspectState): Record<string, string> {
  return { name: initial.info.name, company: initial.info.company ?? '' };
}

/**
 * Every message a prospect workflow understands. Commands that can be refused are updates
 * (their validators run the domain rules, so a refusal leaves no trace in history); reads
 * are queries; facts that cannot be refused are signals.
 */

/**
 * Each update answers with a small result (version, stage, what changed), not the prospect:
 * results are written to history, and a years-long prospect must not copy itself into it on
 * every command. Histories from before hold the whole prospect as the result.
 */
export const prospectUpdates = {
  logContact: defineUpdate<CommandResult, [LogContact]>('logContact'),
  qualify: defineUpdate<CommandResult, [Qualify]>('qualify'),
  createInquiry: defineUpdate<CommandResult, [CreateInquiry]>('createInquiry'),
  changeInquiry: defineUpdate<CommandResult, [ChangeInquiry]>('changeInquiry'),
  createQuote: defineUpdate<CommandResult, [CreateQuote]>('createQuote'),
  changeQuote: defineUpdate<CommandResult, [ChangeQuote]>('changeQuote'),
  refreshQuote: defineUpdate<CommandResult, [RefreshQuote]>('refreshQuote'),
  sendQuote: defineUpdate<CommandResult, [SendQuote]>('sendQuote'),
  acceptQuote: defineUpdate<CommandResult, [AcceptQuote]>('acceptQuote'),
  rejectQuote: defineUpdate<CommandResult, [RejectQuote]>('rejectQuote'),
  customerMessage: defineUpdate<CommandResult, [CustomerMessage]>('customerMessage'),
  markLost: defineUpdate<CommandResult, [MarkLost]>('markLost'),
  completeTask: defineUpdate<CommandResult, [CompleteTask]>('completeTask'),
  scheduleCall: defineUpdate<CommandResult, [ScheduleCall]>('scheduleCall'),
  rescheduleCall: defineUpdate<CommandResult, [RescheduleCall]>('rescheduleCall'),
  cancelCall: defineUpdate<CommandResult, [CancelCall]>('cancelCall'),
  completeCall: defineUpdate<CommandResult, [CompleteCall]>('completeCall'),
  openSupportQuery: defineUpdate<CommandResult, [OpenSupportQuery]>('openSupportQuery'),
  answerSupportQuery: defineUpdate<CommandResult, [AnswerSupportQuery]>('answerSupportQuery'),
  migrateProcess: defineUpdate<CommandResult, [MigrateProcess]>('migrateProcess'),
  reassign: defineUpdate<CommandResult, [Reassign]>('reassign'),
} as const satisfies Record<CommandName, unknown>;

/** Why moving to the given definition would be refused (null when it is safe): migrate --dry-run. */
export const checkMigration = defineQuery<string | null, [unknown]>('checkMigration');

/** A task workflow reports a change of its task (overdue, escalated, done, cancelled). */
export const taskChanged = defineSignal<[TaskChange]>('taskChanged');

export const getProspect = defineQuery<ProspectState>('getProspect');

/**
 * A contact the system observed (a campaign mail went out, a reply arrived). It is a fact,
 * so a signal: it cannot be refused, and a malformed one is logged and dropped.
 */
export const contactObserved = defineSignal<[LogContact]>('contactObserved');

/**
 * Several observed contacts in one signal (an import of a contact history, a batch of
 * replies): one history event instead of one per contact. Malformed entries are dropped
 * one by one, like `contactObserved`.
 */
export const contactsObserved = defineSignal<[LogContact[]]>('contactsObserved');
