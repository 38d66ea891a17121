import { runCommand } from '../../domain/pipeline/lifecycle';
import type { ProspectState } from '../../domain/pipeline/prospect';
import {
  addStageTasks,
  addTask,
  applyTaskChange,
  customerOfTask,
  isStaleTaskChange,
  onStageEntered,
  prospectOfTask,
  renderTitle,
  TaskChangeSchema,
  type TaskChange,
} from '../../domain/tasks/tasks';
import { taskWorkflowId } from '../../workflows/tasks/contract';
import { at, DAY, HOUR, lead, MINUTE, salesV, snapshot, T0 } from './fixtures3';
import { formatTime } from '../../domain/shared/timeZone';

const QUALIFIED_AT = at(HOUR);
const INQUIRY_AT = at(2 * HOUR);
const QUOTED_AT = at(3 * HOUR);
const SENT_AT = at(4 * HOUR);
const WON_AT = at(DAY);

function qualifiedLead(base: ProspectState = lead()): ProspectState {
  return runCommand('qualify', base, { outcome: 'qualified', by: 'alice' }, QUALIFIED_AT);
}

function inInquiry(): ProspectState {
  return runCommand('createInquiry', qualifiedLead(), { items: [{ product: 'WIDGET-1', quantity: 2 }], by: 'alice' }, INQUIRY_AT);
}

function sentQuote(): ProspectState {
  const quoted = runCommand('createQuote', inInquiry(), { lines: [{ product: 'WIDGET-1', quantity: 2, unitPrice: '100' }], by: 'alice' }, QUOTED_AT);
  return runCommand('sendQuote', quoted, { by: 'alice' }, SENT_AT);
}

function change(taskId: string, state: TaskChange['state'], extra: Partial<TaskChange> = {}): TaskChange {
  return { taskId, state, at: at(6 * HOUR), ...extra };
}

describe('renderTitle', () => {
  it('fills {{name}}, {{company}} and {{id}} from the prospect', () => {
    expect(renderTitle('Call {{name}} at {{company}} ({{id}})', lead())).toBe('Call Ada Buyer at Acme (P1)');
    expect(renderTitle('{{ name }}/{{name}}', lead())).toBe('Ada Buyer/Ada Buyer');
  });

  it('uses the name for {{company}} when there is no company, and leaves unknown placeholders alone', () => {
    expect(renderTitle('Demo for {{company}}', lead({ company: undefined }))).toBe('Demo for Ada Buyer');
    expect(renderTitle('Call {{phone}} {{name', lead())).toBe('Call {{phone}} {{name');
  });
});

