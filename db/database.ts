import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';
import type { Database } from './schema';

export type SalesflowDb = Kysely<Database>;

/** A typed query builder over a pool; `db.destroy()` (or closeDatabase) ends the pool. */
export function openDatabase(url: string, options: { maxConnections?: number } = {}): SalesflowDb {
  const pool = new Pool({ connectionString: url, max: options.maxConnections ?? 10 });
  // An idle client losing its server (a restart) is reported here; the next query reconnects.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export async function closeDatabase(db: Kysely<any>): Promise<void> {
  await db.destroy();
}

/** The same server's URL with another database name (e.g. `postgres` to create one). */
export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

/** Creates database `name` on the server `url` points at, unless it exists. */
export async function ensureDatabase(url: string, name: string): Promise<void> {
  const admin = openDatabase(withDatabaseName(url, 'postgres'), { maxConnections: 1 });
  try {
    const { rows } = await sql<{ one: number }>`select 1 as one from pg_database where datname = ${name}`.execute(admin);
    if (rows.length === 0) await sql`create database ${sql.id(name)}`.execute(admin);
  } catch (err) {
    // Two processes creating it at once: the loser finds it there.
    if ((err as { code?: string }).code !== '42P04') throw err;
  } finally {
    await admin.destroy();
  }
}
