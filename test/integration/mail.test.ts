import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createMailActivities } from '../../activities/shared/mail';
import { MailSink } from '../../scripts/mailSink';
import { createMailer } from '../../worker/worker';
import { startTcpProxy } from '../helpers/tcpProxy';

/**
 * What `sendMail` (a prospect's or a task's mail) throws, over real SMTP to a sink that
 * misbehaves: only the recipient's refusal is final (the workflow records it and drops
 * the mail); a refused login or a policy refusal is retryable, so the mail stays queued
 * until the relay takes it.
 */

const REFUSED = 'gone@mail.test';
let sink: MailSink;
beforeAll(async () => {
  sink = await new MailSink({ auth: true, rejectRecipients: [REFUSED] }).start();
});
afterAll(async () => {
  await sink?.stop();
});
afterEach(() => {
  sink.faults = {};
});

const mail = (to: string, n: number) => ({ messageId: `<prospect-acme.m${n}@salesflow.invalid>`, to, subject: 'Your quotation', text: 'Attached.' });

async function attempt(to: string, n: number): Promise<ApplicationFailure | 'sent'> {
  const mailer = createMailer({ SMTP_URL: sink.urlWithLogin('salesflow', 'secret') }, 1);
  try {
    await new MockActivityEnvironment().run(createMailActivities({ mailer, from: 'salesflow <s@x.test>' }).sendMail, mail(to, n));
    return 'sent';
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw err;
  } finally {
    mailer.close();
  }
}

test('the relay accepts: sent', async () => {
  expect(await attempt('ann@acme.test', 1)).toBe('sent');
  expect(sink.messages.at(-1)?.messageId).toBe('<prospect-acme.m1@salesflow.invalid>');
});

test('the recipient is refused (550 5.1.1): final, SmtpRecipientRefused', async () => {
  const failure = await attempt(REFUSED, 2);
  expect(failure).toMatchObject({ type: 'SmtpRecipientRefused', nonRetryable: true, message: expect.stringContaining('RCPT TO 550') });
});

test('the login is refused (535): retryable SmtpConfig, the mail stays queued', async () => {
  sink.faults = { refuseAuth: true };
  const failure = await attempt('ann@acme.test', 3);
  expect(failure).toMatchObject({ type: 'SmtpConfig', nonRetryable: false, message: expect.stringContaining('login refused: check SMTP_URL') });
});

test('a policy refusal (554 5.7.1) at RCPT: retryable, not a recipient refusal', async () => {
  sink.faults = { policyRefusal: true };
  const failure = await attempt('ann@acme.test', 4);
  expect(failure).toMatchObject({ type: 'SmtpUnavailable', nonRetryable: false, message: expect.stringContaining('554') });
});

test('the relay is down: retryable', async () => {
  await sink.stop();
  try {
    expect(await attempt('ann@acme.test', 5)).toMatchObject({ type: 'SmtpUnavailable', nonRetryable: false });
  } finally {
    await sink.start();
  }
});

test('a relay gone silent: attempts that find no free connection hand nothing over, so the mail arrives once when the relay is back', async () => {
  // The transactional pool through a loopback proxy that can go silent (a relay's host gone,
  // a network dropping packets): one connection, which waits on the silence.
  const url = new URL(sink.urlWithLogin('salesflow', 'secret'));
  const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
  url.port = String(proxy.port);
  // As the worker's transactional pool, but its silent connection waits (the proxy's release breaks it).
  const mailer = createMailer({ SMTP_URL: url.toString() }, 1, { transactional: true, socketTimeoutMs: 60_000 });
  const { sendMail } = createMailActivities({ mailer, from: 'salesflow <s@x.test>' });
  const copies = () => sink.messages.filter((m) => m.messageId === '<prospect-acme.m7@salesflow.invalid>').length;
  /**
   * One attempt as Temporal runs it (2 s here, 30 s in the worker): given up when it has not
   * finished in time, though its code may still be running.
   */
  const attempt = (): Promise<'sent' | 'failed' | 'timed out'> =>
    Promise.race([
      new MockActivityEnvironment({ startToCloseTimeoutMs: 2_000 }).run(sendMail, mail('ann@acme.test', 7)).then(
        () => 'sent' as const,
        () => 'failed' as const,
      ),
      new Promise<'timed out'>((resolve) => setTimeout(() => resolve('timed out'), 2_000)),
    ]);
  try {
    await new MockActivityEnvironment().run(sendMail, mail('ann@acme.test', 6));
    proxy.hold();
    // The first attempt's mail takes the pool's connection, which waits on the silence; the
    // two retries find it busy.
    const outcomes = [await attempt(), await attempt(), await attempt()];
    // The relay is back (the silent connection breaks); the next retry delivers the mail.
    proxy.release();
    outcomes.push(await attempt());
    // Nothing of the abandoned attempts followed it: nodemailer's pool, asked directly, had
    // kept each retry's copy, and sent them and the first one's again once a connection was free.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect({ outcomes, copies: copies() }).toEqual({ outcomes: ['timed out', 'failed', 'failed', 'sent'], copies: 1 });
  } finally {
    mailer.close();
    await proxy.close();
  }
});
