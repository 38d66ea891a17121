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
} from '../domain/commands';
import type { TaskChange } from '../domain/tasks';
import type { AssignRequest, Assignment, Publish, PublishedVersion, RegistryState } from '../domain/registry';
import type { CommandName } from '../domain/lifecycle';
import type { ProspectState } from '../domain/prospect';

/**
 * Every message a prospect workflow understands. Commands that can be refused are updates
 * (their validators run the domain rules, so a refusal leaves no trace in history); reads
 * are queries; facts that cannot be refused are signals.
 */

/** Each update returns the prospect as it stands after the command. */
export const prospectUpdates = {
  logContact: defineUpdate<ProspectState, [LogContact]>('logContact'),
  qualify: defineUpdate<ProspectState, [Qualify]>('qualify'),
  createInquiry: defineUpdate<ProspectState, [CreateInquiry]>('createInquiry'),
  changeInquiry: defineUpdate<ProspectState, [ChangeInquiry]>('changeInquiry'),
  createQuote: defineUpdate<ProspectState, [CreateQuote]>('createQuote'),
  changeQuote: defineUpdate<ProspectState, [ChangeQuote]>('changeQuote'),
  refreshQuote: defineUpdate<ProspectState, [RefreshQuote]>('refreshQuote'),
  sendQuote: defineUpdate<ProspectState, [SendQuote]>('sendQuote'),
  acceptQuote: defineUpdate<ProspectState, [AcceptQuote]>('acceptQuote'),
  rejectQuote: defineUpdate<ProspectState, [RejectQuote]>('rejectQuote'),
  markLost: defineUpdate<ProspectState, [MarkLost]>('markLost'),
  completeTask: defineUpdate<ProspectState, [CompleteTask]>('completeTask'),
  scheduleCall: defineUpdate<ProspectState, [ScheduleCall]>('scheduleCall'),
  rescheduleCall: defineUpdate<ProspectState, [RescheduleCall]>('rescheduleCall'),
  cancelCall: defineUpdate<ProspectState, [CancelCall]>('cancelCall'),
  completeCall: defineUpdate<ProspectState, [CompleteCall]>('completeCall'),
  openSupportQuery: defineUpdate<ProspectState, [OpenSupportQuery]>('openSupportQuery'),
  answerSupportQuery: defineUpdate<ProspectState, [AnswerSupportQuery]>('answerSupportQuery'),
  migrateProcess: defineUpdate<ProspectState, [MigrateProcess]>('migrateProcess'),
  reassign: defineUpdate<ProspectState, [Reassign]>('reassign'),
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

// ---- process registry workflow ----

export const publishProcess = defineUpdate<PublishedVersion, [Publish]>('publish');
export const assignRep = defineUpdate<Assignment, [AssignRequest]>('assign');
export const getRegistry = defineQuery<RegistryState>('getRegistry');
export const getProcessVersion = defineQuery<PublishedVersion, [number | undefined]>('getProcessVersion');
