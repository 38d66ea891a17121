import { simpleParser } from 'mailparser';
import { OpsClient } from '../../client/process/opsClient';
import { ProcessDefinitionSchema, type ProcessDefinitionInput } from '../../domain/process/process';
import { prospectWorkflowId, type ProspectState } from '../../domain/pipeline/prospect';
import { checkMigration } from '../../workflows/pipeline/contract';
import { getTask, taskWorkflowId } from '../../workflows/tasks/contract';
import { eventually } from '../helpers/eventually';
import { startTimeSkippingStack } from '../helpers/temporal';

/**
 * Process versions, rep tasks and migration on the time-skipping server: tasks are their
 * own workflows whose SLAs run for days, which pass here in seconds.
 */

type Stack = Awaited<ReturnType<typeof startTimeSkippingStack>>;
let stack: Stack;
let ops: OpsClient;

beforeAll(async () => {
  stack = await startTimeSkippingStack();
  ops = new OpsClient(stack.client);
});
afterAll(async () => {
  await stack?.close();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function processV1(name: string): ProcessDefinitionInput {
  return {
    name,
    teams: [
      {
        name: 'field',
        manager: { id: 'maria', email: 'maria@sales.test' },
        reps: [
          { id: 'alice', email: 'alice@sales.test' },
          { id: 'bob', email: 'bob@sales.test' },
          { id: 'carol', email: 'carol@sales.test' },
        ],
      },
    ],
    qualification: {
      threshold: 50,
      rules: [
        { name: 'big budget', field: 'answers.budget', op: 'gte', value: 10_000, weight: 60 },
        { name: 'authority known', field: 'answers.authority', op: 'exists', weight: 20 },
      ],
      knockouts: [{ name: 'competitor', field: 'fields.segment', op: 'eq', value: 'competitor', reason: 'we do not sell to competitors' }],
    },
    tasks: {
      qualified: [{ kind: 'call', title: 'First call with {{name}}', due: '1d', escalateAfter: '1d' }],
      quotation: [{ kind: 'prepare_quotation', title: 'Prepare the offer for {{company}}', due: '2d', escalateAfter: '1d' }],
    },
    quotePolicy: { validity: '30d', staleAfter: '3d', escalateAfter: '7d' },
  };
}

async function prospectState(id: string): Promise<ProspectState> {
  return stack.client.getProspect(id);
}

test('qualification by the rules creates the first-call task, which the rep completes', async () => {
  const published = await ops.publish(ProcessDefinitionSchema.parse(processV1('tasks-a')), 'ops');
  expect(published.version).toBe(1);
  await ops.createOnProcess({ id: 'qa', name: 'Quinn', company: 'Q Ltd' }, 'tasks-a');
  const scored = await stack.client.command('qa', 'qualify', { answers: { budget: 25_000, authority: 'CTO' }, decide: true, by: 'alice' });
  expect(scored.qualification).toMatchObject({ outcome: 'qualified', score: { score: 80, threshold: 50 } });
  expect(scored.tasks).toEqual([expect.objectContaining({ id: 'qa-T1', kind: 'call', title: 'First call with Quinn', state: 'open' })]);
  const rep = scored.info.rep;
  const repMail = await stack.sink.waitFor((m) => m.messageId === '<prospect-qa.task-qa-T1@salesflow.invalid>');
  expect(repMail.recipients).toEqual([`${rep}@sales.test`]);

  // The task runs as its own workflow, visible by id.
  const view = await eventually(() => stack.raw.workflow.getHandle(taskWorkflowId('qa-T1')).query(getTask));
  expect(view).toMatchObject({ id: 'qa-T1', rep, state: 'open', prospectId: 'qa' });

  // Text that reaches a table or a mail is clean: the task's validator refuses a control character.
  await expect(ops.completeTask('qa-T1', 'reached\u0007', undefined, rep)).rejects.toThrow(
    'invalid task completion: outcome: must be one line without control characters (found U+0007)',
  );
  const done = await ops.completeTask('qa-T1', 'reached, demo booked', 'wants pricing', rep);
  expect(done).toMatchObject({ state: 'done', outcome: 'reached, demo booked' });
  await expect(ops.completeTask('qa-T1', 'again', undefined, rep)).rejects.toThrow('task qa-T1 is already done');
  const mirrored = await eventually(async () => {
    const s = await prospectState('qa');
    if (s.tasks[0]?.state !== 'done') throw new Error('not mirrored yet');
    return s;
  });
  expect(mirrored.tasks[0]).toMatchObject({ outcome: 'reached, demo booked', note: 'wants pricing' });
});

test('knock-out and low scores disqualify with the reason', async () => {
  await stack.client.createProspect({ id: 'ko', name: 'Kai', rep: 'bob', fields: { segment: 'competitor' } }, processV1('tasks-b'));
  const ko = await stack.client.command('ko', 'qualify', { answers: { budget: 99_999, authority: 'CEO' }, decide: true });
  expect(ko).toMatchObject({ stage: 'lost', qualification: { outcome: 'disqualified', reason: 'knock-out competitor: we do not sell to competitors' } });
  expect(ko.tasks).toEqual([]);

  await stack.client.createProspect({ id: 'low', name: 'Lou', rep: 'bob' }, processV1('tasks-b'));
  const low = await stack.client.command('low', 'qualify', { answers: { authority: 'CEO' }, decide: true });
  expect(low.qualification?.reason).toBe('score 20 below threshold 50');
  expect(low.qualification?.score?.contributions).toEqual([
    { rule: 'big budget', matched: false, points: 0 },
    { rule: 'authority known', matched: true, points: 20 },
  ]);
});

test('an overdue task reminds the rep, then escalates to the manager, on the prospect record', async () => {
  await stack.client.createProspect({ id: 'late', name: 'Lena Late', rep: 'carol' }, processV1('tasks-c'));
  await stack.client.command('late', 'qualify', { outcome: 'qualified', by: 'carol' });
  await eventually(() => stack.raw.workflow.getHandle(taskWorkflowId('late-T1')).query(getTask));

  await stack.env.sleep(DAY + HOUR);
  const reminder = await stack.sink.waitFor((m) => m.messageId.startsWith('<task-late-T1.overdue-'));
  expect(reminder.recipients).toEqual(['carol@sales.test']);
  expect((await stack.raw.workflow.getHandle(taskWorkflowId('late-T1')).query(getTask)).state).toBe('overdue');

  await stack.env.sleep(DAY);
  const escalation = await stack.sink.waitFor((m) => m.messageId.startsWith('<task-late-T1.escalation-'));
  expect(escalation.recipients).toEqual(['maria@sales.test', 'carol@sales.test']);
  const state = await eventually(async () => {
    const s = await prospectState('late');
    if (s.tasks[0]?.state !== 'escalated') throw new Error(`task is ${s.tasks[0]?.state}`);
    return s;
  });
  expect(state.escalations.map((e) => [e.kind, e.taskId, e.to])).toEqual([
    ['task_overdue', 'late-T1', 'carol'],
    ['task_escalated', 'late-T1', 'maria'],
  ]);
  // Each mail once.
  expect(stack.sink.messages.filter((m) => m.messageId.startsWith('<task-late-T1.')).length).toBe(2);
});

test('a task reassigned to another team escalates to that team\'s manager, with times in the process\'s zone', async () => {
  const definition = processV1('tasks-moved');
  const moved: ProcessDefinitionInput = {
    ...definition,
    timezone: 'Europe/Berlin',
    teams: [...definition.teams, { name: 'south', manager: { id: 'sven', email: 'sven@sales.test' }, reps: [{ id: 'dan', email: 'dan@sales.test' }] }],
  };
  await stack.client.createProspect({ id: 'moved', name: 'Mo Moved', rep: 'carol' }, moved);
  await stack.client.command('moved', 'qualify', { outcome: 'qualified', by: 'carol' });
  const task = taskWorkflowId('moved-T1');
  await eventually(() => stack.raw.workflow.getHandle(task).query(getTask));
  await stack.client.command('moved', 'reassign', { rep: 'dan', by: 'maria' });
  await eventually(async () => {
    if ((await stack.raw.workflow.getHandle(task).query(getTask)).rep !== 'dan') throw new Error('task not moved yet');
  });

  await stack.env.sleep(DAY + HOUR);
  const reminder = await stack.sink.waitFor((m) => m.messageId.startsWith('<task-moved-T1.overdue-'));
  expect(reminder.recipients).toEqual(['dan@sales.test']);
  // The due time as the rep's process reads it (Berlin), not UTC.
  const text = (await simpleParser(reminder.raw)).text ?? '';
  expect(text).toMatch(/was due .*(CET|CEST|GMT\+1|GMT\+2)/);
  expect(text).not.toMatch(/was due .*UTC/);
  await stack.env.sleep(DAY);
  const escalation = await stack.sink.waitFor((m) => m.messageId.startsWith('<task-moved-T1.escalation-'));
  expect(escalation.recipients).toEqual(['sven@sales.test', 'dan@sales.test']);
  const state = await eventually(async () => {
    const s = await prospectState('moved');
    if (!s.escalations.some((e) => e.kind === 'task_escalated')) throw new Error('not escalated yet');
    return s;
  });
  expect(state.escalations.filter((e) => e.kind === 'task_escalated').map((e) => e.to)).toEqual(['sven']);
});

test('closing the prospect cancels its open task workflows', async () => {
  await stack.client.createProspect({ id: 'closer', name: 'Cleo', rep: 'alice' }, processV1('tasks-d'));
  await stack.client.command('closer', 'qualify', { outcome: 'qualified' });
  const handle = stack.raw.workflow.getHandle(taskWorkflowId('closer-T1'));
  await eventually(() => handle.query(getTask));
  await stack.client.command('closer', 'markLost', { reason: 'budget frozen' });
  // Bounded, so a broken cancellation fails here instead of skipping time forever.
  const result = await Promise.race([handle.result(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('task not cancelled')), 15_000))]);
  expect(result.state).toBe('cancelled');
  expect((await prospectState('closer')).tasks[0]?.state).toBe('cancelled');
});

