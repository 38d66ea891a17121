import { ApplicationFailure } from '@temporalio/activity';
import type { Transporter } from 'nodemailer';
import type { OutboundMail } from '../domain/prospect';

export interface MailDeps {
  /** A nodemailer transport; the worker builds a pooled SMTP one from its config. */
  mailer: Transporter;
  /** The From header of every mail salesflow sends. */
  from: string;
}

export interface SentMail {
  messageId: string;
  accepted: string[];
}

/** SMTP reply codes 5xx mean the receiver will never take this mail: retrying is useless. */
export function isPermanentSmtpFailure(err: unknown): boolean {
  const code = (err as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

export function createMailActivities({ mailer, from }: MailDeps) {
  return {
    /**
     * Delivers one mail with the Message-ID the workflow fixed, so a retry after a crash
     * between SMTP's acceptance and the activity's completion is recognisable as a repeat.
     */
    async sendMail(mail: OutboundMail): Promise<SentMail> {
      try {
        const info = await mailer.sendMail({
          from,
          to: mail.to,
          cc: mail.cc,
          subject: mail.subject,
          text: mail.text,
          messageId: mail.messageId,
          headers: { 'X-Salesflow-Message': mail.messageId },
          // Calendar clients act on a text/calendar alternative with the same METHOD.
          ...(mail.calendar ? { icalEvent: { method: mail.calendar.method, content: mail.calendar.content } } : {}),
        });
        return { messageId: mail.messageId, accepted: (info.accepted as unknown[]).map(String) };
      } catch (err) {
        if (isPermanentSmtpFailure(err)) {
          throw ApplicationFailure.nonRetryable(`SMTP refused ${mail.messageId} for ${mail.to}: ${(err as Error).message}`, 'SmtpPermanentFailure');
        }
        throw err;
      }
    },
  };
}
