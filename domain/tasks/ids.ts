/**
 * A rep task's workflow id, `task-<task id>`. Built here, not only in the tasks contract
 * (workflows/tasks/contract.ts re-exports it), because the task's mails derive their
 * Message-IDs from it (domain/pipeline/notifications.ts).
 */
const TASK_ID_PREFIX = 'task-';

export function taskWorkflowId(taskId: string): string {
  return `${TASK_ID_PREFIX}${taskId}`;
}

/** The task id back from its workflow id (inboxes are read from visibility). */
export function taskIdOf(workflowId: string): string {
  return workflowId.startsWith(TASK_ID_PREFIX) ? workflowId.slice(TASK_ID_PREFIX.length) : workflowId;
}
