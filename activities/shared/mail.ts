import { ApplicationFailure } from '@temporalio/activity';
import type { Transporter } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type { OutboundMail } from '../../domain/pipeline/prospect';
import { APP_LINK, QUOTATION_LINK } from '../../domain/pipeline/notifications';
import { headerSafe } from '../../domain/process/mailTemplates';
import { classifySmtpFailure, type SmtpFailure } from '../../domain/shared/smtpFailure';
import type { SalesflowDb } from '../../db/database';
import { findDocument } from '../../db/documents';
import { LINK_OUTLIVES_OFFER_MS, quotationPageUrl, signQuotationLink } from '../pipeline/quotationLink';
import { GateTimeout, MailGate, attemptBounds } from './mailGate';
import { replyAddress } from './replyAddress';

export interface MailDeps {
  /** A nodemailer transport; the worker builds a pooled SMTP one from its config. */
  mailer: Transporter;
  /** The From header of every mail salesflow sends for itself (customer mails show the rep). */
  from: string;
  /** Where replies go (`replies@...`); customer mails get `replies+<tag>@...`. */
  replyTo?: string;
  /** The salesflow database: quotation documents are attached from it. */
  db?: SalesflowDb;
  /** Signs the links to the public quotation page. */
  quotationLinks?: { baseUrl: string; secret: string };
  /** Where the web app is served (SALESFLOW_PUBLIC_URL): put in place of APP_LINK in mails to salesflow's people. */
  appUrl?: string;
}

export interface SentMail {
  messageId: string;
  accepted: string[];
}

/** What nodemailer's error says about the mail (see domain/shared/smtpFailure.ts). */
export function smtpFailureOf(err: unknown): SmtpFailure {
  return classifySmtpFailure(typeof err === 'object' && err !== null ? (err as Record<string, unknown>) : { message: String(err) });
}

/** The address part of `Name <addr>` (or the whole value). */
function addressOf(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from.trim();
}

export function createMailActivities({ mailer, from, replyTo, db, quotationLinks, appUrl = 'http://127.0.0.1:8088' }: MailDeps) {
  // One gate per transport, shared by every activity that mails through it (mailGate.ts).
  const gate = MailGate.of(mailer);
  /** The mail as nodemailer takes it: the signed link in place, the documents attached. */
  async function compose(mail: OutboundMail): Promise<Mail.Options> {
    let { text, html } = mail;
    if (mail.quotationLink) {
      if (!quotationLinks) throw ApplicationFailure.nonRetryable('the worker has no key for quotation links (SALESFLOW_UNSUBSCRIBE_SECRET)', 'SmtpConfig');
      const { prospectId, revision, validTo } = mail.quotationLink;
      const token = signQuotationLink(quotationLinks.secret, { prospectId, revision, expiresAt: Date.parse(validTo) + LINK_OUTLIVES_OFFER_MS });
      const url = quotationPageUrl(quotationLinks.baseUrl, token);
      text = text.split(QUOTATION_LINK).join(url);
      html = html?.split(QUOTATION_LINK).join(url.replace(/&/g, '&amp;'));
    }
    if (text.includes(APP_LINK)) text = text.split(APP_LINK).join(appUrl.replace(/\/+$/, ''));
    const attachments: Mail.Attachment[] = [];
    for (const ref of mail.attachments ?? []) {
      if (!db) throw ApplicationFailure.retryable('the worker has no database to attach quotation documents from (DATABASE_URL)', 'DocumentStoreUnavailable');
      const doc = await findDocument(db, ref.prospectId, ref.revision);
      // Retryable: the workflow stores the document before it sends the mail.
      if (!doc) throw ApplicationFailure.retryable(`quotation document of ${ref.prospectId} revision ${ref.revision} is not stored yet`, 'DocumentMissing');
      if (ref.sha256 && doc.sha256 !== ref.sha256) {
        throw ApplicationFailure.nonRetryable(`stored document ${doc.number} has SHA-256 ${doc.sha256}, the revision recorded ${ref.sha256}`, 'DocumentMismatch');
      }
      attachments.push({ filename: `${doc.number}.pdf`, content: doc.bytes, contentType: 'application/pdf' });
    }
    const sender = mail.from ? { name: headerSafe(mail.from.name), address: mail.from.address ?? addressOf(from) } : from;
    const reply = replyTo ? replyAddress(replyTo, mail.replyTag) : undefined;
    return {
      from: sender,
      to: mail.to,
      cc: mail.cc,
      ...(reply ? { replyTo: reply } : {}),
      // Every header value passes through headerSafe: no variable can start a header line.
      subject: headerSafe(mail.subject),
      text,
      ...(html !== undefined ? { html } : {}),
      messageId: mail.messageId,
      headers: { 'X-Salesflow-Message': mail.messageId },
      ...(attachments.length > 0 ? { attachments } : {}),
      // Calendar clients act on a text/calendar alternative with the same METHOD.
      ...(mail.calendar ? { icalEvent: { method: mail.calendar.method, content: mail.calendar.content } } : {}),
    };
  }

  return {
    /**
     * Delivers one mail with the Message-ID the workflow fixed, so a retry after a crash
     * between SMTP's acceptance and the activity's completion is recognisable as a repeat.
     */
    async sendMail(mail: OutboundMail): Promise<SentMail> {
      const bounds = attemptBounds();
      const options = await compose(mail);
      try {
        const info = await gate.send(() => mailer.sendMail(options), bounds);
        return { messageId: mail.messageId, accepted: (info.accepted as unknown[]).map(String) };
      } catch (err) {
        // Nothing was handed over: the next attempt tries again, once a connection is free.
        if (err instanceof GateTimeout) throw ApplicationFailure.retryable(`SMTP could not take ${mail.messageId} (unavailable): ${err.message}`, 'SmtpUnavailable');
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
