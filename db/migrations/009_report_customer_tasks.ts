import type { Kysely, Migration } from 'kysely';

/**
 * Customer accounts' tasks in the activity report: a task's events (done, overdue,
 * escalated) name the rep credited, and a done one whether it was on time; the account's
 * writer keeps their counts in `report_daily` (db/reportDaily.ts). Rows written before have
 * neither; `salesflow report rebuild` writes every account's tasks done so far (their overdue
 * and escalated spells only from the version that records them).
 */
export const reportCustomerTasks: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('report_customer_events').addColumn('actor', 'text').execute();
    await db.schema.alterTable('report_customer_events').addColumn('detail', 'text').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('report_customer_events').dropColumn('detail').execute();
    await db.schema.alterTable('report_customer_events').dropColumn('actor').execute();
  },
};