describe('tasks from stage templates', () => {
  it('a new prospect gets the contact-stage tasks, assigned to its rep', () => {
    const state = lead();
    expect(state.tasks).toEqual([
      {
        id: 'P1-T1',
        kind: 'call',
        title: 'Introduce us to Ada Buyer',
        rep: 'alice',
        dueAt: at(4 * HOUR),
        escalateAt: at(4 * HOUR + DAY),
        state: 'open',
        createdAt: T0,
      },
    ]);
    expect(state.nextTaskNo).toBe(2);
    expect(state.changes[state.changes.length - 1]).toEqual({ at: T0, by: 'system', what: `task P1-T1 for alice: Introduce us to Ada Buyer (due ${at(4 * HOUR)})` });
  });

  it('a new task reaches the rep by mail with a Message-ID derived from prospect and task', () => {
    const state = lead({ rep: 'bob' });
    expect(state.outbox).toEqual([
      {
        messageId: '<prospect-P1.task-P1-T1@salesflow.invalid>',
        to: 'bob@example.com',
        subject: 'New task: Introduce us to Ada Buyer',
        text: [
          'Introduce us to Ada Buyer',
          '',
          'Prospect: Ada Buyer (Acme) (P1)',
          `Due: ${formatTime(at(4 * HOUR))}`,
          'Task id: P1-T1',
          '',
          // The web app's address is the worker's to put in place (APP_LINK).
          'Open in salesflow: https://salesflow.invalid/app/prospects/P1',
          'On the command line: salesflow task done P1-T1 --outcome "..."',
        ].join('\n'),
      },
    ]);
    // Deterministic: the same prospect made again queues the very same mail.
    expect(lead({ rep: 'bob' }).outbox).toEqual(state.outbox);
  });

  it('entering a stage creates its tasks with due counted from entry (business days here)', () => {
    const state = inInquiry(); // Monday 11:00
    const demo = state.tasks.find((t) => t.kind === 'demo')!;
    expect(demo).toMatchObject({
      id: 'P1-T3',
      title: 'Product demonstration for Acme',
      rep: 'alice',
      dueAt: at(2 * DAY + 2 * HOUR), // 2bd: Wednesday 11:00
      escalateAt: at(3 * DAY + 2 * HOUR), // +1bd: Thursday 11:00
      createdAt: INQUIRY_AT,
      state: 'open',
    });
    expect(state.outbox.map((m) => m.messageId)).toEqual([
      '<prospect-P1.task-P1-T1@salesflow.invalid>',
      '<prospect-P1.task-P1-T2@salesflow.invalid>',
      '<prospect-P1.task-P1-T3@salesflow.invalid>',
    ]);
  });

  it('a stage without templates creates no task', () => {
    const state = lead({}, salesV(1, { tasks: {} }));
    expect(state.tasks).toEqual([]);
    expect(state.outbox).toEqual([]);
    expect(addStageTasks(state, 'quotation', at(HOUR))).toBe(state);
  });

  it('a task for someone outside the process is recorded but mailed to nobody', () => {
    const state = addTask(lead(), { kind: 'custom', title: 'Odd job', rep: 'nobody', dueAt: at(DAY), escalateAfter: { ms: HOUR }, ref: 'x' }, at(MINUTE));
    expect(state.tasks[1]).toMatchObject({ id: 'P1-T2', rep: 'nobody', ref: 'x', escalateAt: at(DAY + HOUR) });
    expect(state.outbox).toHaveLength(1);
  });

  it('task ids stay unique: the counter only grows', () => {
    const state = sentQuote();
    const ids = state.tasks.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(state.nextTaskNo).toBe(ids.length + 1);
  });
});