describe('migration between process versions', () => {
  test('a move that would strand the prospect is refused and changes nothing', async () => {
    await stack.client.createProspect({ id: 'mig-no', name: 'Mo', rep: 'carol' }, processV1('mig'));
    const before = await prospectState('mig-no');
    const withoutCarol = { ...processV1('mig'), version: 2, teams: [{ ...processV1('mig').teams[0]!, reps: [{ id: 'alice', email: 'alice@sales.test' }] }] };
    const handle = stack.raw.workflow.getHandle(prospectWorkflowId('mig-no'));
    expect(await handle.query(checkMigration, withoutCarol)).toBe('its rep "carol" is not in version 2');
    await expect(stack.client.command('mig-no', 'migrateProcess', { process: withoutCarol, by: 'ops' })).rejects.toThrow(
      'cannot migrate mig-no: its rep "carol" is not in version 2',
    );
    expect(await prospectState('mig-no')).toEqual(before);
  });

  test('a safe move swaps the definition and keeps a record', async () => {
    await stack.client.createProspect({ id: 'mig-yes', name: 'Yas', rep: 'alice' }, processV1('mig'));
    const v2 = { ...processV1('mig'), version: 2, quotePolicy: { validity: '20d', staleAfter: '1d', escalateAfter: '2d' } };
    const moved = await stack.client.command('mig-yes', 'migrateProcess', { process: v2, by: 'ops' });
    expect(moved.process.version).toBe(2);
    expect(moved.process.quotePolicy.staleAfter).toBe(DAY);
    expect(moved.migrations).toEqual([expect.objectContaining({ from: 1, to: 2, by: 'ops' })]);
  });
});

