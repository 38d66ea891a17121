import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Quotation documents (the PDF bytes of each mailed revision with their SHA-256; written
 * once, never updated) and inbound mail (every message salesflow received, matched or not,
 * so ops can see what no prospect claimed and a redelivered message is handled once).
 */
export const documentsAndInbound: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('quotation_documents')
      .addColumn('prospect_id', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('number', 'text', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull().check(sql`sha256 ~ '^[0-9a-f]{64}$'`))
      .addColumn('bytes', 'bytea', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('quotation_documents_pkey', ['prospect_id', 'revision'])
      .execute();

    await db.schema
      .createTable('inbound_mail')
      .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
      .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      // The sender's Message-ID, or a hash of the raw message when it has none.
      .addColumn('message_id', 'text', (c) => c.notNull().unique())
      .addColumn('from_address', 'text')
      .addColumn('subject', 'text')
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'logged', 'auto_reply', 'unmatched')`))
      .addColumn('prospect_id', 'text')
      .addColumn('matched_by', 'text')
      .addColumn('detail', 'text')
      .addColumn('text', 'text')
      .addColumn('raw', 'bytea', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('inbound_mail_status_received').on('inbound_mail').columns(['status', 'received_at']).execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('inbound_mail').execute();
    await db.schema.dropTable('quotation_documents').execute();
  },
};
