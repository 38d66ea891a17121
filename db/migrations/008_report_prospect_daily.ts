import type { Kysely, Migration } from 'kysely';

/**
 * Each prospect's current share of `report_daily`, as last written (db/reporting.ts). A live
 * batch used to compute the batch's prospects' shares twice, before and after its rows: the
 * query that does it was three quarters of PostgreSQL's time per write. The share before is
 * now read from here, valid when stored for the prospect row's current version; a prospect
 * with none (written before this table, or by an older worker) has its share computed as
 * before. The rebuild empties it (each prospect's next write computes its share again).
 */
export const reportProspectDaily: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('report_prospect_daily')
      .addColumn('workflow_id', 'text', (c) => c.primaryKey())
      /** The `report_prospects` version the cells were computed at. */
      .addColumn('version', 'integer', (c) => c.notNull())
      /** The prospect's cells: `report_daily`'s key columns with n, value and weighted. */
      .addColumn('cells', 'jsonb', (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('report_prospect_daily').execute();
  },
};
