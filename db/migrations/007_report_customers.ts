import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The post-sales part of the reporting read model (issue 14): one row per customer account
 * (its owner's scope and its recurring revenue now) and the account's dated events (contract
 * terms falling due, renewed, lapsed; referrals given, won, lost). An account's projection is
 * small, so each write replaces its events whole (db/postsalesReport.ts), never going back to
 * an older record version; the rebuild writes the same rows from the customer workflows.
 */
export const reportCustomers: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('report_customers')
      .addColumn('workflow_id', 'text', (c) => c.primaryKey())
      .addColumn('customer_id', 'text', (c) => c.notNull())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('team', 'text', (c) => c.notNull())
      .addColumn('process', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('active_contracts', 'integer', (c) => c.notNull())
      .addColumn('recurring_cents', 'bigint', (c) => c.notNull())
      .addColumn('annual_recurring_cents', 'bigint', (c) => c.notNull())
      .addColumn('lost_revenue_cents', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('report_customer_events')
      .addColumn('workflow_id', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('at', 'timestamptz', (c) => c.notNull())
      .addColumn('contract_id', 'text')
      .addColumn('value_cents', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('report_customer_events_pk', ['workflow_id', 'key'])
      .execute();
    await sql`create index report_customer_events_kind_at on report_customer_events (kind, at) include (workflow_id, value_cents)`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('report_customer_events').execute();
    await db.schema.dropTable('report_customers').execute();
  },
};
