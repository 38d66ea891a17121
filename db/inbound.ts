import type { SalesflowDb } from './database';
import type { InboundStatus } from './schema';

/**
 * Every inbound mail salesflow received, by Message-ID: claimed once (a redelivery, or the
 * same message by SMTP and IMAP, is recognised), then settled as logged, auto-reply or
 * unmatched. Unmatched mail stays here for ops to read instead of being dropped.
 */

export interface InboundRecord {
  id: string;
  receivedAt: Date;
  messageId: string;
  from: string | null;
  subject: string | null;
  status: InboundStatus;
  prospectId: string | null;
  matchedBy: string | null;
  detail: string | null;
  text: string | null;
}

/** Claims a message; false when it was seen before and settled (not pending). */
export async function claimInbound(db: SalesflowDb, mail: { messageId: string; from?: string; subject?: string; raw: Buffer }): Promise<boolean> {
  const inserted = await db
    .insertInto('inbound_mail')
    .values({ message_id: mail.messageId, from_address: mail.from ?? null, subject: mail.subject ?? null, status: 'pending', raw: mail.raw })
    .onConflict((oc) => oc.column('message_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return true;
  // Pending: an earlier attempt stopped half way (Temporal out of reach); try again.
  const row = await db.selectFrom('inbound_mail').select('status').where('message_id', '=', mail.messageId).executeTakeFirst();
  return row?.status === 'pending';
}

export async function settleInbound(
  db: SalesflowDb,
  messageId: string,
  outcome: { status: Exclude<InboundStatus, 'pending'>; prospectId?: string; matchedBy?: string; detail?: string; text?: string },
): Promise<void> {
  await db
    .updateTable('inbound_mail')
    .set({ status: outcome.status, prospect_id: outcome.prospectId ?? null, matched_by: outcome.matchedBy ?? null, detail: outcome.detail ?? null, text: outcome.text ?? null })
    .where('message_id', '=', messageId)
    .execute();
}

export async function listInbound(db: SalesflowDb, options: { status?: InboundStatus; limit?: number } = {}): Promise<InboundRecord[]> {
  let query = db.selectFrom('inbound_mail').select(['id', 'received_at', 'message_id', 'from_address', 'subject', 'status', 'prospect_id', 'matched_by', 'detail', 'text']);
  if (options.status) query = query.where('status', '=', options.status);
  const rows = await query.orderBy('received_at', 'desc').orderBy('id', 'desc').limit(options.limit ?? 100).execute();
  return rows.map((r) => ({
    id: r.id,
    receivedAt: r.received_at,
    messageId: r.message_id,
    from: r.from_address,
    subject: r.subject,
    status: r.status,
    prospectId: r.prospect_id,
    matchedBy: r.matched_by,
    detail: r.detail,
    text: r.text,
  }));
}
