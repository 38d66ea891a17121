import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The campaign store (issue 15): what a campaign run keeps outside its workflow history,
 * moved from files on one worker's disk into the salesflow database so a batch may be
 * retried by any worker on any host.
 *
 * - `campaign_uploads`: audience CSVs uploaded through the API, by content hash; the run's
 *   definition names one as `upload:<sha256>` and the worker reads it from here.
 * - `campaign_audiences` + `campaign_audience_chunks`: the snapshot of a run's resolved
 *   audience, 1,000 recipients a row; the audience row is written in the same transaction as
 *   its chunks, so its presence means the snapshot is complete.
 * - `campaign_ledger`: one row per recipient SMTP answered for. Its key (run, recipient
 *   index) is what makes a retried batch skip whoever SMTP already accepted.
 * - `campaign_checkpoints`: work in progress of resolving an audience (ids listed so far).
 */
export const campaignStore: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('campaign_uploads')
      .addColumn('sha256', 'text', (c) => c.primaryKey().check(sql`sha256 ~ '^[0-9a-f]{64}$'`))
      .addColumn('csv', 'text', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();

    await db.schema
      .createTable('campaign_audiences')
      .addColumn('run_key', 'text', (c) => c.primaryKey())
      .addColumn('total', 'integer', (c) => c.notNull())
      .addColumn('chunk_size', 'integer', (c) => c.notNull())
      .addColumn('columns', 'jsonb', (c) => c.notNull())
      .addColumn('invalid_rows', 'integer', (c) => c.notNull())
      /** Every row that could not be mailed, with its line and why. */
      .addColumn('invalid', 'jsonb', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();

    await db.schema
      .createTable('campaign_audience_chunks')
      .addColumn('run_key', 'text', (c) => c.notNull())
      .addColumn('chunk', 'integer', (c) => c.notNull())
      /** The chunk's recipients as JSON text (parsed by the worker; PostgreSQL never looks inside). */
      .addColumn('recipients', 'text', (c) => c.notNull())
      /** Their addresses in order, for the per-recipient status lookup. */
      .addColumn('emails', sql`text[]`, (c) => c.notNull())
      .addPrimaryKeyConstraint('campaign_audience_chunks_pkey', ['run_key', 'chunk'])
      .execute();
    await sql`create index campaign_audience_chunks_emails on campaign_audience_chunks using gin (emails)`.execute(db);

    await db.schema
      .createTable('campaign_ledger')
      .addColumn('run_key', 'text', (c) => c.notNull())
      .addColumn('idx', 'integer', (c) => c.notNull())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('sent', 'bounced', 'failed')`))
      .addColumn('message_id', 'text')
      .addColumn('reason', 'text')
      .addColumn('subject', 'text')
      /** The mail is in the prospect's contact log (or the lead's prospect was started). */
      .addColumn('pipelined', 'boolean', (c) => c.notNull().defaultTo(false))
      /** A bounce: the address is on the suppression list. */
      .addColumn('suppressed', 'boolean', (c) => c.notNull().defaultTo(false))
      .addColumn('at', 'timestamptz', (c) => c.notNull())
      .addPrimaryKeyConstraint('campaign_ledger_pkey', ['run_key', 'idx'])
      .execute();

    await db.schema
      .createTable('campaign_checkpoints')
      .addColumn('run_key', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('value', 'jsonb', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('campaign_checkpoints_pkey', ['run_key', 'name'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of ['campaign_checkpoints', 'campaign_ledger', 'campaign_audience_chunks', 'campaign_audiences', 'campaign_uploads']) {
      await db.schema.dropTable(table).execute();
    }
  },
};
