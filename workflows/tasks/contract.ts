import { defineSearchAttributeKey, type SearchAttributePair } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { TaskState } from '../../domain/pipeline/prospect';
import { ProspectSA } from '../pipeline/contract';

/**
 * The tasks area's Temporal contract: one workflow per rep task (`taskWorkflow`, id
 * `task-<task id>`), started by its prospect. Bundle-safe.
 */

export { taskIdOf, taskWorkflowId } from '../../domain/tasks/ids';

/** The task's workflow type, for visibility queries. */
export const TASK_WORKFLOW_TYPE = 'taskWorkflow';

/**
 * The code generation a task starts in (workflows/shared/generations.ts). 1: every behaviour
 * patched in up to 'task-escalate-current-manager', without a marker.
 */
export const TASK_GENERATION = 1;

/** A task's state; its rep and due time reuse the prospect's SalesRep and NextDueTime. */
export const TaskSA = {
  state: defineSearchAttributeKey('TaskState', 'KEYWORD'),
  rep: ProspectSA.rep,
  nextDue: ProspectSA.nextDue,
} as const;

/** What a rep's inbox lists a task by; `active`: still open, overdue or escalated (a closed task has no due time). */
export function taskSearchAttributes(task: Pick<TaskView, 'state' | 'rep' | 'dueAt'>, active = true): SearchAttributePair[] {
  return [
    { key: TaskSA.state, value: task.state },
    { key: TaskSA.rep, value: task.rep },
    { key: TaskSA.nextDue, value: active ? new Date(task.dueAt) : null },
  ] as SearchAttributePair[];
}

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
  /** The task's title as its prospect holds it now (a moved call's names the new time). */
  title?: string;
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
  state: TaskState;
  createdAt: string;
  doneAt?: string;
  outcome?: string;
  note?: string;
  remindedAt?: string;
  escalatedAt?: string;
}
