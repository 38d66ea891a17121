import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The reporting read model (issue 14): a projection of the prospect workflows, rebuilt from
 * them by `salesflow report rebuild`. `report_prospects` holds one row per prospect (what it
 * is now, with its time in each stage: the pre-aggregate the outcome and forecast reports
 * read), `report_events` one row per thing that happened, keyed by (workflow id, event
 * sequence) so a retried batch never counts twice (domain/reporting/projection.ts).
 */
export const reporting: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('report_prospects')
      .addColumn('workflow_id', 'text', (c) => c.primaryKey())
      .addColumn('prospect_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('rep', 'text', (c) => c.notNull())
      .addColumn('team', 'text')
      .addColumn('process', 'text', (c) => c.notNull())
      .addColumn('process_version', 'integer', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('campaign', 'text')
      .addColumn('stage', 'text', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull())
      .addColumn('closed_at', 'timestamptz')
      .addColumn('value_cents', 'bigint', (c) => c.notNull())
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('probability', 'float8', (c) => c.notNull())
      .addColumn('expected_close', 'timestamptz')
      .addColumn('category', 'text')
      .addColumn('lost_reason', 'text')
      .addColumn('ms_contact', 'bigint')
      .addColumn('ms_qualification', 'bigint')
      .addColumn('ms_inquiry', 'bigint')
      .addColumn('ms_quotation', 'bigint')
      /** Bit per stage ever entered (domain/pipeline/stages.ts order). */
      .addColumn('reached', 'integer', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('report_events')
      .addColumn('workflow_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('at', 'timestamptz', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('stage', 'text')
      .addColumn('rep', 'text')
      .addColumn('channel', 'text')
      .addColumn('direction', 'text')
      .addColumn('quote_revision', 'integer')
      .addColumn('value_cents', 'bigint')
      .addColumn('task_id', 'text')
      .addColumn('task_kind', 'text')
      .addColumn('reason', 'text')
      .addColumn('campaign', 'text')
      .addColumn('ms', 'bigint')
      .addColumn('on_time', 'boolean')
      .addPrimaryKeyConstraint('report_events_pk', ['workflow_id', 'seq'])
      .execute();

    // Every report reads one kind of event over a period.
    await sql`create index report_events_kind_at on report_events (kind, at) include (workflow_id, stage, rep, channel, direction, quote_revision, value_cents, campaign, ms, on_time)`.execute(db);
    await db.schema.createIndex('report_prospects_closed_at').on('report_prospects').column('closed_at').execute();
    await db.schema.createIndex('report_prospects_created_at').on('report_prospects').column('created_at').execute();
    await sql`create index report_prospects_open on report_prospects (expected_close) where closed_at is null`.execute(db);
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('report_events').execute();
    await db.schema.dropTable('report_prospects').execute();
  },
};
