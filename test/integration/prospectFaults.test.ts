import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { ProcessDefinitionInput } from '../../domain/process/process';
import { prospectWorkflowId, type ProspectState } from '../../domain/pipeline/prospect';
import { RECORD_WINDOW, recordVersion } from '../../domain/pipeline/record';
import { MailSink } from '../../scripts/mailSink';
import { projectProspect } from '../../domain/reporting/projection';
import { ProspectSA, contactObserved, contactsObserved } from '../../workflows/pipeline/contract';
import { completeTaskUpdate, getTask, taskWorkflowId, type TaskView } from '../../workflows/tasks/contract';
import { eventually } from '../helpers/eventually';
import { activitiesScheduled, replayOptions, settledHistory, signalsReceived, startDevServerStack, type TestStack } from '../helpers/temporal';
import { decompressPayload } from '../../client/shared/payloadCompression';
import { customerIdFor } from '../../domain/customer/customer';
import { customerWorkflowId, getCustomer } from '../../workflows/customer/contract';

/**
 * The prospect and task workflows under faults, on the dev server with mail over real
 * SMTP: a worker away across several deadlines, an SMTP outage while calls are moved and
 * deadlines fall due, a prospect that is gone, a malformed completion, a years-long record.
 */

let stack: TestStack & { close(): Promise<void> };
/** Read-model writes to hold up, per prospect workflow id: how many, and for how long. */
const slowWrites = new Map<string, { left: number; ms: number }>();
/** Read-model writes to fail, per prospect workflow id: how many. */
const failingWrites = new Map<string, number>();
/** Deal bookings within the task to fail, per prospect id: how many. */
const failingDealReports = new Map<string, number>();
beforeAll(async () => {
  // Sessions closed at once when the sink stops, so an outage starts when the test says.
  stack = await startDevServerStack({
    sink: await new MailSink({ closeTimeoutMs: 100 }).start(),
    dealReportFaults: {
      beforeDealReport: async ({ deal }) => {
        const failing = failingDealReports.get(deal.prospectId) ?? 0;
        if (failing === 0) return;
        failingDealReports.set(deal.prospectId, failing - 1);
        throw new Error('the account could not be reached (test)');
      },
    },
    reportingFaults: {
      beforeWrite: async (batch) => {
        const failing = failingWrites.get(batch.workflowId) ?? 0;
        if (failing > 0) {
          failingWrites.set(batch.workflowId, failing - 1);
          throw new Error('the database refused the write (test)');
        }
        const slow = slowWrites.get(batch.workflowId);
        if (!slow || slow.left === 0) return;
        slow.left--;
        await new Promise((resolve) => setTimeout(resolve, slow.ms));
      },
    },
  });
});
afterAll(async () => {
  await stack?.close();
});

const uniq = Date.now().toString(36);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Second-scale SLAs: a first call due 3 s after qualification, escalated 3 s later. */
function process(name: string, quotePolicy: ProcessDefinitionInput['quotePolicy']): ProcessDefinitionInput {
  return {
    name,
    teams: [
      {
        name: 'sales',
        manager: { id: 'nina', email: 'nina@faults.test' },
        reps: [{ id: 'ravi', name: 'Ravi Rep', email: 'ravi@faults.test' }],
      },
    ],
    tasks: { qualified: [{ kind: 'call', title: 'First call with {{name}}', due: '3s', escalateAfter: '3s' }] },
    calls: { escalateAfter: '2s', defaultDuration: '1s' },
    quotePolicy,
  };
}

async function sentQuote(client: TestStack['client'], id: string, definition: ProcessDefinitionInput): Promise<ProspectState> {
  await client.createProspect({ id, name: 'Sam Silent', email: 'sam@silent.test', rep: 'ravi' }, definition);
  await client.command(id, 'qualify', { outcome: 'qualified', by: 'ravi' });
  await client.command(id, 'createInquiry', { items: [{ product: 'VALVE', quantity: 10 }], by: 'ravi' });
  await client.command(id, 'createQuote', { lines: [{ product: 'VALVE', quantity: 10, unitPrice: '5' }], by: 'ravi' });
  return client.command(id, 'sendQuote', { by: 'ravi' });
}

/** The signals a prospect's history received and the activities it scheduled, by name. */
async function historyOf(id: string): Promise<{ signals: string[]; activities: string[] }> {
  const history = await stack.raw.workflow.getHandle(prospectWorkflowId(id)).fetchHistory();
  return { signals: signalsReceived(history), activities: activitiesScheduled(history) };
}

