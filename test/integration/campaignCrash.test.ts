import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { CampaignClient } from '../../client/campaign/campaignClient';
import { campaignMessageId } from '../../domain/campaign/campaign';
import { campaignWorkflowId } from '../../workflows/campaign/contract';
import { MailSink } from '../../scripts/mailSink';
import { audienceCsv, csvCampaign, mailsByRecipient, recipients } from '../helpers/campaign';
import { eventually } from '../helpers/eventually';

/**
 * The worker as its own process (`node dist/worker/main.js`), killed with SIGKILL twice in
 * the middle of a campaign and started again: every recipient is mailed, and a resend
 * (a mail accepted by SMTP just before the kill, before the ledger heard of it) carries
 * the Message-ID of the original.
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
const dataDir = mkdtempSync(join(tmpdir(), 'salesflow-crash-'));
let worker: ChildProcess | undefined;

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, [WORKER], {
    env: { ...process.env, TEMPORAL_ADDRESS: address(), SALESFLOW_TASK_QUEUE: taskQueue, SMTP_URL: sink.url, SALESFLOW_DATA_DIR: dataDir, SALESFLOW_CAMPAIGN_DIR: tmpdir(), SMTP_POOL_SIZE: '4', SALESFLOW_LOG_LEVEL: 'WARN', SALESFLOW_DEV_STACK: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  worker = child;
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  sink = await new MailSink().start();
  connection = await Connection.connect({ address: address() });
  campaigns = CampaignClient.fromClient(new Client({ connection }), { TEMPORAL_ADDRESS: address(), TEMPORAL_NAMESPACE: 'default', SALESFLOW_TASK_QUEUE: taskQueue });
});
afterAll(async () => {
  if (worker) await kill(worker);
  await connection?.close();
  await sink?.stop();
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
