import { sql, type Kysely, type Migration } from 'kysely';

/**
 * What the prospect search matches (db/reporting.ts `searchProspects`): id, name, company and
 * address in one lower-cased text. The index below is built on exactly this expression.
 */
export const SEARCH_TEXT = sql`lower(prospect_id || ' ' || coalesce(name, '') || ' ' || coalesce(company, '') || ' ' || coalesce(email, ''))`;

/**
 * Who each prospect is (name, company, address) in its read-model row, for the search of
 * every prospect a person may see (`GET /api/prospects?q=`, `salesflow list --search`):
 * visibility keeps them only in the memo, which no list query matches. Rows written before
 * have none until their prospect's next write or `salesflow report rebuild`.
 *
 * A trigram index (pg_trgm) makes a search of words anywhere in them an index lookup: at
 * 100,000 prospects a scan took about 100 ms on an idle machine, the index about 20 ms, and
 * it did not measurably slow the read model's row writes (its pending list takes them). Where
 * the extension is not available or this role may not create it (a managed database without
 * pg_trgm), the search scans instead, and works the same.
 */
export const reportProspectNames: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('report_prospects').addColumn('name', 'text').addColumn('company', 'text').addColumn('email', 'text').execute();
    const { rows } = await sql<{ ok: boolean }>`
      select exists (select 1 from pg_extension where extname = 'pg_trgm')
        or exists (
          select 1 from pg_available_extension_versions v
          where v.name = 'pg_trgm' and v.version = (select default_version from pg_available_extensions where name = 'pg_trgm')
            and ((select rolsuper from pg_roles where rolname = current_user) or (v.trusted and has_database_privilege(current_database(), 'CREATE')))
        ) as ok`.execute(db);
    if (!rows[0]?.ok) return;
    await sql`create extension if not exists pg_trgm`.execute(db);
    await sql`create index report_prospects_search on report_prospects using gin ((${SEARCH_TEXT}) gin_trgm_ops)`.execute(db);
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await sql`drop index if exists report_prospects_search`.execute(db);
    await db.schema.alterTable('report_prospects').dropColumn('email').dropColumn('company').dropColumn('name').execute();
  },
};
