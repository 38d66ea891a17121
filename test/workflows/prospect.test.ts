import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { SalesflowClient } from '../../client/pipeline/salesflowClient';
import { prospectWorkflowId, type ProspectState } from '../../domain/pipeline/prospect';
import { startTimeSkippingStack, quietHistory } from '../helpers/temporal';

/**
 * The prospect lifecycle on the time-skipping server: days of quotation validity pass in
 * seconds, and every mail goes over real SMTP to a sink on loopback.
 */

type Stack = Awaited<ReturnType<typeof startTimeSkippingStack>>;
let stack: Stack;
let client: SalesflowClient;

beforeAll(async () => {
  stack = await startTimeSkippingStack();
  client = stack.client;
});
afterAll(async () => {
  await stack?.close();
});

const DAY = 86_400_000;

async function prospectAtQuotation(id: string, email = `${id}@customer.test`): Promise<ProspectState> {
  await client.createProspect({ id, name: `Buyer ${id}`, company: 'Customer Ltd', email, rep: 'alice' });
  await client.command(id, 'logContact', { channel: 'call', note: 'first call', by: 'alice' });
  await client.command(id, 'qualify', { answers: { budget: 10_000, need: 'widgets' }, outcome: 'qualified', by: 'alice' });
  await client.command(id, 'createInquiry', { items: [{ product: 'WIDGET', quantity: 100 }], by: 'alice' });
  return client.command(id, 'createQuote', { lines: [{ product: 'WIDGET', quantity: 100, unitPrice: '12.5', discountPercent: '10' }], by: 'alice' });
}

/** The document hash the workflow recorded on revision 1 once it stored the PDF. */
async function eventuallyHash(id: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const hash = (await client.getProspect(id)).quotes[0]?.documentSha256;
    if (hash) return hash;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no document hash recorded');
}

test('happy path: contact to won, with the binding quotation mailed to the customer', async () => {
  const drafted = await prospectAtQuotation('happy');
  expect(drafted.stage).toBe('quotation');
  expect(drafted.quotes[0]).toMatchObject({ revision: 1, status: 'draft', totals: { netCents: 112_500 } });

  const sent = await client.command('happy', 'sendQuote', { by: 'alice' });
  expect(sent.quotes[0]?.status).toBe('sent');
  const mail = await stack.sink.waitFor((m) => m.messageId === '<prospect-happy.quote-r1-sent@salesflow.invalid>');
  expect(mail.recipients).toContain('happy@customer.test');
  // An HTML mail with a text part, from the rep on the company's address, replies routed
  // back to salesflow, the quotation PDF attached.
  const parsed = await simpleParser(mail.raw);
  expect(parsed.from?.value[0]).toEqual({ name: 'Alice Rep', address: 'sales@example.com' });
  expect(parsed.replyTo?.value[0]?.address).toBe('replies+p.happy@salesflow.localhost');
  expect(parsed.text).toContain('Net total: €1,125.00');
  expect(parsed.html).toContain('€1,125.00');
  expect(parsed.attachments.map((a) => [a.filename, a.contentType])).toEqual([['Q-happy-1.pdf', 'application/pdf']]);
  const recorded = await eventuallyHash('happy');
  expect(createHash('sha256').update(parsed.attachments[0]!.content).digest('hex')).toBe(recorded);

  const won = await client.command('happy', 'acceptQuote', { by: 'alice' });
  expect(won.stage).toBe('won');
  expect(won.quotes[0]?.status).toBe('accepted');
  expect((await client.getProspect('happy')).stage).toBe('won');
});

test('creating an existing prospect again is idempotent', async () => {
  const first = await client.createProspect({ id: 'twice', name: 'Twice', rep: 'bob' });
  await client.command('twice', 'logContact', { channel: 'visit', by: 'bob' });
  const handle = stack.raw.workflow.getHandle(prospectWorkflowId('twice'));
  const runBefore = (await handle.describe()).runId;
  const again = await client.createProspect({ id: 'twice', name: 'Someone Else', rep: 'carol' });
  expect(first.created).toBe(true);
  expect(again.created).toBe(false);
  expect(again.state.info.name).toBe('Twice');
  expect(again.state.contacts).toHaveLength(1);
  expect((await handle.describe()).runId).toBe(runBefore);
});

