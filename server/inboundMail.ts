import { createHash } from 'node:crypto';
import EmailReplyParser from 'email-reply-parser';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { SalesflowClient } from '../client/pipeline/salesflowClient';
import type { SalesflowDb } from '../db/database';
import { claimInbound, settleInbound } from '../db/inbound';
import { autoReplyReason, matchInbound, unmatchedReason } from '../domain/pipeline/inbound';
import { headerSafe } from '../domain/process/mailTemplates';
import { DomainError } from '../domain/shared/errors';
import { replyTagOf } from '../activities/shared/replyAddress';

/**
 * Inbound mail: a reply to a quotation or a campaign, arriving over the SMTP endpoint (the
 * local stack's sink, or a relay forwarding to it) or fetched from an IMAP mailbox. Each
 * message is claimed once by its Message-ID, matched to its prospect (In-Reply-To, then
 * References, then the plus address of the Reply-To it was sent to), and logged there as
 * an inbound email contact with its new text (quoted history stripped), which stops the
 * quotation's reminders; the rep gets a task to answer. Auto-replies are kept but do not
 * count; mail that matches nothing is kept in the unmatched list for ops.
 */

export interface InboundDeps {
  db: SalesflowDb;
  sales: SalesflowClient;
  /** Salesflow's reply address (SALESFLOW_REPLY_ADDRESS). */
  replyAddress: string;
}

export type InboundOutcome =
  | { status: 'logged'; prospectId: string; matchedBy: string }
  | { status: 'auto_reply'; prospectId?: string; reason: string }
  | { status: 'unmatched'; reason: string }
  | { status: 'duplicate' };

/** The longest note a contact takes (domain/pipeline/commands.ts). */
const NOTE_MAX = 4000;

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.flatMap((a) => a.value.map((v) => v.address ?? '')).filter(Boolean);
}

function idsOf(value: string | string[] | undefined): string[] {
  if (!value) return [];
  return (Array.isArray(value) ? value : value.split(/\s+/)).map((v) => v.trim()).filter(Boolean);
}

function headerMap(parsed: ParsedMail): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of parsed.headers) {
    out.set(name.toLowerCase(), typeof value === 'string' ? value : typeof value === 'object' && value !== null && 'text' in value ? String((value as { text: unknown }).text) : String(value));
  }
  return out;
}

/** The new text of a reply: the lines above the quoted history and the signature. */
export function newText(text: string): string {
  const visible = new EmailReplyParser().parseReply(text.replace(/\r\n/g, '\n')).trim();
  const kept = (visible || text.trim()).replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  return kept.length > NOTE_MAX ? `${kept.slice(0, NOTE_MAX - 1)}…` : kept;
}

export async function receiveInboundMail(deps: InboundDeps, raw: Buffer, envelope: { recipients?: readonly string[] } = {}): Promise<InboundOutcome> {
  const parsed = await simpleParser(raw, { skipHtmlToText: false, skipImageLinks: true, skipTextToHtml: true });
  const messageId = parsed.messageId?.trim() || `<sha256-${createHash('sha256').update(raw).digest('hex')}@inbound.salesflow.invalid>`;
  const from = addresses(parsed.from)[0];
  const subject = headerSafe(parsed.subject ?? '');
  if (!(await claimInbound(deps.db, { messageId, from, subject, raw }))) return { status: 'duplicate' };

  const recipients = [...addresses(parsed.to), ...addresses(parsed.cc), ...(envelope.recipients ?? [])];
  const replyTags = recipients.map((a) => replyTagOf(deps.replyAddress, a)).filter((t): t is string => t !== undefined);
  const match = matchInbound({ inReplyTo: parsed.inReplyTo, references: idsOf(parsed.references), replyTags });
  const text = newText(parsed.text ?? '');

  const auto = autoReplyReason(headerMap(parsed), subject);
  if (auto) {
    await settleInbound(deps.db, messageId, { status: 'auto_reply', ...(match ? { prospectId: match.prospectId, matchedBy: match.by } : {}), detail: `automatic reply (${auto}); not counted as a response`, text });
    return { status: 'auto_reply', ...(match ? { prospectId: match.prospectId } : {}), reason: auto };
  }
  if (!match) {
    const reason = unmatchedReason({ inReplyTo: parsed.inReplyTo, references: idsOf(parsed.references) });
    await settleInbound(deps.db, messageId, { status: 'unmatched', detail: reason, text });
    return { status: 'unmatched', reason };
  }
  try {
    await deps.sales.run(match.prospectId, 'customerMessage', {
      channel: 'email',
      note: text || `(empty reply: ${subject || 'no subject'})`,
      ...(from ? { from: headerSafe(from).slice(0, 300) } : {}),
      ...(match.revision ? { revision: match.revision } : {}),
      followUp: true,
      messageId: messageId.slice(0, 998),
      by: 'inbound-mail',
    });
  } catch (err) {
    if (!(err instanceof DomainError)) throw err; // Temporal out of reach: stays pending, tried again on redelivery
    if (/already logged/.test(err.message)) {
      await settleInbound(deps.db, messageId, { status: 'logged', prospectId: match.prospectId, matchedBy: match.by, detail: err.message, text });
      return { status: 'logged', prospectId: match.prospectId, matchedBy: match.by };
    }
    const reason = `matched ${match.prospectId} by ${match.by}, but it was refused: ${err.message}`;
    await settleInbound(deps.db, messageId, { status: 'unmatched', prospectId: match.prospectId, matchedBy: match.by, detail: reason, text });
    return { status: 'unmatched', reason };
  }
  await settleInbound(deps.db, messageId, { status: 'logged', prospectId: match.prospectId, matchedBy: match.by, detail: match.campaign ? 'campaign reply' : 'reply', text });
  return { status: 'logged', prospectId: match.prospectId, matchedBy: match.by };
}

/** For an SMTP endpoint (scripts/mailSink.ts): mail to the reply address's domain is inbound. */
/**
 * An inbound SMTP endpoint (the local stack's sink, `npm run api`'s SALESFLOW_INBOUND_SMTP)
 * hands a message with a recipient `accepts` takes to `receive` before it answers, and a failure there answers 451 (try
 * later), so the sending server keeps the reply and delivers it again rather than losing it.
 */
export interface InboundHandler {
  accepts(address: string): boolean;
  receive(raw: Buffer, recipients: string[]): Promise<unknown>;
}

export function inboundHandler(deps: InboundDeps): InboundHandler & { receive(raw: Buffer, recipients: string[]): Promise<InboundOutcome> } {
  const domain = deps.replyAddress.slice(deps.replyAddress.lastIndexOf('@') + 1).toLowerCase();
  return {
    accepts: (address) => address.toLowerCase().endsWith(`@${domain}`),
    receive: (raw, recipients) => receiveInboundMail(deps, raw, { recipients }),
  };
}
