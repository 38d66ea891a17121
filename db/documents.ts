import { createHash } from 'node:crypto';
import type { SalesflowDb } from './database';

/**
 * Quotation documents: the bytes mailed for a revision, stored once. The first store wins
 * (a retried render after a crash finds the row and returns its hash), so a revision always
 * serves the same bytes.
 */

export interface StoredDocument {
  prospectId: string;
  revision: number;
  number: string;
  sha256: string;
  bytes: Buffer;
  createdAt: Date;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Stores the bytes unless the revision has a document already; returns the stored one. */
export async function storeDocumentOnce(db: SalesflowDb, doc: { prospectId: string; revision: number; number: string; bytes: Buffer }): Promise<StoredDocument> {
  await db
    .insertInto('quotation_documents')
    .values({ prospect_id: doc.prospectId, revision: doc.revision, number: doc.number, sha256: sha256Hex(doc.bytes), bytes: doc.bytes })
    .onConflict((oc) => oc.columns(['prospect_id', 'revision']).doNothing())
    .execute();
  const stored = await findDocument(db, doc.prospectId, doc.revision);
  if (!stored) throw new Error(`quotation document ${doc.number} vanished right after it was stored`);
  return stored;
}

export async function findDocument(db: SalesflowDb, prospectId: string, revision: number): Promise<StoredDocument | undefined> {
  const row = await db.selectFrom('quotation_documents').selectAll().where('prospect_id', '=', prospectId).where('revision', '=', revision).executeTakeFirst();
  return row ? { prospectId: row.prospect_id, revision: row.revision, number: row.number, sha256: row.sha256, bytes: row.bytes, createdAt: row.created_at } : undefined;
}
