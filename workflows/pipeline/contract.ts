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
import type { AssignRequest, Assignment, Publish, PublishedVersion, RegistryState } from '../../domain/process/registry';
import type { CommandName } from '../../domain/pipeline/lifecycle';
import type { CommandResult, ProspectState } from '../../domain/pipeline/prospect';

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

// ---- task workflow ----

export interface TaskCompletion {
  outcome: string;
  note?: string;
  by?: string;
}

/** The rep completes a task; refused when it is already done or cancelled. */
export const completeTaskUpdate = defineUpdate<TaskView, [TaskCompletion]>('complete');
export const getTask = defineQuery<TaskView>('getTask');
/**
 * The prospect tells its task of changes made there (call moved, query answered, prospect
 * closed, task reassigned: `rep` with the new rep's address and manager).
 */
export const taskControl = defineSignal<[TaskControl]>('taskControl');
export interface TaskControl {
  state?: 'done' | 'cancelled';
  dueAt?: string;
  escalateAt?: string;
  outcome?: string;
  /** The rep the task belongs to now (a reassignment), where their mail goes, and their manager. */
  rep?: string;
  repEmail?: string;
  manager?: { id: string; email: string };
}

export interface TaskView {
  id: string;
  prospectId: string;
  kind: string;
  title: string;
  rep: string;
  dueAt: string;
  escalateAt: string;
  state: 'open' | 'overdue' | 'escalated' | 'done' | 'cancelled';
  createdAt: string;
  doneAt?: string;
  outcome?: string;
  note?: string;
  remindedAt?: string;
  escalatedAt?: string;
}

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

// ---- process registry workflow ----

export const publishProcess = defineUpdate<PublishedVersion, [Publish]>('publish');
export const assignRep = defineUpdate<Assignment, [AssignRequest]>('assign');
export const getRegistry = defineQuery<RegistryState>('getRegistry');
export const getProcessVersion = defineQuery<PublishedVersion, [number | undefined]>('getProcessVersion');
