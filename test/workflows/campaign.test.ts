import { CampaignClient } from '../../client/campaign/campaignClient';
import { campaignMessageId } from '../../domain/campaign/campaign';
import { campaignWorkflowId } from '../../workflows/campaign/contract';
import { eventually } from '../helpers/eventually';
import { audienceCsv, csvCampaign, mailsByRecipient, recipients } from '../helpers/campaign';
import { startTimeSkippingStack } from '../helpers/temporal';

/**
 * Campaign runs on the time-skipping server: minutes of throttling pass in seconds, mail
 * goes over real SMTP to a sink on loopback.
 */

type Stack = Awaited<ReturnType<typeof startTimeSkippingStack>>;
let stack: Stack;
let campaigns: CampaignClient;

beforeAll(async () => {
  stack = await startTimeSkippingStack();
  campaigns = CampaignClient.fromClient(stack.raw, stack.config);
});
afterAll(async () => {
  await stack?.close();
});

test('the throttle is honoured: 30 recipients at 60 a minute take 20 s of workflow time, in batches of 10', async () => {
  const emails = recipients('slow', 30);
  await campaigns.start(csvCampaign('throttled', audienceCsv(emails), { throttle: 60 }));
  // Without anyone waiting on a result, time runs at wall-clock speed: after the first
  // batch the run sleeps until its next 10 seconds have come.
  await eventually(async () => expect((await campaigns.progress('throttled')).sent).toBe(10));
  await new Promise((r) => setTimeout(r, 1_500));
  expect((await campaigns.progress('throttled')).sent).toBe(10);
  expect(mailsByRecipient(stack.sink.messages, 'campaign-throttled').size).toBe(10);

  const report = await campaigns.result('throttled'); // skips time
  expect(report).toMatchObject({ status: 'completed', total: 30, sent: 30, remaining: 0 });
  const took = Date.parse(report.finishedAt!) - Date.parse(report.sendingSince!);
  expect(took).toBeGreaterThanOrEqual(20_000);
  expect(took).toBeLessThan(60_000);
  expect(mailsByRecipient(stack.sink.messages, 'campaign-throttled').size).toBe(30);
});

test('pause, resume and cancel are validated updates; a refused one changes nothing', async () => {
  const emails = recipients('steer', 40);
  await campaigns.start(csvCampaign('steered', audienceCsv(emails), { throttle: 60 }));
  await eventually(async () => expect((await campaigns.progress('steered')).sent).toBe(10));

  await expect(campaigns.command('steered', 'resume', { by: 'ops' })).rejects.toThrow('cannot resume campaign steered: it is running');
  const paused = await campaigns.command('steered', 'pause', { by: 'ops', reason: 'check the list' });
  expect(paused.status).toBe('paused');
  await expect(campaigns.command('steered', 'pause', { by: 'ops' })).rejects.toThrow('cannot pause campaign steered: it is paused');

  // Paused for a simulated hour: nothing goes out.
  await stack.env.sleep('1h');
  expect(await campaigns.progress('steered')).toMatchObject({ status: 'paused', sent: 10, remaining: 30 });

  await campaigns.command('steered', 'resume', { by: 'ops' });
  await eventually(async () => expect((await campaigns.progress('steered')).sent).toBe(20));
  const cancelled = await campaigns.command('steered', 'cancel', { by: 'ops', reason: 'wrong offer' });
  expect(cancelled.status).toBe('cancelled');
  const report = await campaigns.result('steered');
  expect(report).toMatchObject({ status: 'cancelled', sent: 20, remaining: 20 });
  expect(mailsByRecipient(stack.sink.messages, 'campaign-steered').size).toBe(20);
  const state = await campaigns.state('steered');
  expect(state.changes.map((c) => `${c.by}: ${c.what}`)).toEqual(['ops: pause: check the list', 'ops: resume', 'ops: cancel: wrong offer']);
  await expect(campaigns.command('steered', 'resume', { by: 'ops' })).rejects.toThrow('campaign steered has ended');
});

test('suppressed addresses are skipped and counted, never mailed', async () => {
  const emails = recipients('consent', 12);
  await campaigns.suppress({ email: emails[3]!.toUpperCase(), reason: 'unsubscribed', source: 'test' });
  await campaigns.suppress({ email: emails[7]!, reason: 'manual', detail: 'asked by phone' });
  const entry = await campaigns.suppress({ email: emails[7]!, reason: 'bounced' });
  expect(entry.reason).toBe('manual'); // the first reason stays

  await campaigns.start(csvCampaign('consent', audienceCsv(emails)));
  const report = await campaigns.result('consent');
  expect(report).toMatchObject({ status: 'completed', total: 12, sent: 10, skipped: 2, failed: 0 });
  expect(report.exceptions.map((e) => [e.email, e.status, e.reason])).toEqual([
    [emails[3], 'skipped', 'suppressed: unsubscribed'],
    [emails[7], 'skipped', 'suppressed: manual (asked by phone)'],
  ]);
  const got = mailsByRecipient(stack.sink.messages, 'campaign-consent');
  expect(got.has(emails[3]!)).toBe(false);
  expect(got.has(emails[7]!)).toBe(false);
  expect(got.size).toBe(10);
});

test('an audience larger than one history holds continues-as-new and mails everyone exactly once', async () => {
  const emails = recipients('big', 150);
  // Each batch of 5 costs a few events; with a cap of 40 events per run, 30 batches need many runs.
  const { runId } = await campaigns.start(csvCampaign('continued', audienceCsv(emails)), { batchSize: 5, continueAsNewAfterEvents: 40 });
  const report = await campaigns.result('continued');
  expect(report).toMatchObject({ status: 'completed', total: 150, sent: 150, remaining: 0 });
  expect(report.runs).toBeGreaterThanOrEqual(4);

  const got = mailsByRecipient(stack.sink.messages, 'campaign-continued');
  expect(got.size).toBe(150);
  for (const email of emails) expect(got.get(email)).toEqual([campaignMessageId(campaignWorkflowId('continued'), email)]);

  // The first run handed over after about 40 events, where a single run would have needed
  // some 200 for the whole audience.
  const first = await stack.raw.workflow.getHandle(campaignWorkflowId('continued'), runId).fetchHistory();
  const events = first.events ?? [];
  expect(events.length).toBeLessThan(60);
  expect(events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
  const last = await stack.raw.workflow.getHandle(campaignWorkflowId('continued')).fetchHistory();
  expect(last.events?.length ?? 0).toBeLessThan(60);
});