describe('applyTaskChange', () => {
  it('an escalation without a named recipient is recorded against the team manager, as the log says', () => {
    const overdue = applyTaskChange(lead(), change('P1-T1', 'overdue', { notified: 'alice' }));
    const state = applyTaskChange(overdue, change('P1-T1', 'escalated', { at: at(DAY) }));
    expect(state.escalations[1]).toMatchObject({ kind: 'task_escalated', to: 'mia' });
    expect(state.changes[state.changes.length - 1]!.what).toBe('task P1-T1 escalated to mia');
  });

  it('an overdue task goes on the escalation record, naming the rep who was reminded', () => {
    const state = applyTaskChange(lead(), change('P1-T1', 'overdue', { notified: 'alice' }));
    expect(state.tasks[0]!.state).toBe('overdue');
    expect(state.escalations).toEqual([{ at: at(6 * HOUR), kind: 'task_overdue', taskId: 'P1-T1', to: 'alice' }]);
    expect(state.changes[state.changes.length - 1]).toEqual({ at: at(6 * HOUR), by: 'system', what: 'task P1-T1 is overdue' });
  });

  it('an escalated task goes on the record, naming the manager', () => {
    const overdue = applyTaskChange(lead(), change('P1-T1', 'overdue', { notified: 'alice' }));
    const state = applyTaskChange(overdue, change('P1-T1', 'escalated', { at: at(DAY), notified: 'mia' }));
    expect(state.tasks[0]!.state).toBe('escalated');
    expect(state.escalations).toEqual([
      { at: at(6 * HOUR), kind: 'task_overdue', taskId: 'P1-T1', to: 'alice' },
      { at: at(DAY), kind: 'task_escalated', taskId: 'P1-T1', to: 'mia' },
    ]);
    expect(state.changes[state.changes.length - 1]!.what).toBe('task P1-T1 escalated to mia');
  });

  it('without notified, the change log names the team manager', () => {
    const state = applyTaskChange(lead(), change('P1-T1', 'escalated'));
    expect(state.changes[state.changes.length - 1]!.what).toBe('task P1-T1 escalated to mia');
    expect(state.escalations).toHaveLength(1);
    expect(state.escalations[0]).toMatchObject({ kind: 'task_escalated', taskId: 'P1-T1' });
  });

  it('done records outcome, note, who and when; no escalation', () => {
    const state = applyTaskChange(lead(), change('P1-T1', 'done', { outcome: 'reached', note: 'call back in May', by: 'alice' }));
    expect(state.tasks[0]).toMatchObject({ state: 'done', doneAt: at(6 * HOUR), outcome: 'reached', note: 'call back in May' });
    expect(state.escalations).toEqual([]);
    expect(state.changes[state.changes.length - 1]).toEqual({ at: at(6 * HOUR), by: 'alice', what: 'completed task P1-T1: reached' });
  });

  it('an escalated task can still be completed', () => {
    const escalated = applyTaskChange(lead(), change('P1-T1', 'escalated', { notified: 'mia' }));
    const done = applyTaskChange(escalated, change('P1-T1', 'done', { at: at(DAY), outcome: 'finally' }));
    expect(done.tasks[0]).toMatchObject({ state: 'done', outcome: 'finally', doneAt: at(DAY) });
  });

  it('cancelled sets doneAt', () => {
    expect(applyTaskChange(lead(), change('P1-T1', 'cancelled')).tasks[0]).toMatchObject({ state: 'cancelled', doneAt: at(6 * HOUR) });
  });

  it('changes to inactive tasks, unknown tasks and repeats are ignored', () => {
    const done = applyTaskChange(lead(), change('P1-T1', 'done', { outcome: 'ok' }));
    const before = snapshot(done);
    for (const late of [change('P1-T1', 'overdue'), change('P1-T1', 'escalated', { notified: 'mia' }), change('P1-T1', 'open'), change('P1-T1', 'cancelled')]) {
      expect(applyTaskChange(done, late)).toBe(done);
    }
    expect(applyTaskChange(done, change('P1-T9', 'overdue'))).toBe(done);
    expect(snapshot(done)).toEqual(before);
    const overdue = applyTaskChange(lead(), change('P1-T1', 'overdue'));
    expect(applyTaskChange(overdue, change('P1-T1', 'overdue', { at: at(DAY) }))).toBe(overdue);
  });

  it('TaskChangeSchema refuses an unknown state', () => {
    expect(TaskChangeSchema.safeParse({ taskId: 'P1-T1', state: 'lost', at: T0 }).success).toBe(false);
    expect(TaskChangeSchema.parse(change('P1-T1', 'done'))).toEqual(change('P1-T1', 'done'));
  });
});

describe('a task report cannot overwrite what the prospect decided', () => {
  it('an overdue report for a due time the prospect has since moved is ignored', () => {
    const state = lead();
    const task = state.tasks[0]!;
    const moved = { ...state, tasks: [{ ...task, dueAt: at(3 * DAY) }] };
    const stale = change('P1-T1', 'overdue', { forDueAt: task.dueAt, deadlineAt: task.dueAt, notified: 'alice' });
    expect(isStaleTaskChange(moved.tasks[0]!, stale)).toBe(true);
    expect(applyTaskChange(moved, stale)).toBe(moved);
  });

  it('an escalation reported for a rep the task no longer has is ignored', () => {
    const state = lead();
    const reassigned = { ...state, tasks: [{ ...state.tasks[0]!, rep: 'bob' }] };
    expect(applyTaskChange(reassigned, change('P1-T1', 'escalated', { rep: 'alice' }))).toBe(reassigned);
  });

  it('a report about the current due time is applied and records when the deadline fell due', () => {
    const state = lead();
    const task = state.tasks[0]!;
    const after = applyTaskChange(state, change('P1-T1', 'overdue', { forDueAt: task.dueAt, deadlineAt: task.dueAt, rep: task.rep, notified: 'alice' }));
    expect(after.tasks[0]!.state).toBe('overdue');
    expect(after.escalations).toEqual([{ at: at(6 * HOUR), dueAt: task.dueAt, kind: 'task_overdue', taskId: 'P1-T1', to: 'alice' }]);
  });

  it('a completion by the rep stands even after a reschedule', () => {
    const state = lead();
    const moved = { ...state, tasks: [{ ...state.tasks[0]!, dueAt: at(3 * DAY) }] };
    const done = applyTaskChange(moved, change('P1-T1', 'done', { forDueAt: state.tasks[0]!.dueAt, outcome: 'reached' }));
    expect(done.tasks[0]).toMatchObject({ state: 'done', outcome: 'reached' });
  });
});

