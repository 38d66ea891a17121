import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { CampaignClient } from '../../client/campaign/campaignClient';
import { campaignMessageId } from '../../domain/campaign/campaign';
import { campaignWorkflowId } from '../../workflows/campaign/contract';
import { MailSink } from '../../scripts/mailSink';
import { untilPolling } from '../../scripts/workerProcess';
import { audienceCsv, csvCampaign, mailsByRecipient, recipients } from '../helpers/campaign';
import { eventually } from '../helpers/eventually';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { clientInterceptors, temporalClient } from '../../client/shared/temporalConnection';
import { SalesflowClient } from '../../client/pipeline/salesflowClient';
import { prospectWorkflowId } from '../../domain/pipeline/prospect';
import { recordVersion } from '../../domain/pipeline/record';
import { projectProspect } from '../../domain/reporting/projection';

/**
 * The worker as its own process (`node dist/worker/main.js`), killed with SIGKILL. In the
 * middle of prospects' commands: the read model, written within the workflow tasks, ends
 * equal to every prospect. In the middle of a campaign: every recipient is mailed, and a resend (a mail accepted by SMTP
 * just before the kill, before the ledger heard of it) carries the Message-ID of the
 * original. The workers share nothing but Temporal and the salesflow database (each has a
 * working directory and data dir of its own): the campaign store is in PostgreSQL, so a
 * batch begun by one worker process is finished by another.
 */

const WORKER = join(__dirname, '..', '..', 'dist', 'worker', 'main.js');
const address = () => {
  const value = process.env.SALESFLOW_TEST_TEMPORAL_ADDRESS;
  if (!value) throw new Error('run with npm test');
  return value;
};

let sink: MailSink;
let connection: Connection;
let campaigns: CampaignClient;
const taskQueue = `crash-${randomUUID()}`;
let database: TestDatabase;
let worker: ChildProcess | undefined;
const children: ChildProcess[] = [];

function startWorker(queue = taskQueue): ChildProcess {
  const own = mkdtempSync(join(tmpdir(), 'salesflow-worker-'));
  const child = spawn(process.execPath, [WORKER], {
    cwd: own,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: address(),
      SALESFLOW_TASK_QUEUE: queue,
      SMTP_URL: sink.url,
      DATABASE_URL: database.url,
      SALESFLOW_DATA_DIR: join(own, 'data'),
      SALESFLOW_CAMPAIGN_DIR: tmpdir(),
      SMTP_POOL_SIZE: '4',
      SALESFLOW_LOG_LEVEL: 'WARN',
      SALESFLOW_DEV_STACK: '1',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout!.setEncoding('utf8');
  worker = child;
  children.push(child);
  return child;
}

/** The SDK's default worker identity. */
const identityOf = (child: ChildProcess) => `${child.pid}@${hostname()}`;

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  sink = await new MailSink().start();
  database = await freshDatabase();
  connection = await Connection.connect({ address: address(), interceptors: clientInterceptors({ deadline: false }) });
  campaigns = CampaignClient.fromClient(temporalClient({ connection }), { TEMPORAL_ADDRESS: address(), TEMPORAL_NAMESPACE: 'default', SALESFLOW_TASK_QUEUE: taskQueue });
});
afterAll(async () => {
  for (const child of children) await kill(child);
  await connection?.close();
  await sink?.stop();
  await database?.drop();
});

test('a worker killed twice mid-campaign: every recipient mailed, duplicates share the original Message-ID', async () => {
  const id = `crash-${Date.now().toString(36)}`;
  const runKey = campaignWorkflowId(id);
  const emails = recipients(id, 3_000);
  const received = () => mailsByRecipient(sink.messages, runKey).size;

  startWorker();
  await campaigns.start(csvCampaign(id, audienceCsv(emails)), { batchSize: 50 });
  await eventually(async () => expect(received()).toBeGreaterThanOrEqual(300), 60_000, 2);
  await kill(worker!);
  const afterFirstKill = received();
  expect(afterFirstKill).toBeLessThan(3_000);

  startWorker();
  await eventually(async () => expect(received()).toBeGreaterThanOrEqual(afterFirstKill + 600), 60_000, 2);
  await kill(worker!);
  expect(received()).toBeLessThan(3_000);

  startWorker();
  const report = await campaigns.result(id);
  expect(report).toMatchObject({ status: 'completed', total: 3_000, sent: 3_000, failed: 0, remaining: 0 });

  const got = mailsByRecipient(sink.messages, runKey);
  expect(emails.filter((e) => !got.has(e))).toEqual([]);
  const duplicated = emails.filter((e) => got.get(e)!.length > 1);
  for (const email of emails) {
    // Any second copy carries exactly the id of the first.
    expect(new Set(got.get(email))).toEqual(new Set([campaignMessageId(runKey, email)]));
  }
  // Only the mails in flight at each kill can be sent twice: a handful, never a batch.
  expect(duplicated.length).toBeLessThanOrEqual(2 * 64);
  console.log(`SIGKILL test: ${duplicated.length} recipients got a second copy with the same Message-ID`);
}, 240_000);