async function wonDealOf(customerId: string, prospectId: string) {
  return eventually(async () => {
    const account = await stack.raw.workflow.getHandle(customerWorkflowId(customerId)).query(getCustomer);
    const deal = account.deals.find((d) => d.prospectId === prospectId);
    if (deal?.status !== 'won') throw new Error(`the account has no won deal ${prospectId} yet`);
    return deal;
  }, 30_000);
}

test('a won deal is booked on its account within the workflow task: no activity in the history', async () => {
  const id = `deal-task-${uniq}`;
  await sentQuote(stack.client, id, process(`deal-task-${uniq}`, { validity: '3h', staleAfter: '1h', escalateAfter: '2h', followUpDueIn: '1h' }));
  await stack.client.command(id, 'acceptQuote', { by: 'ravi' });
  // The account has it by the time the command has answered: the sink ran within the task.
  const account = await stack.raw.workflow.getHandle(customerWorkflowId(customerIdFor({ id }))).query(getCustomer);
  expect(account.deals.find((d) => d.prospectId === id)?.status).toBe('won');
  expect((await historyOf(id)).activities).not.toContain('reportDealClosed');
});

test('a won deal the worker cannot book within the task is handed back and booked through the activity', async () => {
  const id = `deal-miss-${uniq}`;
  failingDealReports.set(id, 1);
  await sentQuote(stack.client, id, process(`deal-miss-${uniq}`, { validity: '3h', staleAfter: '1h', escalateAfter: '2h', followUpDueIn: '1h' }));
  await stack.client.command(id, 'acceptQuote', { by: 'ravi' });
  const deal = await wonDealOf(customerIdFor({ id }), id);
  expect(deal.netCents).toBe(5_000);
  expect(failingDealReports.get(id)).toBe(0);
  const history = await historyOf(id);
  expect(history.signals).toContain('dealReportMissed');
  expect(history.activities.filter((a) => a === 'reportDealClosed')).toHaveLength(1);
  expect((await stack.client.getProspect(id)).closeReported).toBe(true);
});

function taskHandle(taskId: string) {
  return stack.raw.workflow.getHandle<() => Promise<TaskView>>(taskWorkflowId(taskId));
}

test('every deadline missed while the worker was stopped is applied on its return, in order, with its due time', async () => {
  const id = `away-${uniq}`;
  // Its own worker, stopped across the deadlines; the shared one polls another queue.
  const first = await startDevServerStack();
  const definition = process(`away-${uniq}`, { validity: '1h', staleAfter: '4s', escalateAfter: '8s', followUpDueIn: '1h' });
  const sent = await sentQuote(first.client, id, definition);
  await first.sink.waitFor((m) => m.messageId === `<${prospectWorkflowId(id)}.quote-r1-sent@salesflow.invalid>`);
  const sentAt = Date.parse(sent.quotes[0]!.sentAt!);
  await first.close();

  // Away across the reminder (4 s), the escalation (8 s) and the first call's overdue (3 s)
  // and escalation (6 s).
  await sleep(Math.max(sentAt + 10_000 - Date.now(), 0));
  const back = Date.now();
  const second = await startDevServerStack({ taskQueue: first.taskQueue });
  try {
    const reminder = await second.sink.waitFor((m) => m.messageId === `<${prospectWorkflowId(id)}.quote-r1-reminder@salesflow.invalid>`, 60_000);
    const escalation = await second.sink.waitFor((m) => m.messageId === `<${prospectWorkflowId(id)}.quote-r1-escalation@salesflow.invalid>`, 60_000);
    expect(second.sink.messages.indexOf(reminder)).toBeLessThan(second.sink.messages.indexOf(escalation));
    const state = await eventually(async () => {
      const s = await second.client.getProspect(id);
      if (s.escalations.length < 4) throw new Error(`escalations so far: ${JSON.stringify(s.escalations)}`);
      return s;
    }, 60_000);
    const quoteRecords = state.escalations.filter((e) => e.kind.startsWith('quote_'));
    expect(quoteRecords.map((e) => [e.kind, e.dueAt, e.skipped])).toEqual([
      ['quote_reminder', new Date(sentAt + 4_000).toISOString(), undefined],
      ['quote_escalation', new Date(sentAt + 8_000).toISOString(), undefined],
    ]);
    const taskRecords = state.escalations.filter((e) => e.kind.startsWith('task_'));
    const task = state.tasks[0]!;
    expect(taskRecords.map((e) => [e.kind, e.dueAt])).toEqual([
      ['task_overdue', task.dueAt],
      ['task_escalated', task.escalateAt],
    ]);
    // Each applied after the worker came back, later than it was due.
    for (const record of state.escalations) {
      expect(Date.parse(record.at)).toBeGreaterThanOrEqual(back);
      expect(Date.parse(record.at)).toBeGreaterThan(Date.parse(record.dueAt!));
    }
  } finally {
    await second.close();
  }
});

