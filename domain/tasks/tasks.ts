import { z } from 'zod';
import { taskMail } from '../pipeline/notifications';
import { addOffset, type Offset } from '../process/offset';
import { teamOf, type TaskKind } from '../process/process';
import { TASK_STATES, isActiveTask, type ProspectState, type RepTask } from '../pipeline/prospect';
import type { Stage } from '../pipeline/stages';
import { shareable } from '../shared/shareable';

/**
 * Rep tasks: created from the process's templates when a prospect enters a stage (and by
 * calls, support queries and expired quotations), mailed to the rep, and then run by a
 * task workflow that reminds, escalates and records completion. This module holds the
 * rules; the workflows hold the timers.
 */

export interface NewTask {
  kind: TaskKind;
  title: string;
  rep: string;
  dueAt: string;
  escalateAfter: Offset;
  ref?: string;
  /** Lines the task's mail carries below its facts (what a customer wrote), not kept on the task. */
  mailDetail?: readonly string[];
}

/** `{{name}}`, `{{company}}`, `{{id}}` in a template title, from the prospect. */
export function renderTitle(title: string, state: ProspectState): string {
  const values: Record<string, string> = { name: state.info.name, company: state.info.company ?? state.info.name, id: state.info.id };
  return title.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => values[key] ?? whole);
}

export function addTask(state: ProspectState, task: NewTask, now: string): ProspectState {
  const record: RepTask = {
    id: `${state.info.id}-T${state.nextTaskNo}`,
    kind: task.kind,
    title: task.title,
    rep: task.rep,
    dueAt: task.dueAt,
    escalateAt: addOffset(task.dueAt, task.escalateAfter),
    state: 'open',
    createdAt: now,
    ...(task.ref ? { ref: task.ref } : {}),
  };
  const mail = taskMail(state, record, task.mailDetail);
  return {
    ...state,
    tasks: [...state.tasks, record],
    nextTaskNo: state.nextTaskNo + 1,
    outbox: mail ? [...state.outbox, mail] : state.outbox,
    changes: [...state.changes, { at: now, by: 'system', what: `task ${record.id} for ${record.rep}: ${record.title} (due ${record.dueAt})` }],
  };
}

/** The tasks the process's templates ask for when the prospect enters `stage`. */
export function addStageTasks(state: ProspectState, stage: Stage | 'qualified', now: string): ProspectState {
  const templates = state.process.tasks[stage] ?? [];
  return templates.reduce(
    (current, template) =>
      addTask(
        current,
        {
          kind: template.kind,
          title: renderTitle(template.title, current),
          rep: current.info.rep,
          dueAt: addOffset(now, template.due),
          escalateAfter: template.escalateAfter,
        },
        now,
      ),
    state,
  );
}

/** Creates the stage's tasks when a command moved the prospect into a new stage. */
export function onStageEntered(before: ProspectState, after: ProspectState, now: string): ProspectState {
  return after.stage === before.stage ? after : addStageTasks(cancelTasksIfClosed(after, now), after.stage, now);
}

function cancelTasksIfClosed(state: ProspectState, now: string): ProspectState {
  if (state.stage !== 'won' && state.stage !== 'lost') return state;
  return {
    ...state,
    tasks: state.tasks.map((t) => (isActiveTask(t) ? { ...t, state: 'cancelled' as const, doneAt: now } : t)),
  };
}

/** What a task workflow reports back to its prospect. */
export const TaskChangeSchema = shareable(z.object({
  taskId: z.string().min(1),
  state: z.enum(TASK_STATES),
  at: z.string(),
  outcome: z.string().optional(),
  note: z.string().optional(),
  by: z.string().optional(),
  /** Who was told: the rep (overdue) or the manager (escalated). */
  notified: z.string().optional(),
  /**
   * The task's due time as the task workflow knew it when it reported. A report about a due
   * time the prospect has since moved (or a task it has cancelled) is stale and ignored.
   * Absent in reports from before the check.
   */
  forDueAt: z.string().optional(),
  /** When the deadline reported (overdue or escalation) fell due, for the record. */
  deadlineAt: z.string().optional(),
  /** The rep the task workflow had when it reported. */
  rep: z.string().optional(),
}));
export type TaskChange = z.infer<typeof TaskChangeSchema>;

/** A report about a due time or rep the prospect has changed since: the prospect's side wins. */
export function isStaleTaskChange(task: RepTask, change: TaskChange): boolean {
  if (change.state !== 'overdue' && change.state !== 'escalated') return false;
  return (change.forDueAt !== undefined && change.forDueAt !== task.dueAt) || (change.rep !== undefined && change.rep !== task.rep);
}

/** Mirrors a task workflow's change on the prospect; escalations go on its record. */
export function applyTaskChange(state: ProspectState, change: TaskChange): ProspectState {
  const task = state.tasks.find((t) => t.id === change.taskId);
  if (!task || task.state === change.state || !isActiveTask(task) || isStaleTaskChange(task, change)) return state;
  const updated: RepTask = {
    ...task,
    state: change.state,
    ...(change.state === 'done' || change.state === 'cancelled' ? { doneAt: change.at } : {}),
    ...(change.outcome ? { outcome: change.outcome } : {}),
    ...(change.note ? { note: change.note } : {}),
  };
  const escalation =
    change.state === 'overdue' || change.state === 'escalated'
      ? [
          {
            at: change.at,
            ...(change.deadlineAt ? { dueAt: change.deadlineAt } : {}),
            kind: change.state === 'overdue' ? ('task_overdue' as const) : ('task_escalated' as const),
            taskId: task.id,
            to: change.notified ?? (change.state === 'overdue' ? task.rep : (teamOf(state.process, task.rep)?.manager.id ?? 'manager')),
          },
        ]
      : [];
  const what =
    change.state === 'done'
      ? `completed task ${task.id}: ${change.outcome ?? ''}`
      : change.state === 'escalated'
        ? `task ${task.id} escalated to ${change.notified ?? teamOf(state.process, task.rep)?.manager.id ?? 'manager'}`
        : `task ${task.id} is ${change.state}`;
  return {
    ...state,
    tasks: state.tasks.map((t) => (t.id === task.id ? updated : t)),
    escalations: [...state.escalations, ...escalation],
    changes: [...state.changes, { at: change.at, by: change.by ?? 'system', what }],
  };
}

/** Task ids look like `acme-T3`; the prospect id is everything before the last `-T`. */
export function prospectOfTask(taskId: string): string | undefined {
  return /^(.+)-T\d+$/.exec(taskId)?.[1];
}

/** A post-sales task's id looks like `rho-mills-C1`; the account id is everything before the last `-C`. */
export function customerOfTask(taskId: string): string | undefined {
  return /^(.+)-C\d+$/.exec(taskId)?.[1];
}
