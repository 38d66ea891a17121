import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createMailActivities } from '../../activities/shared/mail';
import { MailSink } from '../../scripts/mailSink';
import { createMailer } from '../../worker/worker';

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