test('a rejected quotation loses the prospect with its reason', async () => {
  await prospectAtQuotation('reject');
  await client.command('reject', 'sendQuote', { by: 'alice' });
  const lost = await client.command('reject', 'rejectQuote', { reason: 'too expensive', by: 'alice' });
  expect(lost.stage).toBe('lost');
  expect(lost.lostReason).toContain('too expensive');
  expect(lost.quotes[0]).toMatchObject({ status: 'rejected', reason: 'too expensive' });
});

test('disqualification and mark-lost close the prospect as lost', async () => {
  await client.createProspect({ id: 'dq', name: 'No Budget', rep: 'bob' });
  const dq = await client.command('dq', 'qualify', { outcome: 'disqualified', reason: 'no budget', by: 'bob' });
  expect(dq).toMatchObject({ stage: 'lost', lostReason: 'disqualified: no budget', qualification: { outcome: 'disqualified' } });

  await prospectAtQuotation('gone');
  const gone = await client.command('gone', 'markLost', { reason: 'went with a competitor', by: 'alice' });
  expect(gone).toMatchObject({ stage: 'lost', lostReason: 'went with a competitor' });
});

test('a sent quotation changes only by a new revision that supersedes it', async () => {
  await prospectAtQuotation('revise');
  await client.command('revise', 'sendQuote', { by: 'alice' });
  const revised = await client.command('revise', 'changeQuote', { lines: [{ product: 'WIDGET', quantity: 100, unitPrice: '11' }], by: 'alice' });
  expect(revised.quotes.map((q) => [q.revision, q.status])).toEqual([
    [1, 'superseded'],
    [2, 'draft'],
  ]);
  expect(revised.quotes[0]?.totals.netCents).toBe(112_500);
  expect(revised.quotes[1]?.totals.netCents).toBe(110_000);
});

test('stale quotation: reminder to the rep, escalation to the manager, then expiry and a follow-up task', async () => {
  await prospectAtQuotation('stale');
  const sent = await client.command('stale', 'sendQuote', { by: 'alice' });
  const sentAt = Date.parse(sent.quotes[0]!.sentAt!);

  // Default process: stale after 3 days, escalate after 7, valid for 30.
  await stack.env.sleep(3 * DAY + 60_000);
  const reminder = await stack.sink.waitFor((m) => m.messageId === '<prospect-stale.quote-r1-reminder@salesflow.invalid>');
  expect(reminder.recipients).toEqual(['alice@example.com']);
  let state = await client.getProspect('stale');
  expect(Date.parse(state.quotes[0]!.remindedAt!) - sentAt).toBeGreaterThanOrEqual(3 * DAY);
  expect(state.quotes[0]!.escalatedAt).toBeUndefined();

  await stack.env.sleep(4 * DAY);
  const escalation = await stack.sink.waitFor((m) => m.messageId === '<prospect-stale.quote-r1-escalation@salesflow.invalid>');
  expect(escalation.recipients).toContain('maria@example.com');
  state = await client.getProspect('stale');
  expect(state.escalations.map((e) => e.kind)).toEqual(['quote_reminder', 'quote_escalation']);
  expect(state.quotes[0]!.status).toBe('sent');

  await stack.env.sleep(23 * DAY);
  const taskMail = await stack.sink.waitFor((m) => m.messageId === '<prospect-stale.task-stale-T1@salesflow.invalid>');
  expect(taskMail.recipients).toEqual(['alice@example.com']);
  state = await client.getProspect('stale');
  expect(state.quotes[0]!.status).toBe('expired');
  expect(state.stage).toBe('quotation');
  expect(state.tasks).toEqual([expect.objectContaining({ id: 'stale-T1', kind: 'follow_up', state: 'open', rep: 'alice' })]);
  // Each mail went out exactly once.
  const ids = stack.sink.messages.map((m) => m.messageId).filter((id) => id.includes('prospect-stale.'));
  expect(new Set(ids).size).toBe(ids.length);

  const done = await client.command('stale', 'completeTask', { taskId: 'stale-T1', outcome: 'called, requoting', by: 'alice' });
  expect(done.tasks[0]).toMatchObject({ state: 'done', outcome: 'called, requoting' });
});

