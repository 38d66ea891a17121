import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  condition,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { TaskCompletionSchema } from '../domain/commands';
import { parseOrThrow } from '../domain/errors';
import { taskEscalationMail, taskOverdueMail } from '../domain/notifications';
import type { OutboundMail } from '../domain/prospect';
import { completeTaskUpdate, getTask, taskChanged, taskControl, type TaskView } from './messages';
import { SA } from './searchAttributes';

export interface TaskWorkflowInput {
  task: TaskView;
  /** The prospect workflow that owns the task; told of every change. */
  parentWorkflowId: string;
  repEmail?: string;
  manager?: { id: string; email: string };
  /** false on servers without custom search attributes (the time-skipping test server). */
  searchAttributes?: boolean;
  /** The zone the task's mails show times in (the prospect's process); UTC when absent. */
  timeZone?: string;
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
  const nowIso = () => new Date(Date.now()).toISOString();

  const tellParent = async (notified?: string) => {
    try {
      await parent.signal(taskChanged, {
        taskId: task.id,
        state: task.state,
        at: task.doneAt ?? nowIso(),
        outcome: task.outcome,
        note: task.note,
        by: completedBy,
        notified,
      });
    } catch (err) {
      // A prospect that no longer runs cannot be told; the task's own history keeps it.
      log.warn('could not report to the prospect', { task: task.id, error: (err as Error).message });
    }
  };

  const active = () => task.state === 'open' || task.state === 'overdue' || task.state === 'escalated';

  setHandler(getTask, () => task);
  setHandler(
    completeTaskUpdate,
    (completion) => {
      task = { ...task, state: 'done', doneAt: nowIso(), outcome: completion.outcome.trim(), note: completion.note?.trim() || undefined };
      completedBy = completion.by;
      version++;
      return task;
    },
    {
      validator: (completion) => {
        if (!active()) throw new Error(`task ${task.id} is already ${task.state}`);
        // The handler applies the accepted completion without checking again, so histories
        // recorded before this rule replay unchanged.
        parseOrThrow(TaskCompletionSchema, completion, 'task completion');
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
    version++;
  });

  const publish = () => {
    if (input.searchAttributes === false) return;
    const pairs: SearchAttributeUpdatePair[] = [
      { key: SA.taskState, value: task.state },
      { key: SA.rep, value: task.rep },
      { key: SA.nextDue, value: active() ? new Date(task.dueAt) : null },
    ];
    upsertSearchAttributes(pairs);
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
    const changed =
      next === undefined ? (await condition(() => version !== seen), true) : await condition(() => version !== seen, Math.max(Date.parse(next) - Date.now(), 0));
    if (changed) continue;
    if (task.state === 'open') {
      task = { ...task, state: 'overdue', remindedAt: nowIso() };
      await send(repEmail ? taskOverdueMail(task, repEmail, input.timeZone) : undefined);
      await tellParent(task.rep);
    } else if (task.state === 'overdue') {
      task = { ...task, state: 'escalated', escalatedAt: nowIso() };
      await send(manager ? taskEscalationMail(task, manager.email, repEmail, input.timeZone) : undefined);
      await tellParent(manager?.id);
    }
  }
  publish();
  if (!fromParent) await tellParent();
  return task;
}
