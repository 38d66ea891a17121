import { Client, Connection } from '@temporalio/client';
import { ActivityCancellationDetails } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createCampaignActivities } from '../../activities/campaign/campaign';
import { MailGate } from '../../activities/shared/mailGate';
import { CampaignStore } from '../../db/campaignStore';
import { campaignMessageId } from '../../domain/campaign/campaign';
import { DEV_UNSUBSCRIBE_SECRET } from '../../domain/shared/config';
import { MailSink } from '../../scripts/mailSink';
import { createMailer } from '../../worker/worker';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { startTcpProxy } from '../helpers/tcpProxy';

/**
 * A campaign batch when the relay goes silent (its host gone, a network dropping packets):
 * Temporal gives up on the batch's attempts, and their code runs on. Nothing an abandoned
 * attempt handed to the SMTP pool may go out after its retry has mailed the same recipient.
 * The batch activity runs as the worker runs it, over real SMTP through a loopback proxy
 * that can go silent, with the ledger in PostgreSQL and Temporal for the suppression list.
 */

let t: TestDatabase;
let sink: MailSink;
let connection: Connection;
let temporal: Client;
beforeAll(async () => {
  t = await freshDatabase();
  sink = await new MailSink().start();
  connection = await Connection.connect({ address: process.env.SALESFLOW_TEST_TEMPORAL_ADDRESS! });
  temporal = new Client({ connection, namespace: 'default' });
});
afterAll(async () => {
  await connection?.close();
  await sink?.stop();
  await t?.drop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a relay gone silent mid-campaign: attempts given up leave nothing queued, and the retry mails each recipient once', async () => {
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: sink.port });
  // The worker's campaign pool (two connections here), through the proxy.
  const mailer = createMailer({ SMTP_URL: `smtp://127.0.0.1:${proxy.port}` }, 2);
  const store = new CampaignStore(t.db);
  const runKey = `silent-${Date.now().toString(36)}`;
  const count = 30;
  const emails = Array.from({ length: count }, (_, i) => `r${i}@silent.test`);
  await store.writeAudience(runKey, emails.map((email) => ({ email, vars: {} })), ['email'], []);
  const { sendCampaignBatch } = createCampaignActivities({
    mailer,
    from: 'salesflow <news@salesflow.test>',
    store,
    temporal,
    unsubscribe: { baseUrl: 'http://127.0.0.1:9/unsubscribe', secret: DEV_UNSUBSCRIBE_SECRET, ttlMs: 86_400_000 },
    inFlight: 8,
  });
  const input = { runKey, campaignId: 'silent', offset: 0, limit: count, template: { subject: 'News', text: 'Hello {{email}}' } };
  /** An attempt Temporal gives up on after `ms` (its timeout): cancelled, its code left to finish. */
  const abandoned = async (ms: number): Promise<{ ended: Promise<string> }> => {
    const env = new MockActivityEnvironment({ startToCloseTimeoutMs: 600_000 });
    const running = env.run(sendCampaignBatch, input).then(
      () => 'completed',
      (err: Error) => err.name,
    );
    await sleep(ms);
    env.cancel('TIMED_OUT', new ActivityCancellationDetails({ timedOut: true }));
    return { ended: running };
  };
  try {
    proxy.hold();
    // Two attempts while the relay is silent: the first's mails take both connections, which
    // wait on the silence; the rest of its mails, and all of the second's, find none free.
    const first = await abandoned(1_000);
    const second = await abandoned(1_000);
    // The relay answers again (the silent connections break); the next retry mails the batch.
    proxy.release();
    const outcome: { sent: number; alreadySent: number } = await new MockActivityEnvironment({ startToCloseTimeoutMs: 600_000 }).run(sendCampaignBatch, input);
    expect(await first.ended).toBe('CancelledFailure');
    expect(await second.ended).toBe('CancelledFailure');
    // What the worker's metrics show: the first attempt's six mails waiting beside the two on
    // the connections, and all eight of the second's, given up unsent; nothing waits now.
    expect({ givenUp: MailGate.of(mailer).givenUp, queued: MailGate.of(mailer).queued, busy: MailGate.of(mailer).busy }).toEqual({ givenUp: 14, queued: 0, busy: 0 });
    // Anything left of the abandoned attempts would arrive now.
    await sleep(1_500);
    const copies = emails.map((email) => sink.messages.filter((m) => m.messageId === campaignMessageId(runKey, email)).length);
    // Without the gate, nodemailer's pool kept every mail the abandoned attempts had given it
    // (eight each) and sent them once the relay answered: eight recipients mailed three times.
    expect({ sent: outcome.sent, alreadySent: outcome.alreadySent, copies }).toEqual({ sent: count, alreadySent: 0, copies: emails.map(() => 1) });
  } finally {
    mailer.close();
    await proxy.close();
  }
});