describe('closing the prospect cancels its active tasks', () => {
  it('lost: open, overdue and escalated tasks are cancelled, done ones stay done', () => {
    let state = inInquiry(); // T1 intro, T2 first call, T3 demo
    state = applyTaskChange(state, change('P1-T1', 'done', { outcome: 'ok' }));
    state = applyTaskChange(state, change('P1-T2', 'overdue'));
    state = applyTaskChange(state, change('P1-T3', 'escalated', { notified: 'mia' }));
    const lost = runCommand('markLost', state, { reason: 'went with a competitor', by: 'alice' }, at(DAY));
    expect(lost.tasks.map((t) => [t.id, t.state, t.doneAt])).toEqual([
      ['P1-T1', 'done', at(6 * HOUR)],
      ['P1-T2', 'cancelled', at(DAY)],
      ['P1-T3', 'cancelled', at(DAY)],
    ]);
  });

  it('won: the open tasks are cancelled and the won stage templates start', () => {
    const won = runCommand('acceptQuote', sentQuote(), { by: 'ada' }, WON_AT);
    expect(won.stage).toBe('won');
    const [before, after] = [won.tasks.filter((t) => t.createdAt !== WON_AT), won.tasks.filter((t) => t.createdAt === WON_AT)];
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(before.every((t) => t.state === 'cancelled' && t.doneAt === WON_AT)).toBe(true);
    expect(after).toEqual([expect.objectContaining({ kind: 'follow_up', title: 'Welcome call for P1', state: 'open', dueAt: at(8 * DAY) })]);
  });

  it('onStageEntered cancels what is still active when a command closed the prospect', () => {
    const before = inInquiry();
    // A command that closes without cleaning up after itself: the stage hook still does.
    const closed: ProspectState = { ...before, stage: 'won', closedAt: WON_AT };
    const after = onStageEntered(before, closed, WON_AT);
    expect(after.tasks.filter((t) => t.createdAt !== WON_AT).map((t) => t.state)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(after.tasks.filter((t) => t.createdAt === WON_AT).map((t) => [t.title, t.state])).toEqual([['Welcome call for P1', 'open']]);
    // No stage change: nothing happens.
    expect(onStageEntered(before, before, WON_AT)).toBe(before);
  });

  it('a task change after closing is ignored', () => {
    const lost = runCommand('markLost', inInquiry(), { reason: 'no budget', by: 'alice' }, at(DAY));
    expect(applyTaskChange(lost, change('P1-T3', 'overdue', { at: at(3 * DAY) }))).toBe(lost);
  });
});

describe('task ids', () => {
  it('name their prospect and their workflow', () => {
    expect(prospectOfTask('P1-T3')).toBe('P1');
    expect(prospectOfTask('acme-west-T12')).toBe('acme-west');
    expect(prospectOfTask('P1-Q1')).toBeUndefined();
    expect(prospectOfTask('rho-mills-C1')).toBeUndefined();
    expect(customerOfTask('rho-mills-C1')).toBe('rho-mills');
    expect(customerOfTask('acme-T1')).toBeUndefined();
    expect(taskWorkflowId('P1-T3')).toBe('task-P1-T3');
  });
});