test('a call cancelled and one moved during an SMTP outage end cancelled and moved, with no escalation', async () => {
  const id = `moved-${uniq}`;
  const { client, sink } = stack;
  await client.createProspect({ id, name: 'Carl Caller', email: 'carl@calls.test', rep: 'ravi' }, process(`moved-${uniq}`, { validity: '30d', staleAfter: '3d', escalateAfter: '7d' }));
  const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
  const one = await client.command(id, 'scheduleCall', { at: soon(4_000), duration: '1s', by: 'ravi' });
  const two = await client.command(id, 'scheduleCall', { at: soon(4_000), duration: '1s', by: 'ravi' });
  const [callOne, callTwo] = two.calls!;
  expect(one.calls).toHaveLength(1);
  await eventually(() => taskHandle(callOne!.taskId).query(getTask));
  await eventually(() => taskHandle(callTwo!.taskId).query(getTask));

  await sink.stop();
  try {
    const later = soon(3_600_000);
    await client.command(id, 'cancelCall', { callId: callOne!.id, reason: 'customer away', by: 'ravi' });
    await client.command(id, 'rescheduleCall', { callId: callTwo!.id, at: later, by: 'ravi' });
    // Past the old due time (5 s) and its escalation (2 s after).
    await sleep(9_000);
    const cancelled = await taskHandle(callOne!.taskId).query(getTask);
    const moved = await taskHandle(callTwo!.taskId).query(getTask);
    expect(cancelled.state).toBe('cancelled');
    expect(moved).toMatchObject({ state: 'open', dueAt: new Date(Date.parse(later) + 1_000).toISOString() });
    const state = await client.getProspect(id);
    expect(state.tasks.map((t) => t.state)).toEqual(['cancelled', 'open']);
    expect(state.escalations).toEqual([]);
    // The cancellation and the moved invitation are still owed, not lost.
    expect(state.outbox.map((m) => m.messageId)).toEqual(
      expect.arrayContaining([callOne!.id, callTwo!.id].map((call) => `<${prospectWorkflowId(id)}.call-${call}-s1@salesflow.invalid>`)),
    );
  } finally {
    await sink.start();
  }
  // Once SMTP is back the queued mail goes out, and still nothing escalates.
  await sink.waitFor((m) => m.messageId === `<${prospectWorkflowId(id)}.call-${callOne!.id}-s1@salesflow.invalid>`, 90_000);
  const after = await eventually(async () => {
    const s = await client.getProspect(id);
    if (s.outbox.length > 0) throw new Error(`${s.outbox.length} mails still queued`);
    return s;
  }, 90_000);
  expect(after.escalations).toEqual([]);
  expect(sink.messages.some((m) => m.messageId.startsWith(`<task-${callOne!.taskId}.`) || m.messageId.startsWith(`<task-${callTwo!.taskId}.`))).toBe(false);
}, 240_000);

