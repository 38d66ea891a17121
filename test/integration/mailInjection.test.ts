import nodemailer from 'nodemailer';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createMailActivities } from '../../activities/shared/mail';
import { MAIL_KINDS, MAIL_VARIABLES, renderCustomerMail, templateFor } from '../../domain/process/mailTemplates';
import { parseHeaders, MailSink } from '../../scripts/mailSink';

/**
 * Header injection through a template variable is impossible: every variable of every
 * customer mail, and the sender's name, is given a value with CR/LF and a forged header,
 * and the mail goes through the real mail activity and nodemailer to a real SMTP sink. The
 * message that arrives has exactly its own headers and recipients.
 */

let sink: MailSink;
beforeAll(async () => {
  sink = await new MailSink().start();
});
afterAll(async () => {
  await sink?.stop();
});

const EVIL = ['\r\nBcc: evil@attacker.example', '\nX-Injected: yes', '\rX-Injected: yes', '\u2028X-Injected: yes', '\r\n\r\n<html>body</html>'];

test('CR/LF in any variable of any customer mail, or in the sender name, cannot add a header or a recipient', async () => {
  const transport = nodemailer.createTransport({ url: sink.url, ignoreTLS: true, pool: true, maxConnections: 1 } as Parameters<typeof nodemailer.createTransport>[0]);
  const { sendMail } = createMailActivities({ mailer: transport, from: 'salesflow <salesflow@localhost>', replyTo: 'replies@salesflow.localhost' });
  const env = new MockActivityEnvironment();
  let n = 0;
  try {
    for (const kind of MAIL_KINDS) {
      for (const variable of MAIL_VARIABLES[kind]) {
        for (const evil of EVIL) {
          const vars = Object.fromEntries(MAIL_VARIABLES[kind].map((v) => [v, v === variable ? `value${evil}` : v]));
          const template = { subject: `{{${variable}}} ${templateFor(undefined, kind).subject}`, body: templateFor(undefined, kind).body };
          const rendered = renderCustomerMail(template, vars);
          const messageId = `<inject-${++n}@salesflow.invalid>`;
          await env.run(sendMail, {
            messageId,
            to: 'customer@customer.test',
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            from: { name: `Rep${evil}`, address: 'sales@company.test' },
            replyTag: `p.x${n}`,
          });
          const got = await sink.waitFor((m) => m.messageId === messageId, 10_000);
          const headers = parseHeaders(got.raw);
          expect({ kind, variable, evil, recipients: got.recipients }).toEqual({ kind, variable, evil, recipients: ['customer@customer.test'] });
          expect(headers.has('bcc')).toBe(false);
          expect(headers.has('x-injected')).toBe(false);
          // The forged text stays inside the subject's own (single) line.
          expect(headers.get('subject')).not.toMatch(/[\r\n]/);
        }
      }
    }
  } finally {
    transport.close();
  }
  expect(n).toBeGreaterThan(100);
});
