import { ApplicationFailure } from '@temporalio/activity';
import type { Transporter } from 'nodemailer';
import type { OutboundMail } from '../../domain/pipeline/prospect';
import { classifySmtpFailure, type SmtpFailure } from '../../domain/shared/smtpFailure';

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

/** What nodemailer's error says about the mail (see domain/shared/smtpFailure.ts). */
export function smtpFailureOf(err: unknown): SmtpFailure {
  return classifySmtpFailure(typeof err === 'object' && err !== null ? (err as Record<string, unknown>) : { message: String(err) });
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
        const failure = smtpFailureOf(err);
        // Only the recipient's refusal ends the mail. Anything on our side (a wrong
        // password, a relay or policy refusal, an outage) keeps it queued and retried, so a
        // prospect's mail is never dropped for the sender's fault.
        if (failure.kind === 'recipient') {
          throw ApplicationFailure.nonRetryable(`SMTP refused ${mail.to} for ${mail.messageId}: ${failure.reason}`, 'SmtpRecipientRefused');
        }
        throw ApplicationFailure.retryable(`SMTP could not take ${mail.messageId} (${failure.kind === 'auth' ? 'login refused: check SMTP_URL' : failure.kind}): ${failure.reason}`, failure.kind === 'auth' ? 'SmtpConfig' : 'SmtpUnavailable');
      }
    },
  };
}