test('with SMTP down a quotation deadline still applies and a new task still starts', async () => {
  const id = `outage-${uniq}`;
  const { client, sink, raw } = stack;
  await sink.stop();
  try {
    const sent = await sentQuote(client, id, process(`outage-${uniq}`, { validity: '1h', staleAfter: '3s', escalateAfter: '1h', followUpDueIn: '1h' }));
    const state = await eventually(async () => {
      const s = await client.getProspect(id);
      if (!s.escalations.some((e) => e.kind === 'quote_reminder')) throw new Error('the reminder is not applied yet');
      return s;
    }, 30_000);
    // (The first call's task falls overdue meanwhile too; that is the task workflow's record.)
    expect(state.escalations.filter((e) => e.kind.startsWith('quote_')).map((e) => [e.kind, e.dueAt])).toEqual([['quote_reminder', new Date(Date.parse(sent.quotes[0]!.sentAt!) + 3_000).toISOString()]]);
    // The quotation, the task mail and the reminder wait in the outbox for SMTP.
    expect(state.outbox.map((m) => m.messageId)).toEqual(
      expect.arrayContaining([`<${prospectWorkflowId(id)}.quote-r1-sent@salesflow.invalid>`, `<${prospectWorkflowId(id)}.quote-r1-reminder@salesflow.invalid>`]),
    );
    // A command answers at once and its task's workflow starts.
    const scheduled = await client.command(id, 'scheduleCall', { at: new Date(Date.now() + 3_600_000).toISOString(), by: 'ravi' });
    const taskId = scheduled.calls![0]!.taskId;
    const task = await eventually(() => taskHandle(taskId).query(getTask), 15_000);
    expect(task.state).toBe('open');

    // A history long enough to continue as new: the run does, carrying the outbox over.
    const handle = raw.workflow.getHandle(prospectWorkflowId(id));
    const firstRun = (await handle.describe()).runId;
    for (let sent = 0; sent < 2_100; ) {
      let next = sent;
      sent += 700;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < sent) {
            const n = next++;
            await handle.signal(contactObserved, { channel: 'email', direction: 'inbound', note: `reply ${n}`, by: 'inbox' });
          }
        }),
      );
      await eventually(async () => {
        const s = await client.getProspect(id);
        if ((s.archived?.contacts ?? 0) + s.contacts.length < sent) throw new Error('contacts not logged yet');
      }, 30_000);
    }
    const carried = await eventually(async () => {
      const d = await handle.describe();
      if (d.runId === firstRun) throw new Error(`still the first run, ${d.historyLength} events`);
      return client.getProspect(id);
    }, 30_000);
    expect(carried.outbox.map((m) => m.messageId)).toContain(`<${prospectWorkflowId(id)}.quote-r1-sent@salesflow.invalid>`);
    // The next run's input carries the prospect's info and process once, not again in its state.
    const started = (await handle.fetchHistory()).events![0]!.workflowExecutionStartedEventAttributes!;
    // Stored deflated (client/shared/payloadCompression.ts): it holds the whole process.
    const input = JSON.parse(Buffer.from(decompressPayload(started.input!.payloads![0]!).data!).toString('utf8')) as { info: unknown; process: unknown; state: Record<string, unknown> };
    expect(input.info).toMatchObject({ id });
    expect(input.process).toMatchObject({ name: `outage-${uniq}` });
    expect(Object.keys(input.state)).not.toContain('info');
    expect(Object.keys(input.state)).not.toContain('process');
    expect((input.state.outbox as unknown[]).length).toBeGreaterThan(0);
    // The continued run still keeps visibility current: lists see a stage it set itself.
    await client.command(id, 'markLost', { reason: 'went quiet', by: 'ravi' });
    await eventually(async () => {
      const stage = (await handle.describe()).typedSearchAttributes.get(ProspectSA.stage);
      if (stage !== 'lost') throw new Error(`SalesStage is ${String(stage)}`);
    }, 30_000);
  } finally {
    await sink.start();
  }
  // Nothing was lost on the way: the quotation reaches the customer once SMTP is back.
  const quotation = await sink.waitFor((m) => m.messageId === `<${prospectWorkflowId(id)}.quote-r1-sent@salesflow.invalid>`, 90_000);
  expect(quotation.recipients).toContain('sam@silent.test');
}, 180_000);

test('a task whose prospect is gone closes itself at its due time', async () => {
  const id = `orphan-${uniq}`;
  const { client, raw } = stack;
  await client.createProspect({ id, name: 'Otto Orphan', rep: 'ravi' }, process(`orphan-${uniq}`, { validity: '30d', staleAfter: '3d', escalateAfter: '7d' }));
  await client.command(id, 'qualify', { outcome: 'qualified', by: 'ravi' });
  const handle = taskHandle(`${id}-T1`);
  await eventually(() => handle.query(getTask));
  await raw.workflow.getHandle(prospectWorkflowId(id)).terminate('deleted by an operator');
  const result = await Promise.race([handle.result(), sleep(30_000).then(() => Promise.reject(new Error('the task kept running')))]);
  expect(result).toMatchObject({ state: 'cancelled', outcome: 'the prospect no longer runs' });
  // Nobody was reminded of a task nobody can act on.
  expect(stack.sink.messages.some((m) => m.messageId.startsWith(`<task-${id}-T1.`))).toBe(false);
});