test('a batch begun on one worker process and retried on another after SIGKILL: nothing lost, any duplicate with the same Message-ID', async () => {
  // A queue of its own, so only these two workers run this campaign.
  const queue = `${taskQueue}-two`;
  const two = CampaignClient.fromClient(temporalClient({ connection }), { TEMPORAL_ADDRESS: address(), TEMPORAL_NAMESPACE: 'default', SALESFLOW_TASK_QUEUE: queue });
  const id = `two-${Date.now().toString(36)}`;
  const runKey = campaignWorkflowId(id);
  const emails = recipients(id, 2_000);
  const received = () => mailsByRecipient(sink.messages, runKey).size;
  const a = startWorker(queue);
  const b = startWorker(queue);
  // Workers as deployed run the bundle `npm run build` wrote, without webpack at start.
  for (const said of await Promise.all([untilPolling(a), untilPolling(b)])) expect(said).toMatch(/workflows +\S*dist\/workflow-bundle\.js/);

  // About 200 mails a second (20 ms a message over 4 connections): a batch of 1,000 takes
  // some 5 s, long enough to kill its worker in the middle.
  sink.faults = { delayMs: 20 };
  try {
    await two.start(csvCampaign(id, audienceCsv(emails)), { batchSize: 1_000 });
    await eventually(async () => expect(received()).toBeGreaterThanOrEqual(200), 60_000, 2);
    const pending = (await connection.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId: runKey } })).pendingActivities ?? [];
    const batch = pending.find((p) => p.activityType?.name === 'sendCampaignBatch');
    const first = [a, b].find((c) => identityOf(c) === batch?.lastWorkerIdentity);
    expect(first).toBeDefined();
    const other = first === a ? b : a;
    await kill(first!);
    const atKill = received();
    expect(atKill).toBeLessThan(1_000);

    // The heartbeat timeout (30 s) hands the batch to the worker still alive.
    const report = await two.result(id);
    expect(report).toMatchObject({ status: 'completed', total: 2_000, sent: 2_000, failed: 0, remaining: 0 });

    const history = await temporalClient({ connection }).workflow.getHandle(runKey).fetchHistory();
    const events = history.events ?? [];
    const firstBatch = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendCampaignBatch');
    const started = events.find((e) => e.activityTaskStartedEventAttributes && String(e.activityTaskStartedEventAttributes.scheduledEventId) === String(firstBatch?.eventId));
    expect(started?.activityTaskStartedEventAttributes).toMatchObject({ attempt: 2, identity: identityOf(other) });
  } finally {
    sink.faults = {};
  }

  const got = mailsByRecipient(sink.messages, runKey);
  expect(emails.filter((e) => !got.has(e))).toEqual([]);
  for (const email of emails) expect(new Set(got.get(email))).toEqual(new Set([campaignMessageId(runKey, email)]));
  const duplicated = emails.filter((e) => got.get(e)!.length > 1);
  // A mail holds its slot until its ledger row is committed: at most the 16 slots (4 per
  // connection) in flight at the kill can be sent twice.
  expect(duplicated.length).toBeLessThanOrEqual(16);
  const ledger = await database.db.selectFrom('campaign_ledger').select(({ fn }) => [fn.countAll<string>().as('n')]).where('run_key', '=', runKey).where('status', '=', 'sent').executeTakeFirstOrThrow();
  expect(Number(ledger.n)).toBe(2_000);
  console.log(`two workers: the batch moved after SIGKILL; ${duplicated.length} recipients got a second copy with the same Message-ID`);
}, 240_000);

test('prospects worked while their worker is SIGKILLed: the read model ends equal to every prospect, nothing lost or left over', async () => {
  // Written within each workflow task, before the task completes: a task cut short by the
  // kill runs again on the next worker and writes again; nothing is written on replay.
  const queue = `${taskQueue}-reads`;
  const sales = SalesflowClient.fromClient(temporalClient({ connection }), { TEMPORAL_ADDRESS: address(), TEMPORAL_NAMESPACE: 'default', SALESFLOW_TASK_QUEUE: queue });
  const ids = Array.from({ length: 12 }, (_, k) => `rm-${Date.now().toString(36)}-${k}`);
  const steps: [Parameters<SalesflowClient['run']>[1], Record<string, unknown>][] = [
    ['logContact', { channel: 'call', direction: 'outbound', note: 'first call', by: 'alice' }],
    ['logContact', { channel: 'visit', direction: 'outbound', note: 'visit', by: 'alice' }],
    ['qualify', { answers: { budget: 5000, authority: 'CEO' }, outcome: 'qualified', by: 'alice' }],
    ['logContact', { channel: 'email', direction: 'inbound', note: 'asked for a price', by: 'alice' }],
    ['createInquiry', { items: [{ product: 'PUMP-X', quantity: 2 }], by: 'alice' }],
  ];
  const first = startWorker(queue);
  await untilPolling(first);
  let done = 0;
  const work = Promise.all(
    ids.map(async (id) => {
      await sales.createProspect({ id, name: `Rita ${id}`, email: `${id}@reads.test`, rep: 'alice' });
      for (const [name, args] of steps) {
        await sales.run(id, name, args);
        done++;
      }
    }),
  );
  // Killed with commands in flight; they are answered by the next worker.
  await eventually(async () => expect(done).toBeGreaterThanOrEqual(20), 60_000, 5);
  await kill(first);
  expect(done).toBeLessThan(ids.length * steps.length);
  await untilPolling(startWorker(queue));
  await work;

  for (const id of ids) {
    const state = await sales.getProspect(id);
    const projection = projectProspect(state);
    const workflowId = prospectWorkflowId(id);
    const row = await database.db.selectFrom('report_prospects').select(['version', 'stage']).where('workflow_id', '=', workflowId).executeTakeFirst();
    expect({ id, version: row?.version, stage: row?.stage }).toEqual({ id, version: recordVersion(state), stage: 'inquiry' });
    const stored = await database.db.selectFrom('report_events').select(['seq', 'kind', 'channel']).where('workflow_id', '=', workflowId).orderBy('seq').execute();
    const expected = projection.events.map((e) => ({ seq: e.seq, kind: e.kind, channel: e.channel ?? null })).sort((a, b) => a.seq - b.seq);
    expect(stored.map((e) => ({ seq: Number(e.seq), kind: e.kind, channel: e.channel }))).toEqual(expected);
  }
}, 180_000);
