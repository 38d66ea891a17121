import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect, sql, type RawBuilder } from 'kysely';
import { Client, Pool } from 'pg';
import type { Database } from './schema';

export type SalesflowDb = Kysely<Database>;

const PREPARED_MARK = /^\/\* prepared: ([a-z0-9_]+) \*\//;

/**
 * Marks a statement to be prepared once per connection and reused: PostgreSQL then plans it
 * once instead of at every call. For the few big statements run on every write (the
 * read model's daily contributions), whose planning costs more than their execution. Only
 * statements whose text does not grow with their input belong here: each distinct text
 * stays prepared for the life of the connection.
 */
export function prepared(name: string, statement: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`${sql.raw(`/* prepared: ${name} */ `)}${statement}`;
}

/** What a row already under the key becomes: left as it is, or its other columns replaced (`where` limits which rows). */
export type OnConflict = { key: readonly string[]; replace: false } | { key: readonly string[]; replace: true; where?: string };

/**
 * `insert into <table> (...) select ... from jsonb_to_recordset($1)`, prepared as `name`:
 * every row of a batch in one statement whose text does not depend on how many rows it has,
 * so it is planned once per connection. `columns` maps each column to its SQL type; each row
 * holds a value (or null) for every column.
 */
export function insertFromJson(name: string, table: string, columns: Readonly<Record<string, string>>, rows: readonly object[], conflict: OnConflict): RawBuilder<unknown> {
  const names = Object.keys(columns);
  const typed = names.map((c) => `${c} ${columns[c]}`).join(', ');
  const action = conflict.replace
    ? `do update set ${names
        .filter((c) => !conflict.key.includes(c))
        .map((c) => `${c} = excluded.${c}`)
        .join(', ')}${conflict.where ? ` where ${conflict.where}` : ''}`
    : 'do nothing';
  return prepared(
    name,
    sql`${sql.raw(`insert into ${table} (${names.join(', ')}) select ${names.join(', ')} from jsonb_to_recordset(`)}${JSON.stringify(rows)}${sql.raw(
      `::jsonb) as r(${typed}) on conflict (${conflict.key.join(', ')}) ${action}`,
    )}`,
  );
}

const statementNames = new Map<string, string>();

/** pg's client, preparing the statements `prepared` marked (named by their text's hash, so a changed text is a new statement). */
class PreparingClient extends Client {
  override query(...args: unknown[]): never {
    const [text, values] = args;
    const mark = typeof text === 'string' && args.length <= 2 ? PREPARED_MARK.exec(text) : null;
    if (!mark) return (super.query as (...a: unknown[]) => never)(...args);
    let name = statementNames.get(text as string);
    if (!name) {
      name = `${mark[1]}_${createHash('sha256').update(text as string).digest('hex').slice(0, 12)}`;
      statementNames.set(text as string, name);
    }
    return (super.query as (...a: unknown[]) => never)({ name, text, values });
  }
}

/** A typed query builder over a pool; `db.destroy()` (or closeDatabase) ends the pool. */
export function openDatabase(url: string, options: { maxConnections?: number } = {}): SalesflowDb {
  const pool = new Pool({ connectionString: url, max: options.maxConnections ?? 10, Client: PreparingClient });
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
