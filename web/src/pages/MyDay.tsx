import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, ok } from '../api/client';
import type { Task } from '../api/views';
import { useAccount } from '../session';
import { Badge, Empty, ErrorBox, LiveStamp, Loading, LoadMore, PageHeader, TASK_TONES, usePagedList } from '../ui/common';
import { Field, FormMessage, SubmitButton, useForm } from '../ui/form';
import { formatDue, readable, words } from '../ui/format';

/**
 * Tasks completed on this screen, out of the list at once: the inbox comes from Temporal
 * visibility, which lags the completion by a moment (a refetch can still list the task, even
 * as "done" with no due date), and a second "Mark done" would only be refused.
 */
export function useCompletedTasks(): { hide: <T extends Task>(tasks: T[]) => T[]; completed: (task: Task) => void; last: Task | undefined } {
  const [done, setDone] = useState<readonly Task[]>([]);
  return {
    hide: (tasks) => tasks.filter((t) => t.state !== 'done' && t.state !== 'cancelled' && !done.some((d) => d.id === t.id)),
    completed: (task) => setDone((d) => [...d, task]),
    last: done[done.length - 1],
  };
}

/** A rep's open tasks, soonest due first; each is completed in place with its outcome. */
export function MyDayPage() {
  const account = useAccount();
  const completed = useCompletedTasks();
  const tasks = usePagedList(
    async (pageToken) => {
      // An account that acts as no rep has no inbox: the server would refuse the call (422).
      if (!account.personId) return { items: [], next: undefined };
      const page = await ok(api.GET('/api/tasks', { params: { query: { limit: 50, ...(pageToken ? { pageToken } : {}) } } }));
      return { items: page.tasks, next: page.nextPageToken };
    },
    [account.id],
    10_000,
  );
  if (!account.personId) {
    return (
      <div className="page">
        <PageHeader title="My day" />
        <Empty title="This account acts as no rep">
          {account.role === 'admin' ? (
            <>
              Give it a person id (Edit… on <Link to="/users">Users</Link>) to get that rep's tasks here.
            </>
          ) : (
            'Ask an admin to set a person id on it to get tasks.'
          )}
        </Empty>
      </div>
    );
  }
  const list = completed.hide(tasks.items ?? []);
  const now = Date.now();
  const overdue = list.filter((t) => t.state === 'overdue').length;
  const escalated = list.filter((t) => t.state === 'escalated').length;
  const today = list.filter((t) => new Date(t.dueAt).toDateString() === new Date(now).toDateString()).length;
  return (
    <div className="page">
      <PageHeader title="My day" subtitle="Open tasks, soonest due first" actions={<LiveStamp at={tasks.updatedAt} />} />
      <div className="summary-cards">
        <div className="summary-card"><div className="n">{list.length}{tasks.hasMore ? '+' : ''}</div><div className="l">open tasks</div></div>
        <div className="summary-card"><div className="n">{today}</div><div className="l">due today</div></div>
        <div className="summary-card"><div className="n">{overdue}</div><div className="l">overdue</div></div>
        <div className="summary-card"><div className="n">{escalated}</div><div className="l">escalated</div></div>
      </div>
      {completed.last ? (
        <p className="form-done task-done-note" role="status">
          Marked done: {readable(completed.last.title)}
        </p>
      ) : null}
      <section className="panel" aria-label="Open tasks">
        {tasks.loading && !tasks.data ? (
          <Loading what="Loading your tasks" />
        ) : tasks.error && !tasks.data ? (
          <ErrorBox error={tasks.error} />
        ) : list.length === 0 ? (
          <Empty title="Nothing due">No open tasks. New ones appear here by themselves.</Empty>
        ) : (
          <TaskList tasks={list} completed={completed} reload={tasks.reload} />
        )}
        <LoadMore list={tasks} what="tasks" />
      </section>
    </div>
  );
}

/** Open tasks, each completed in place: a completed one leaves the list at once, then the list is fetched again. */
export function TaskList({ tasks, completed, reload, showRep = false }: { tasks: readonly Task[]; completed: ReturnType<typeof useCompletedTasks>; reload: () => void; showRep?: boolean }) {
  return (
    <ul className="task-list">
      {tasks.map((t) => (
        <TaskRow
          key={t.id}
          task={t}
          onDone={() => {
            completed.completed(t);
            reload();
          }}
          showRep={showRep}
        />
      ))}
    </ul>
  );
}

export function TaskRow({ task, onDone, showRep = false, linkSubject = true }: { task: Task; onDone: () => void; showRep?: boolean; linkSubject?: boolean }) {
  // A post-sales task (`<customer>-C<n>`) has no prospect: it links to its customer instead.
  const customerId = task.prospectId ? undefined : /^(.+)-C\d+$/.exec(task.id)?.[1];
  const [open, setOpen] = useState(false);
  const [outcome, setOutcome] = useState('');
  const [note, setNote] = useState('');
  // Completed here: the form closes and the row offers nothing more, whatever a list still says.
  const [done, setDone] = useState(false);
  const form = useForm(
    async () => {
      await ok(api.POST('/api/tasks/{id}/complete', { params: { path: { id: task.id } }, body: { outcome, ...(note ? { note } : {}) } }));
      setDone(true);
      setOpen(false);
      return 'Done';
    },
    { onDone },
  );
  const state = done ? 'done' : task.state;
  // The title the workflow wrote ("ends 2026-12-31T09:00:00.000Z", "1200.00 EUR") as the rest of the page reads.
  const title = readable(task.title);
  return (
    <li className={`task task-${state}`} data-testid={`task-${task.id}`}>
      <div>
        <div className="task-title">{title}</div>
        <div className="task-meta">
          <Badge tone={TASK_TONES[state] ?? 'neutral'}>{state}</Badge>
          {done ? null : <span>due {formatDue(task.dueAt)}</span>}
          <span>{words(task.kind)}</span>
          {showRep ? <span>rep {task.rep}</span> : null}
          {linkSubject && task.prospectId ? <Link to={`/prospects/${encodeURIComponent(task.prospectId)}`}>{task.prospectId}</Link> : null}
          {linkSubject && customerId ? <Link to={`/customers/${encodeURIComponent(customerId)}`}>customer {customerId}</Link> : null}
        </div>
      </div>
      <div>
        {!open && !done ? (
          <button type="button" className="btn btn-secondary btn-small" onClick={() => setOpen(true)} aria-label={`Complete: ${title}`}>
            Complete…
          </button>
        ) : null}
      </div>
      {open ? (
        <form className="task-complete" onSubmit={form.submit} aria-label={`Complete ${title}`}>
          <Field label="Outcome" error={form.fieldError('outcome')}>
            {(p) => <input {...p} name="outcome" autoFocus value={outcome} onChange={(e) => setOutcome(e.target.value)} placeholder="e.g. reached, call back Tuesday" />}
          </Field>
          <Field label="Note (optional)" error={form.fieldError('note')}>
            {(p) => <input {...p} name="note" value={note} onChange={(e) => setNote(e.target.value)} />}
          </Field>
          {/* Under a label's height, so the buttons stay level with the inputs when a field's message grows the row. */}
          <div className="task-complete-actions">
            <SubmitButton form={form}>Mark done</SubmitButton>
            <button type="button" className="btn btn-secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
          <div className="full">
            <FormMessage form={form} fields={['outcome', 'note']} />
          </div>
        </form>
      ) : null}
    </li>
  );
}
