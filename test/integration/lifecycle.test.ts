import type { ProcessDefinitionInput } from '../../domain/process/process';
import { projectProspect } from '../../domain/reporting/projection';
import { prospectWorkflowId } from '../../domain/pipeline/prospect';
import { PROSPECT_GENERATION } from '../../workflows/pipeline/contract';
import type { prospectWorkflow } from '../../workflows/pipeline/prospect';
import { activitiesScheduled, quietHistory, startDevServerStack, type TestStack } from '../helpers/temporal';
import { eventually } from '../helpers/eventually';

/**
 * The real worker with its real activities on the dev server, mail over SMTP to a sink on
 * loopback, lists from visibility. Durations are seconds so escalation happens live.
 */

let stack: TestStack & { close(): Promise<void> };
beforeAll(async () => {
  stack = await startDevServerStack();
});
afterAll(async () => {
  await stack?.close();
});

const fastProcess: ProcessDefinitionInput = {
  name: 'fast',
  version: 3,
  teams: [
    {
      name: 'north',
      manager: { id: 'nina', email: 'nina@sales.test' },
      reps: [{ id: 'ravi', email: 'ravi@sales.test' }],
    },
  ],
  quotePolicy: { validity: '6s', staleAfter: '1s', escalateAfter: '2s', followUpDueIn: '1h' },
};

const uniq = `${Date.now().toString(36)}`;

test('a prospect driven from contact to won through the client, listed from visibility', async () => {
  const id = `won-${uniq}`;
  const { client } = stack;
  await client.createProspect({ id, name: 'Wendy Winner', company: 'Win Ltd', email: 'wendy@win.test', rep: 'ravi' }, fastProcess);
  await client.command(id, 'logContact', { channel: 'visit', direction: 'outbound', note: 'met at fair', by: 'ravi' });
  await client.command(id, 'qualify', { answers: { budget: 5000, authority: 'CEO' }, outcome: 'qualified', by: 'ravi' });
  await client.command(id, 'createInquiry', { items: [{ product: 'PUMP-X', quantity: 2, wantedDeliveryDate: '2027-01-15' }], by: 'ravi' });
  await client.command(id, 'createQuote', { lines: [{ product: 'PUMP-X', quantity: 2, unitPrice: '1999.99' }], by: 'ravi' });

  // The pipeline list comes from visibility: stage, rep and quote total are search attributes.
  const listed = await eventually(async () => {
    const rows = await client.listProspects({ stage: 'quotation', rep: 'ravi' });
    const row = rows.find((r) => r.id === id);
    if (!row || row.quoteTotal !== 3999.98) throw new Error(`not listed yet: ${JSON.stringify(rows)}`);
    return row;
  });
  expect(listed).toMatchObject({ name: 'Wendy Winner', company: 'Win Ltd', stage: 'quotation', rep: 'ravi', process: 'fast', processVersion: 3 });
  expect(await client.listProspects({ stage: 'won', rep: 'ravi' })).not.toContainEqual(expect.objectContaining({ id }));

  await client.command(id, 'sendQuote', { by: 'ravi' });
  await stack.sink.waitFor((m) => m.messageId === `<${prospectWorkflowId(id)}.quote-r1-sent@salesflow.invalid>`);
  const won = await client.command(id, 'acceptQuote', { by: 'ravi' });
  expect(won.stage).toBe('won');

  await eventually(async () => {
    const rows = await client.listProspects({ stage: 'won' });
    if (!rows.some((r) => r.id === id)) {
      const d = await stack.raw.workflow.getHandle(prospectWorkflowId(id)).describe();
      throw new Error(`not won in visibility yet: ${JSON.stringify(d.searchAttributes)} ${d.status.name} ${JSON.stringify(rows)}`);
    }
  });
});

test('a stale quotation mails the rep, escalates to the manager by real SMTP, then expires', async () => {
  const id = `stale-${uniq}`;
  const { client, sink } = stack;
  await client.createProspect({ id, name: 'Sam Silent', email: 'sam@silent.test', rep: 'ravi' }, fastProcess);
  await client.command(id, 'qualify', { outcome: 'qualified', by: 'ravi' });
  await client.command(id, 'createInquiry', { items: [{ product: 'VALVE', quantity: 10 }], by: 'ravi' });
  await client.command(id, 'createQuote', { lines: [{ product: 'VALVE', quantity: 10, unitPrice: '5' }], by: 'ravi' });
  await client.command(id, 'sendQuote', { by: 'ravi' });

  const reminder = await sink.waitFor((m) => m.messageId === `<${prospectWorkflowId(id)}.quote-r1-reminder@salesflow.invalid>`);
  expect(reminder.recipients).toEqual(['ravi@sales.test']);
  const escalation = await sink.waitFor((m) => m.messageId === `<${prospectWorkflowId(id)}.quote-r1-escalation@salesflow.invalid>`);
  expect(escalation.recipients).toEqual(expect.arrayContaining(['nina@sales.test', 'ravi@sales.test']));
  expect(escalation.subject).toContain('Escalation');

  const escalated = await client.getProspect(id);
  expect(escalated.escalations.map((e) => [e.kind, e.to])).toEqual([
    ['quote_reminder', 'ravi'],
    ['quote_escalation', 'nina'],
  ]);

  await sink.waitFor((m) => m.messageId === `<${prospectWorkflowId(id)}.task-${id}-T1@salesflow.invalid>`);
  const expired = await client.getProspect(id);
  expect(expired.quotes[0]?.status).toBe('expired');
  expect(expired.tasks[0]).toMatchObject({ id: `${id}-T1`, state: 'open', rep: 'ravi' });
  // The follow-up task's due time is what the rep's list sorts by.
  await eventually(async () => {
    const row = (await client.listProspects({ rep: 'ravi' })).find((r) => r.id === id);
    if (row?.nextDue !== expired.tasks[0]?.dueAt) throw new Error(`next due not published yet: ${row?.nextDue}`);
  });
});