test('a prospect pinned to version 1 keeps its SLAs after version 2 is published', async () => {
  const schema = ProcessDefinitionSchema;
  await ops.publish(schema.parse(processV1('pinned')), 'ops');
  await ops.createOnProcess({ id: 'pin-old', name: 'Old Timer', company: 'Old Co', rep: 'alice' }, 'pinned');
  // Version 2: first calls are due within an hour instead of a day.
  const v2 = processV1('pinned');
  v2.tasks = { ...v2.tasks, qualified: [{ kind: 'call', title: 'First call with {{name}}', due: '1h', escalateAfter: '1h' }] };
  expect((await ops.publish(schema.parse(v2), 'ops')).version).toBe(2);
  await ops.createOnProcess({ id: 'pin-new', name: 'New Comer', company: 'New Co', rep: 'bob' }, 'pinned');

  const old = await stack.client.command('pin-old', 'qualify', { outcome: 'qualified' });
  const young = await stack.client.command('pin-new', 'qualify', { outcome: 'qualified' });
  expect(old.process.version).toBe(1);
  expect(young.process.version).toBe(2);
  const dueIn = (s: ProspectState) => Date.parse(s.tasks[0]!.dueAt) - Date.parse(s.qualification!.decidedAt!);
  expect(dueIn(old)).toBe(DAY);
  expect(dueIn(young)).toBe(HOUR);

  await eventually(() => stack.raw.workflow.getHandle(taskWorkflowId('pin-old-T1')).query(getTask));
  await eventually(() => stack.raw.workflow.getHandle(taskWorkflowId('pin-new-T1')).query(getTask));
  await stack.env.sleep(2 * HOUR);
  await stack.sink.waitFor((m) => m.messageId.startsWith('<task-pin-new-T1.overdue-'));
  expect(stack.sink.messages.some((m) => m.messageId.startsWith('<task-pin-old-T1.overdue-'))).toBe(false);
  expect((await stack.raw.workflow.getHandle(taskWorkflowId('pin-old-T1')).query(getTask)).state).toBe('open');
});