test('an escalated task whose prospect is gone closes itself within an escalation interval', async () => {
  const id = `orphan2-${uniq}`;
  const { client, raw } = stack;
  await client.createProspect({ id, name: 'Olga Orphan', rep: 'ravi' }, process(`orphan2-${uniq}`, { validity: '30d', staleAfter: '3d', escalateAfter: '7d' }));
  await client.command(id, 'qualify', { outcome: 'qualified', by: 'ravi' });
  const handle = taskHandle(`${id}-T1`);
  await eventually(async () => {
    const task = await handle.query(getTask);
    if (task.state !== 'escalated') throw new Error(`task is ${task.state}`);
  }, 30_000);
  await raw.workflow.getHandle(prospectWorkflowId(id)).terminate('deleted by an operator');
  // Nothing falls due any more; the task looks in on its prospect every 3 s (its escalation interval).
  const result = await Promise.race([handle.result(), sleep(30_000).then(() => Promise.reject(new Error('the task kept running')))]);
  expect(result).toMatchObject({ state: 'cancelled', outcome: 'the prospect no longer runs' });
});

test('a malformed task completion is refused by the validator and the task stays open', async () => {
  const id = `malformed-${uniq}`;
  const { client } = stack;
  await client.createProspect({ id, name: 'Mal Formed', rep: 'ravi' }, process(`malformed-${uniq}`, { validity: '30d', staleAfter: '3d', escalateAfter: '7d' }));
  const scheduled = await client.command(id, 'scheduleCall', { at: new Date(Date.now() + 3_600_000).toISOString(), by: 'ravi' });
  const handle = taskHandle(scheduled.calls![0]!.taskId);
  await eventually(() => handle.query(getTask));
  const refusal = (payload: unknown) =>
    Promise.race([
      handle.executeUpdate(completeTaskUpdate, { args: [payload as never] }).then(
        () => 'accepted',
        (err: unknown) => (err instanceof WorkflowUpdateFailedError ? (err.cause?.message ?? err.message) : String(err)),
      ),
      sleep(10_000).then(() => 'no answer'),
    ]);
  expect(await refusal({ outcome: 'reached', note: 42 })).toMatch(/^invalid task completion: note\b/);
  expect(await refusal({ outcome: 'reached', by: 7 })).toMatch(/^invalid task completion: by\b/);
  expect(await refusal(null)).toMatch(/^invalid task completion/);
  expect(await refusal({ outcome: '  ' })).toMatch(/^invalid task completion: outcome\b/);
  expect((await handle.query(getTask)).state).toBe('open');
  const done = await handle.executeUpdate(completeTaskUpdate, { args: [{ outcome: 'reached', by: 'ravi' }] });
  expect(done).toMatchObject({ state: 'done', outcome: 'reached' });
});

test(`a prospect with 20,000 logged contacts keeps a window of ${RECORD_WINDOW}, still takes commands and replays`, async () => {
  const id = `longlived-${uniq}`;
  const { client, raw } = stack;
  await client.createProspect({ id, name: 'Lona Long', rep: 'ravi' }, process(`longlived-${uniq}`, { validity: '30d', staleAfter: '3d', escalateAfter: '7d' }));
  const handle = raw.workflow.getHandle(prospectWorkflowId(id));
  const total = 20_000;
  const batch = 100;
  // Years of contacts observed by the system (campaign mails, replies), in batches.
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < total) {
        const from = next;
        next += batch;
        const contacts = Array.from({ length: batch }, (_, i) => ({ channel: 'email' as const, direction: 'outbound' as const, note: `mail ${from + i}`, by: 'campaign' }));
        await handle.signal(contactsObserved, contacts);
      }
    }),
  );
  const state = await eventually(async () => {
    const s = await client.getProspect(id);
    const count = (s.archived?.contacts ?? 0) + s.contacts.length;
    if (count < total) throw new Error(`${count} of ${total} contacts logged so far`);
    return s;
  }, 60_000);
  expect(state.contacts).toHaveLength(RECORD_WINDOW);
  expect(state.archived?.contacts).toBe(total - RECORD_WINDOW);
  expect(state.changes).toHaveLength(RECORD_WINDOW);
  // The whole prospect stays small enough to carry over and to query.
  expect(JSON.stringify(state).length).toBeLessThan(250_000);

  // Still takes commands, answered with a small result; the prospect is re-read by query.
  const result = await client.run(id, 'qualify', { outcome: 'qualified', by: 'ravi' });
  expect(result).toEqual({ version: expect.any(Number), stage: 'qualification', summary: expect.stringMatching(/qualified.*; task .*-T1 for ravi/) });
  expect(JSON.stringify(result).length).toBeLessThan(500);
  const qualified = await client.getProspect(id);
  expect(result.version).toBe((qualified.archived?.changes ?? 0) + qualified.changes.length);
  expect(result.version).toBeGreaterThan(total);
  expect(qualified.tasks).toHaveLength(1);

  // The history of the run that logged them all replays on today's code.
  const history = await settledHistory(handle);
  expect(history.events!.length).toBeGreaterThan(total / batch);
  await Worker.runReplayHistory(replayOptions(), history, id);
}, 90_000);

