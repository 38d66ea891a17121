import {
  condition,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { TaskCompletionSchema } from '../../domain/pipeline/commands';
import { parseOrThrow } from '../../domain/shared/errors';
import { customerIdOf } from '../../domain/customer/customer';
import { taskEscalationMail, taskOverdueMail, type TaskCustomer, type TaskProspect } from '../../domain/pipeline/notifications';
import type { OutboundMail } from '../../domain/pipeline/prospect';
import type { TaskChange } from '../../domain/tasks/tasks';
import { taskChanged } from '../pipeline/contract';
import { TASK_GENERATION, TaskSA, completeTaskUpdate, getTask, taskControl, taskSearchAttributes, type TaskView } from './contract';
import { startedWithSearchAttribute } from '../shared/searchAttributes';
import { codeGeneration, patchedBefore, runGeneration } from '../shared/generations';

export interface TaskWorkflowInput {
  task: TaskView;
  /** The prospect workflow that owns the task; told of every change. */
  parentWorkflowId: string;
  repEmail?: string;
  manager?: { id: string; email: string };
  /** Recorded in older histories; no longer read (workflows/shared/searchAttributes.ts). */
  searchAttributes?: boolean;
  /** The zone the task's mails show times in (the prospect's process); UTC when absent. */
  timeZone?: string;
  /** A post-sales task's account (it has no prospect), named in its mails. */
  customer?: TaskCustomer;
  /** A pipeline task's prospect, named in its mails (absent on starts from before it was passed: the id alone). */
  prospect?: TaskProspect;
  /** The code generation it was started in (workflows/shared/generations.ts); absent on starts from before generations. */
  generation?: number;
}

/**
 * The account a post-sales task's mails name: given by the account, or (tasks started before
 * the account passed it) read from the parent's id, `customer-<id>`.
 */
function customerOfTask(input: TaskWorkflowInput): TaskCustomer | undefined {
  if (input.customer) return input.customer;
  if (input.task.prospectId || !input.parentWorkflowId.startsWith('customer-')) return undefined;
  return { id: customerIdOf(input.parentWorkflowId) };
}

const { sendMail } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/**
 * One rep task (`task-<id>`): visible in the rep's inbox through its search attributes,
 * reminding the rep when it is past due and escalating to the manager after that, until
 * the rep completes it or the prospect cancels it.
 */
export async function taskWorkflow(input: TaskWorkflowInput): Promise<TaskView> {
  let task: TaskView = { ...input.task };
  // A reassignment changes who is reminded and who hears of an escalation.
  let repEmail = input.repEmail;
  let manager = input.manager;
  let completedBy: string | undefined;
  let version = 0;
  const parent = getExternalWorkflowHandle(input.parentWorkflowId);
  const indexed = startedWithSearchAttribute(TaskSA.state);
  const nowIso = () => new Date(Date.now()).toISOString();
  // Since this patch a task reports a deadline to its prospect before mailing about it, with
  // the due time the report refers to, and closes itself when its prospect is gone.
  // Tasks started in generation 1 or later take both behaviours without a marker.
  const generation = runGeneration(codeGeneration(input.generation, TASK_GENERATION, 'task'), 'task-report-first');
  const reportFirst = patchedBefore(generation, 1, 'task-report-first');
  // Only the mails' text depends on it: no command changes, so old histories replay.
  const customer = customerOfTask(input);
  // Since this patch an escalation goes to the manager a reassignment named, not the one the
  // task started with (whether a mail goes out at all may differ, so runs before it keep the
  // old rule). The mails' time zone is text only and applies to every run.
  const currentManager = patchedBefore(generation, 1, 'task-escalate-current-manager');

  /** Tells the prospect; false when the prospect's workflow no longer runs. */
  const tellParent = async (notified?: string, deadline?: { forDueAt: string; deadlineAt?: string }): Promise<boolean> => {
    const change: TaskChange = {
      taskId: task.id,
      state: task.state,
      at: task.doneAt ?? nowIso(),
      outcome: task.outcome,
      note: task.note,
      by: completedBy,
      notified,
      ...(reportFirst ? { rep: task.rep, ...deadline } : {}),
    };
    try {
      await parent.signal(taskChanged, change);
      return true;
    } catch (err) {
      // A prospect that no longer runs cannot be told; the task's own history keeps it.
      log.warn('could not report to the prospect', { task: task.id, error: (err as Error).message });
      return false;
    }
  };

  const active = () => task.state === 'open' || task.state === 'overdue' || task.state === 'escalated';

  setHandler(getTask, () => task);
  setHandler(
    completeTaskUpdate,
    (raw) => {
      // The validator refused anything malformed; the handler applies what it accepted (on
      // replay, what it accepted then) and reads it so that nothing here can throw.
      const completion = (raw ?? {}) as { outcome?: unknown; note?: unknown; by?: unknown };
      const text = (value: unknown) => (typeof value === 'string' ? value.trim() : undefined);
      task = { ...task, state: 'done', doneAt: nowIso(), outcome: text(completion.outcome) ?? '', note: text(completion.note) || undefined };
      completedBy = text(completion.by);
      version++;
      return task;
    },
    {
      validator: (raw) => {
        if (!active()) throw new Error(`task ${task.id} is already ${task.state}`);
        // The handler applies the accepted completion without checking again, so histories
        // recorded before this rule replay unchanged.
        parseOrThrow(TaskCompletionSchema, raw, 'task completion');
      },
    },
  );
  let fromParent = false;
  setHandler(taskControl, (control) => {
    if (!active()) return;
    if (control.rep && control.rep !== task.rep) {
      task = { ...task, rep: control.rep };
      repEmail = control.repEmail;
      manager = control.manager ?? manager;
    }
    if (control.state) {
      task = { ...task, state: control.state, doneAt: nowIso(), ...(control.outcome ? { outcome: control.outcome } : {}) };
      fromParent = true;
    } else if (control.dueAt && control.dueAt !== task.dueAt) {
      // A moved call: the task starts over from its new due time.
      task = { ...task, dueAt: control.dueAt, escalateAt: control.escalateAt ?? task.escalateAt, state: 'open', remindedAt: undefined, escalatedAt: undefined };
    }
    // A new title (a moved call's time): the inboxes read it from the memo. Histories from
    // before prospects sent titles carry none in their signals, so they replay without this.
    if (control.title && control.title !== task.title) {
      task = { ...task, title: control.title };
      upsertMemo({ title: control.title });
    }
    version++;
  });

  const publish = () => {
    if (!indexed) return;
    upsertSearchAttributes(taskSearchAttributes(task, active()));
  };

  const send = async (mail: OutboundMail | undefined) => {
    if (!mail) return;
    try {
      await sendMail(mail);
    } catch (err) {
      log.warn('task mail permanently refused', { messageId: mail.messageId, error: (err as Error).message });
    }
  };

  while (active()) {
    publish();
    const seen = version;
    const next = task.state === 'open' ? task.dueAt : task.state === 'overdue' ? task.escalateAt : undefined;
    if (next === undefined && reportFirst) {
      // Escalated: nothing more falls due, so look in on the prospect once per escalation
      // interval; a task whose prospect is gone must not sit in an inbox forever.
      const every = Math.max(Date.parse(task.escalateAt) - Date.parse(task.dueAt), 1_000);
      if (await condition(() => version !== seen, every)) continue;
      if (!(await tellParent(undefined, { forDueAt: task.dueAt }))) {
        task = { ...task, state: 'cancelled', doneAt: nowIso(), outcome: 'the prospect no longer runs' };
        fromParent = true;
      }
      continue;
    }
    const changed =
      next === undefined ? (await condition(() => version !== seen), true) : await condition(() => version !== seen, Math.max(Date.parse(next) - Date.now(), 0));
    if (changed) continue;
    if (reportFirst) {
      // Each deadline in its own order, however late the worker comes back: the overdue
      // reminder, then (on the next round, at once if its time has passed) the escalation.
      const forDueAt = task.dueAt;
      const deadlineAt = task.state === 'open' ? task.dueAt : task.escalateAt;
      const escalating = task.state === 'overdue';
      task = escalating ? { ...task, state: 'escalated', escalatedAt: nowIso() } : { ...task, state: 'overdue', remindedAt: nowIso() };
      const escalateTo = currentManager ? manager : input.manager;
      const notified = escalating ? escalateTo?.id : task.rep;
      if (!(await tellParent(notified, { forDueAt, deadlineAt }))) {
        // The prospect is gone (closed or deleted): nobody is left to act on this task.
        task = { ...task, state: 'cancelled', doneAt: nowIso(), outcome: 'the prospect no longer runs' };
        fromParent = true;
        break;
      }
      // The Message-ID names the due time, so a rescheduled task's reminder is a new mail.
      const mail = escalating
        ? escalateTo
          ? taskEscalationMail(task, escalateTo.email, repEmail, input.timeZone, customer, input.prospect)
          : undefined
        : repEmail
          ? taskOverdueMail(task, repEmail, input.timeZone, customer, input.prospect)
          : undefined;
      await send(mail);
      continue;
    }
    if (task.state === 'open') {
      task = { ...task, state: 'overdue', remindedAt: nowIso() };
      await send(repEmail ? taskOverdueMail(task, repEmail, input.timeZone, customer, input.prospect) : undefined);
      await tellParent(task.rep);
    } else if (task.state === 'overdue') {
      task = { ...task, state: 'escalated', escalatedAt: nowIso() };
      await send(manager ? taskEscalationMail(task, manager.email, repEmail, input.timeZone, customer, input.prospect) : undefined);
      await tellParent(manager?.id);
    }
  }
  publish();
  if (!fromParent) await tellParent();
  return task;
}
