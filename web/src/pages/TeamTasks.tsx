import { api, ok } from '../api/client';
import type { Task } from '../api/views';
import { Empty, ErrorBox, LiveStamp, Loading, PageHeader, usePolled } from '../ui/common';
import { TaskList, useCompletedTasks } from './MyDay';

/** Every open task of a rep, following nextPageToken (a team's urgent list must not stop at a page). */
async function allTasksOf(rep: string): Promise<Task[]> {
  const tasks: Task[] = [];
  let pageToken: string | undefined;
  do {
    const page = await ok(api.GET('/api/tasks', { params: { query: { rep, limit: 200, ...(pageToken ? { pageToken } : {}) } } }));
    tasks.push(...page.tasks);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return tasks;
}

/** The team's overdue and escalated tasks, most urgent first (one inbox per rep of the team). */
export function TeamTasksPage() {
  const completed = useCompletedTasks();
  const tasks = usePolled(
    async () => {
      const { reps } = await ok(api.GET('/api/board', {}));
      const inboxes = await Promise.all(reps.map((r) => allTasksOf(r.id)));
      const all: Task[] = inboxes.flat().filter((t) => t.state === 'overdue' || t.state === 'escalated');
      return all.sort((a, b) => (a.state === b.state ? a.dueAt.localeCompare(b.dueAt) : a.state === 'escalated' ? -1 : 1));
    },
    [],
    15_000,
  );
  const list = completed.hide(tasks.data ?? []);
  return (
    <div className="page">
      <PageHeader title="Team tasks" subtitle="Overdue and escalated tasks of your team" actions={<LiveStamp at={tasks.updatedAt} />} />
      <section className="panel">
        {tasks.loading && !tasks.data ? (
          <Loading what="Loading the team's tasks" />
        ) : tasks.error && !tasks.data ? (
          <ErrorBox error={tasks.error} />
        ) : list.length === 0 ? (
          <Empty title="Nothing overdue">No task of your team is overdue or escalated.</Empty>
        ) : (
          <TaskList tasks={list} completed={completed} reload={tasks.reload} showRep />
        )}
      </section>
    </div>
  );
}