test('a read-model write that fails within the workflow task is handed back and written through the activity, every event of it', async () => {
  const id = `failfeed-${uniq}`;
  const { client, raw, database } = stack;
  const workflowId = prospectWorkflowId(id);
  failingWrites.set(workflowId, 1);
  await client.createProspect({ id, name: 'Fay Failing', rep: 'ravi' }, process(`failfeed-${uniq}`, { validity: '30d', staleAfter: '3d', escalateAfter: '7d' }));
  await client.command(id, 'logContact', { channel: 'call', direction: 'outbound', note: 'first call', by: 'ravi' });
  // The start's write failed; the command's went within its task; the start's events come
  // with the activity's full write.
  await eventually(async () => {
    const expected = projectProspect(await client.getProspect(id)).events.length;
    const row = await database.db.selectFrom('report_events').where('workflow_id', '=', workflowId).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(row.n)).toBe(expected);
    const snapshot = await database.db.selectFrom('report_prospects').select('version').where('workflow_id', '=', workflowId).executeTakeFirstOrThrow();
    expect(snapshot.version).toBe(recordVersion(await client.getProspect(id)));
  }, 30_000);
  expect(failingWrites.get(workflowId)).toBe(0);
  const history = await settledHistory(raw.workflow.getHandle(workflowId));
  expect(signalsReceived(history).filter((name) => name === 'readModelMissed').length).toBeGreaterThanOrEqual(1);
  expect(activitiesScheduled(history).filter((name) => name === 'recordReadModel').length).toBeGreaterThanOrEqual(1);
  await Worker.runReplayHistory(replayOptions(), history, workflowId);
});

test('a read-model write slower than a workflow task, while contacts arrive, wedges nothing and the history replays', async () => {
  const id = `slowfeed-${uniq}`;
  const { client, raw, database } = stack;
  const workflowId = prospectWorkflowId(id);
  // Longer than the workflow task's heartbeat (8 s of its 10 s): a local activity held that
  // long while signals came in made the SDK fail the prospect's replay (and wedge it). A
  // write within the workflow task gives up after 2 s and the worker hands it back: the
  // prospect writes through its activity, whose first attempt is the second slow write.
  slowWrites.set(workflowId, { left: 2, ms: 9_000 });
  await client.createProspect({ id, name: 'Sia Slow', rep: 'ravi' }, process(`slowfeed-${uniq}`, { validity: '30d', staleAfter: '3d', escalateAfter: '7d' }));
  const handle = raw.workflow.getHandle(workflowId);
  for (let i = 0; i < 90; i++) {
    await handle.signal(contactObserved, { channel: 'email', direction: 'outbound', note: `mail ${i}`, by: 'campaign' });
    await sleep(100);
  }
  // Still takes commands while the writes are slow.
  await client.command(id, 'qualify', { outcome: 'qualified', by: 'ravi' });
  // Every event reaches the read model, and the slow writes really happened.
  let expected = 0;
  await eventually(async () => {
    expected = projectProspect(await client.getProspect(id)).events.length;
    const row = await database.db.selectFrom('report_events').where('workflow_id', '=', workflowId).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(row.n)).toBe(expected);
  }, 60_000);
  expect(slowWrites.get(workflowId)?.left).toBe(0);
  expect(expected).toBeGreaterThan(30);
  const history = await settledHistory(handle);
  // Handed back (a signal) and written through the activity, not dropped.
  expect(signalsReceived(history)).toContain('readModelMissed');
  expect(activitiesScheduled(history)).toContain('recordReadModel');
  await Worker.runReplayHistory(replayOptions(), history, workflowId);
}, 120_000);