test('an inbound contact after sending stops the reminders', async () => {
  await prospectAtQuotation('answered');
  await client.command('answered', 'sendQuote', { by: 'alice' });
  await stack.env.sleep(DAY);
  await client.command('answered', 'logContact', { channel: 'email', direction: 'inbound', note: 'reviewing internally', by: 'alice' });
  await stack.env.sleep(8 * DAY);
  const state = await client.getProspect('answered');
  expect(state.quotes[0]!.remindedAt).toBeUndefined();
  expect(state.escalations).toEqual([]);
  expect(stack.sink.messages.some((m) => m.messageId.includes('prospect-answered.quote-r1-reminder'))).toBe(false);
});

test('contacts while a quotation waits keep its one deadline timer; accepting it cancels the timer', async () => {
  await prospectAtQuotation('patient');
  await client.command('patient', 'sendQuote', { by: 'alice' });
  await eventuallyHash('patient');
  for (const note of ['left a voicemail', 'sent the datasheet', 'called again']) {
    await client.command('patient', 'logContact', { channel: 'call', direction: 'outbound', note, by: 'alice' });
  }
  const timers = async () => {
    const events = (await stack.raw.workflow.getHandle(prospectWorkflowId('patient')).fetchHistory()).events ?? [];
    return { started: events.filter((e) => e.timerStartedEventAttributes).length, cancelled: events.filter((e) => e.timerCanceledEventAttributes).length };
  };
  // The mail going out and three contacts woke the prospect four times: one timer all along.
  expect(await timers()).toEqual({ started: 1, cancelled: 0 });
  await client.command('patient', 'acceptQuote', { by: 'alice' });
  expect(await timers()).toEqual({ started: 1, cancelled: 1 });
});

describe('refused commands leave the prospect untouched', () => {
  const refusals: [string, Parameters<SalesflowClient['command']>[1], unknown, RegExp][] = [
    ['accept before any quotation is sent', 'acceptQuote', { by: 'x' }, /cannot accept the quotation: revision 1 is draft/],
    ['send with an unknown field type', 'sendQuote', { by: 42 }, /invalid send: by/],
    ['create a second quotation', 'createQuote', { lines: [{ product: 'W', quantity: 1, unitPrice: '1' }] }, /cannot create a quotation in stage quotation/],
    ['an inquiry item with quantity 0', 'changeInquiry', { items: [{ product: 'W', quantity: 0 }] }, /items\[0\]\.quantity: must be at least 1/],
    ['a price with three decimals', 'changeQuote', { lines: [{ product: 'W', quantity: 1, unitPrice: '1.005' }] }, /lines\[0\]\.unitPrice: "1\.005" is not a price: write digits with at most two decimals, like 1999\.90/],
    ['qualify again', 'qualify', { outcome: 'qualified' }, /cannot qualify in stage quotation/],
    ['reject without a reason', 'rejectQuote', { reason: '' }, /reason: a reason is required/],
    ['a contact on an unknown channel', 'logContact', { channel: 'pigeon' }, /channel/],
    ['complete a task that does not exist', 'completeTask', { taskId: 'nope-T9', outcome: 'x' }, /no task nope-T9/],
  ];

  // The test server records a workflow task for every update, refused or not (the real
  // server's are speculative and vanish; the dev-server test checks that), so compare
  // the events that carry meaning.
  const meaningfulEvents = async () =>
    ((await quietHistory(stack.raw.workflow.getHandle(prospectWorkflowId('refuse')))).events ?? []).filter(
      (e) => !e.workflowTaskScheduledEventAttributes && !e.workflowTaskStartedEventAttributes && !e.workflowTaskCompletedEventAttributes,
    );
  let before: ProspectState;
  let eventsBefore: number;
  beforeAll(async () => {
    before = await prospectAtQuotation('refuse');
    eventsBefore = (await meaningfulEvents()).length;
  });

  test.each(refusals)('%s', async (_what, name, args, message) => {
    await expect(client.command('refuse', name, args)).rejects.toThrow(message);
    expect(await client.getProspect('refuse')).toEqual(before);
  });

  test('and no refused update reached the history', async () => {
    const events = await meaningfulEvents();
    // Only the four commands that built the prospect were accepted.
    expect(events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(4);
    expect(events).toHaveLength(eventsBefore);
  });
});