test('a refused command leaves no event in the history on a real server', async () => {
  const id = `refuse-${uniq}`;
  const { client, raw } = stack;
  await client.createProspect({ id, name: 'Rita Refused', rep: 'ravi' }, fastProcess);
  await client.command(id, 'logContact', { channel: 'call', by: 'ravi' });
  const handle = raw.workflow.getHandle(prospectWorkflowId(id));
  // Update events only: the read-model feed's activity and timers may still add their own.
  const updates = async () => ((await quietHistory(handle)).events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionUpdateCompletedEventAttributes || e.workflowExecutionUpdateRejectedEventAttributes).length;
  const before = await updates();
  await expect(client.command(id, 'createInquiry', { items: [{ product: 'X', quantity: 1 }] })).rejects.toThrow(
    'cannot create an inquiry in stage contact (allowed in: qualification)',
  );
  await expect(client.command(id, 'logContact', { channel: 'fax' })).rejects.toThrow(/invalid contact: channel/);
  expect(await updates()).toBe(before);
  expect(before).toBeGreaterThan(0);
});

test('each command is in the read model when it returns, written within the workflow task: no read-model event in the history', async () => {
  const id = `burst-${uniq}`;
  const { client, raw, database } = stack;
  const workflowId = prospectWorkflowId(id);
  const stored = async () => {
    const row = await database.db.selectFrom('report_prospects').select(['version', 'stage']).where('workflow_id', '=', workflowId).executeTakeFirst();
    const events = await database.db.selectFrom('report_events').where('workflow_id', '=', workflowId).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    return { version: row?.version, stage: row?.stage, events: Number(events.n) };
  };
  await client.createProspect({ id, name: 'Bea Burst', rep: 'ravi' }, fastProcess);
  for (let i = 0; i < 4; i++) {
    // Read at once, not eventually: the write is done before the command's answer.
    const result = await client.run(id, 'logContact', { channel: 'call', direction: 'outbound', note: `call ${i}`, by: 'ravi' });
    const state = await client.getProspect(id);
    expect(await stored()).toEqual({ version: result.version, stage: 'contact', events: projectProspect(state).events.length });
  }
  const qualified = await client.run(id, 'qualify', { outcome: 'qualified', by: 'ravi' });
  expect(await stored()).toMatchObject({ version: qualified.version, stage: 'qualification' });
  const history = await quietHistory(raw.workflow.getHandle(workflowId));
  const events = history.events ?? [];
  expect(activitiesScheduled(history).filter((name) => name === 'recordReadModel')).toHaveLength(0);
  expect(events.filter((e) => e.timerStartedEventAttributes)).toHaveLength(0);
  // Started in the current generation: no patch marker, and so no TemporalChangeVersion upsert.
  expect(events.filter((e) => e.markerRecordedEventAttributes)).toHaveLength(0);
  const upserted = events.flatMap((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}));
  expect(upserted).toContain('SalesStage');
  expect(upserted).not.toContain('TemporalChangeVersion');
});

test('creates racing for one id end in one prospect: one is created, the others answer with it; a later create changes nothing', async () => {
  const id = `race-${uniq}`;
  const results = await Promise.all(Array.from({ length: 6 }, (_, k) => stack.client.createProspect({ id, name: `Racer ${k}`, rep: 'ravi' }, fastProcess)));
  const created = results.filter((r) => r.created);
  expect(created).toHaveLength(1);
  for (const r of results) expect(r.state.info.name).toBe(created[0]!.state.info.name);
  const again = await stack.client.createProspect({ id, name: 'Late Comer', rep: 'ravi' }, fastProcess);
  expect(again).toMatchObject({ created: false, state: { info: { name: created[0]!.state.info.name } } });
  // One run (visibility may take a moment to show it).
  const runs = await eventually(async () => {
    const { count } = await stack.raw.workflow.count(`WorkflowId = '${prospectWorkflowId(id)}'`);
    if (count === 0) throw new Error('not listed yet');
    return count;
  });
  expect(runs).toBe(1);
});

test('a prospect started for a newer code generation waits for an upgraded worker: its workflow task fails, saying so, and nothing runs', async () => {
  const id = `future-${uniq}`;
  const handle = await stack.raw.workflow.start<typeof prospectWorkflow>('prospectWorkflow', {
    workflowId: prospectWorkflowId(id),
    taskQueue: stack.taskQueue,
    args: [{ info: { id, name: 'Fay Future', rep: 'ravi' }, process: fastProcess, generation: PROSPECT_GENERATION + 1 }],
  });
  try {
    const failure = await eventually(async () => {
      const events = (await handle.fetchHistory()).events ?? [];
      const failed = events.find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes;
      if (!failed) throw new Error('no failed workflow task yet');
      return { message: failed.failure?.message, completed: events.filter((e) => e.workflowTaskCompletedEventAttributes).length };
    });
    expect(failure.message).toContain(`started for code generation ${PROSPECT_GENERATION + 1}, but this worker's code knows generations up to ${PROSPECT_GENERATION}: upgrade the worker`);
    expect(failure.completed).toBe(0);
    expect((await handle.describe()).status.name).toBe('RUNNING');
  } finally {
    await handle.terminate('test over');
  }
});
