import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { CampaignClient } from '../../client/campaign/campaignClient';
import { campaignWorkflowId } from '../../workflows/campaign/contract';
import { MailSink } from '../../scripts/mailSink';
import { createSalesflowWorker } from '../../worker/worker';
import { audienceCsv, csvCampaign, mailsByRecipient, recipients } from '../helpers/campaign';
import { eventually } from '../helpers/eventually';
import { bundlePath, quietRuntime } from '../helpers/temporal';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { clientInterceptors, temporalClient } from '../../client/shared/temporalConnection';

/**
 * The throttle after an outage, measured: a throttled campaign whose worker is stopped for
 * half a minute (three batches' worth) and started again sends at its throttle from the
 * moment it is back, instead of sending the backlog at once.
 */

const THROTTLE = 60; // mails per minute: batches of 10, one every 10 s
const BATCH = THROTTLE / 6;

let sink: MailSink;
let native: NativeConnection;
let connection: Connection;
let campaigns: CampaignClient;
const taskQueue = `throttle-${randomUUID()}`;
// One campaign store (the salesflow database) for both workers.
let database: TestDatabase;

async function startWorker(): Promise<() => Promise<void>> {
  const { worker, close } = await createSalesflowWorker({
    connection: native,
    config: { TEMPORAL_NAMESPACE: 'default', SALESFLOW_TASK_QUEUE: taskQueue, SMTP_URL: sink.url, MAIL_FROM: 'salesflow-test <salesflow@localhost>', SMTP_POOL_SIZE: 2, SALESFLOW_CAMPAIGN_DIR: tmpdir(), SALESFLOW_DEV_STACK: true },
    db: database.db,
    workflowBundle: { codePath: bundlePath() },
  });
  const running = worker.run();
  return async () => {
    worker.shutdown();
    await running;
    close();
  };
}

beforeAll(async () => {
  quietRuntime();
  const address = process.env.SALESFLOW_TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('run with npm test');
  sink = await new MailSink().start();
  database = await freshDatabase();
  native = await NativeConnection.connect({ address });
  connection = await Connection.connect({ address, interceptors: clientInterceptors({ deadline: false }) });
  campaigns = CampaignClient.fromClient(temporalClient({ connection }), { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default', SALESFLOW_TASK_QUEUE: taskQueue });
});
afterAll(async () => {
  await connection?.close();
  await native?.close();
  await sink?.stop();
  await database?.drop();
});

/** The most mails that arrived in any window of `ms` starting at an arrival. */
function busiestWindow(times: number[], ms: number): number {
  return Math.max(0, ...times.map((t) => times.filter((x) => x >= t && x < t + ms).length));
}

test('a throttled run resumed after a 30 s worker outage: no 10 s window gets more than throttle/6 + one batch', async () => {
  const id = `throttle-${Date.now().toString(36)}`;
  const runKey = campaignWorkflowId(id);
  const emails = recipients(id, 6 * BATCH);
  const arrivals = () => sink.messages.filter((m) => m.headers.get('x-salesflow-campaign') === runKey).map((m) => m.receivedAt);

  let stop = await startWorker();
  await campaigns.start(csvCampaign(id, audienceCsv(emails), { throttle: THROTTLE }));
  await eventually(async () => expect(arrivals().length).toBeGreaterThanOrEqual(2 * BATCH), 40_000, 2);
  await stop();
  const beforeOutage = arrivals().length;
  await new Promise((r) => setTimeout(r, 30_000));
  const resumedAt = Date.now();
  stop = await startWorker();
  try {
    const report = await campaigns.result(id);
    expect(report).toMatchObject({ total: emails.length, sent: emails.length });
  } finally {
    await stop();
  }

  const after = arrivals().filter((t) => t >= resumedAt);
  expect(beforeOutage).toBeLessThan(emails.length);
  expect(after.length).toBe(emails.length - beforeOutage);
  // Measured: the most mails in any 10 s after the restart.
  const peak = busiestWindow(after, 10_000);
  console.log(`throttle ${THROTTLE}/min, ${after.length} mails after a 30 s outage: at most ${peak} in any 10 s (bound ${THROTTLE / 6 + BATCH})`);
  expect(peak).toBeLessThanOrEqual(THROTTLE / 6 + BATCH);
  // Nobody got two mails, nobody none.
  const byRecipient = mailsByRecipient(sink.messages, runKey);
  expect(emails.filter((e) => byRecipient.get(e)?.length !== 1)).toEqual([]);
}, 180_000);
