import type { Kysely, Migration } from 'kysely';

/**
 * Who each prospect is (name, company, address) in its read-model row, for the search of
 * every prospect a person may see (`GET /api/prospects?q=`, `salesflow list --search`):
 * visibility keeps them only in the memo, which no list query matches. No index: the search
 * is a scan of one narrow table, filtered first by rep or team (tens of milliseconds at
 * 100,000 prospects), and an index on them would cost every read-model write. Rows written
 * before have none until their prospect's next write or `salesflow report rebuild`.
 */
export const reportProspectNames: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('report_prospects').addColumn('name', 'text').addColumn('company', 'text').addColumn('email', 'text').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('report_prospects').dropColumn('email').dropColumn('company').dropColumn('name').execute();
  },
};
