import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect, sql, type RawBuilder } from 'kysely';
import { Client, Pool } from 'pg';
import { DEFAULT_QUERY_TIMEOUT_MS } from '../domain/shared/config';
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

/*
 * Queries have a timeout (DATABASE_QUERY_TIMEOUT, default DEFAULT_QUERY_TIMEOUT_MS). Not a limit
 * on work: the few statements that may rightly run for minutes (migrations, the read model's
 * rebuild) run `withoutQueryTimeout`. It is there for a connection that will never answer: a
 * database host gone or a network dropped without a reset leaves a query waiting for good
 * (TCP notices nothing while nothing is sent), and a pool whose every connection waits so
 * stops the worker and the server until they are restarted.
 */

/** Idle time after which the kernel probes a pooled connection (a dead peer is noticed without waiting on a query). */
const KEEPALIVE_AFTER_MS = 10_000;

const untimed = new AsyncLocalStorage<true>();

/** Runs `work` with no query timeout on the queries it makes (a migration, a rebuild). */
export function withoutQueryTimeout<T>(work: () => Promise<T>): Promise<T> {
  return untimed.run(true, work);
}

/**
 * pg's client, preparing the statements `prepared` marked (named by their text's hash, so a
 * changed text is a new statement), and giving up on a query unanswered after `timeoutMs`:
 * its connection is destroyed (the pool drops it and opens another for the next query), so
 * the query fails and, within a transaction, nothing of it is committed.
 */
class PreparingClient extends Client {
  /** Set per pool (openDatabase); 0 for none. */
  protected timeoutMs = 0;
  /** The pool's count of connections lost (openDatabase), for its metrics. */
  protected lost: ConnectionsLost = { timeout: 0, closed: 0 };

  constructor(config?: ConstructorParameters<typeof Client>[0]) {
    super(config);
    // A connection lost while a query runs on it (a restarted database, a timeout below)
    // fails that query and is then dropped by the pool; pg also emits the loss here, and the
    // pool listens only while the client is idle, so without this the process would die of
    // an unhandled 'error'.
    this.on('error', () => this.connectionLost('closed'));
  }

  /** Set once this client's connection was given up on: what its later queries fail with. */
  private givenUp?: Error;
  /** Whether this client's connection was counted as lost (once, by its first cause). */
  private counted = false;

  private connectionLost(reason: keyof ConnectionsLost): void {
    if (this.counted) return;
    this.counted = true;
    this.lost[reason]++;
  }

  override query(...args: unknown[]): never {
    const [text, values] = args;
    if (this.givenUp) {
      // The transaction's rollback: done, as the server rolls back a transaction whose
      // connection closed. Failing it would hide why the transaction failed.
      if (text === 'rollback') return Promise.resolve({ rows: [], rowCount: 0, command: 'ROLLBACK', fields: [] }) as never;
      return Promise.reject(this.givenUp) as never;
    }
    const mark = typeof text === 'string' && args.length <= 2 ? PREPARED_MARK.exec(text) : null;
    let name = mark ? statementNames.get(text as string) : undefined;
    if (mark && !name) {
      name = `${mark[1]}_${createHash('sha256').update(text as string).digest('hex').slice(0, 12)}`;
      statementNames.set(text as string, name);
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...(name ? [{ name, text, values }] : args));
    // Kysely queries by promise; callback calls (pg's own) are left as they are.
    if (!(result instanceof Promise)) return result as never;
    return this.watched(result, this.timeoutMs > 0 && !untimed.getStore() ? this.timeoutMs : 0) as never;
  }

  /**
   * The query's result, failing after `timeoutMs` (0: never) unanswered; either way a client
   * whose connection is lost is marked so before the caller hears of it.
   */
  private watched<T>(result: Promise<T>, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.givenUp = new Error(`the database did not answer within ${timeoutMs / 1000} s (DATABASE_QUERY_TIMEOUT); its connection was closed`);
              this.connectionLost('timeout');
              this.unusable();
              // pg then fails the query itself ("Connection terminated"); the caller is told why.
              (this as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
            }, timeoutMs)
          : undefined;
      result.then(
        (value) => {
          clearTimeout(timer);
          if (this.givenUp) reject(this.givenUp);
          else resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          // A FATAL error (the server ending the session: a restart, a failover, a terminated
          // backend) arrives before pg has seen the connection close.
          if ((err as { severity?: string }).severity === 'FATAL') {
            this.connectionLost('closed');
            this.givenUp ??= err as Error;
            this.unusable();
          }
          reject(this.givenUp ?? err);
        },
      );
    });
  }

  /**
   * The pool drops a client released in this state instead of handing it to the next query
   * (pg-pool reads `_queryable` when a client comes back, pg sets it when it sees the loss;
   * this only says it sooner, before the caller releases the client).
   */
  private unusable(): void {
    (this as unknown as { _queryable: boolean })._queryable = false;
  }
}

/**
 * A typed query builder over a pool; `db.destroy()` (or closeDatabase) ends the pool.
 * `queryTimeoutMs` (default DEFAULT_QUERY_TIMEOUT_MS, 0 for none) also bounds the wait for a
 * connection.
 */
export function openDatabase(url: string, options: { maxConnections?: number; queryTimeoutMs?: number } = {}): SalesflowDb {
  const timeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const lost: ConnectionsLost = { timeout: 0, closed: 0 };
  class PoolClient extends PreparingClient {
    protected override timeoutMs = timeoutMs;
    protected override lost = lost;
  }
  const pool = new Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    Client: PoolClient,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_AFTER_MS,
    ...(timeoutMs > 0 ? { connectionTimeoutMillis: timeoutMs } : {}),
  });
  // An idle client losing its server (a restart) is reported here; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  poolStats.set(db, () => ({
    connections: { idle: pool.idleCount, busy: pool.totalCount - pool.idleCount },
    waiting: pool.waitingCount,
    lost: { ...lost },
  }));
  return db;
}

/** Connections a pool gave up on: a query unanswered within its timeout, or closed by the other side. */
export interface ConnectionsLost {
  timeout: number;
  closed: number;
}

/** A pool's state, for its metrics (worker/metrics.ts): what an operator watches the database by. */
export interface DatabasePoolStats {
  connections: { idle: number; busy: number };
  /** Queries waiting for a connection (every one busy). */
  waiting: number;
  lost: ConnectionsLost;
}

const poolStats = new WeakMap<object, () => DatabasePoolStats>();

/** The state of the pool under `db` (one openDatabase made). */
export function databasePoolStats(db: SalesflowDb): DatabasePoolStats | undefined {
  return poolStats.get(db)?.();
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
