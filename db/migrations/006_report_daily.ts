import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Issue 14's speed goal (every report under 200 ms p99 at 100,000 prospects): reports read
 * `report_daily`, one row per UTC day, metric and the dimensions a report filters by, instead
 * of scanning a year of `report_events`. It is maintained in the same transaction as each
 * live batch (db/reporting.ts subtracts a prospect's contribution before the batch and adds
 * it back after) and recomputed by the rebuild, so it is always the sum of the prospects'
 * contributions (the rebuild-equals-live test compares it too).
 *
 * Dimensions are '' rather than null so they can be part of the key. `value` and `weighted`
 * are numeric: adding and subtracting a prospect's share must return exactly to zero.
 *
 * `report_campaign_outcomes` holds what the campaign runs learn about recipients who may be
 * no prospect at all (bounced, unsubscribed), keyed by (run, address, outcome) so a retried
 * activity or a second click writes nothing twice.
 */
export const reportDaily: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('report_daily')
      .addColumn('metric', 'text', (c) => c.notNull())
      .addColumn('day', 'date', (c) => c.notNull())
      /** What the metric is split by: the stage, channel, forecast category or campaign. */
      .addColumn('key', 'text', (c) => c.notNull())
      /** The person who acted (activity metrics), else ''. */
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('rep', 'text', (c) => c.notNull())
      .addColumn('team', 'text', (c) => c.notNull())
      .addColumn('process', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('campaign', 'text', (c) => c.notNull())
      .addColumn('n', 'bigint', (c) => c.notNull())
      .addColumn('value', 'numeric(30, 6)', (c) => c.notNull())
      .addColumn('weighted', 'numeric(30, 6)', (c) => c.notNull())
      .addPrimaryKeyConstraint('report_daily_pk', ['metric', 'day', 'key', 'actor', 'rep', 'team', 'process', 'source', 'campaign'])
      .execute();
    // Cells whose contributions cancelled out are deleted after each batch; this finds them.
    await sql`create index report_daily_empty on report_daily (metric) where n = 0`.execute(db);

    // The outcome and time-to-answer parts stay exact percentiles over the raw rows: covering
    // indexes make them index-only scans of the period.
    await sql`create index report_prospects_closed_cover on report_prospects (closed_at) include (created_at, stage, value_cents, lost_reason, rep, team, process, source, campaign, ms_contact, ms_qualification, ms_inquiry, ms_quotation) where closed_at is not null`.execute(db);
    await sql`drop index report_prospects_closed_at`.execute(db);
    await sql`create index report_prospects_team_rep on report_prospects (team, rep)`.execute(db);

    await db.schema
      .createTable('report_campaign_outcomes')
      .addColumn('run', 'text', (c) => c.notNull())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('bounced', 'unsubscribed')`))
      .addColumn('campaign', 'text', (c) => c.notNull())
      .addColumn('at', 'timestamptz', (c) => c.notNull())
      .addPrimaryKeyConstraint('report_campaign_outcomes_pk', ['run', 'email', 'outcome'])
      .execute();
    await db.schema.createIndex('report_campaign_outcomes_at').on('report_campaign_outcomes').columns(['at', 'campaign']).execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('report_campaign_outcomes').execute();
    await db.schema.dropTable('report_daily').execute();
    await sql`drop index report_prospects_closed_cover`.execute(db);
    await sql`drop index report_prospects_team_rep`.execute(db);
    await db.schema.createIndex('report_prospects_closed_at').on('report_prospects').column('closed_at').execute();
  },
};
