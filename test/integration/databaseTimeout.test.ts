import { sql } from 'kysely';
import { Registry } from 'prom-client';
import { databasePoolStats, openDatabase, withoutQueryTimeout, type SalesflowDb } from '../../db/database';
import { registerDatabaseMetrics } from '../../worker/metrics';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy';

/**
 * A database that stops answering (its host gone, a network dropping packets without a
 * reset) must not stop salesflow for good: a query waits at most DATABASE_QUERY_TIMEOUT,
 * its connection is given up, and the pool carries on with new ones once the database is
 * back. Real PostgreSQL, reached through a loopback proxy that can go silent.
 */

let t: TestDatabase;
let proxy: TcpProxy;
let db: SalesflowDb;

beforeAll(async () => {
  t = await freshDatabase({ migrate: false });
  const url = new URL(t.url);
  proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
  url.port = String(proxy.port);
  // One connection: were a silent one kept, every later query would wait behind it.
  db = openDatabase(url.toString(), { maxConnections: 1, queryTimeoutMs: 500 });
  await sql`create table timeout_probe (id int primary key)`.execute(t.db);
});

afterAll(async () => {
  await db?.destroy();
  await proxy?.close();
  await t?.drop();
});

const one = async (on: SalesflowDb) => (await sql<{ one: number }>`select 1 as one`.execute(on)).rows[0]?.one;

test('a query the database never answers fails after the timeout, and the pool carries on once it is back', async () => {
  expect(await one(db)).toBe(1);
  proxy.hold();
  const started = Date.now();
  await expect(one(db)).rejects.toThrow('the database did not answer within 0.5 s (DATABASE_QUERY_TIMEOUT)');
  expect(Date.now() - started).toBeLessThan(10_000);
  proxy.release();
  // The silent connection was dropped: the pool's one slot is free for a new one.
  expect(await one(db)).toBe(1);
});

test('a transaction cut off by the timeout commits nothing', async () => {
  await expect(
    db.transaction().execute(async (tx) => {
      await sql`insert into timeout_probe (id) values (1)`.execute(tx);
      await sql`select pg_sleep(2)`.execute(tx);
    }),
  ).rejects.toThrow('did not answer within 0.5 s');
  const rows = await sql<{ n: string }>`select count(*) as n from timeout_probe`.execute(t.db);
  expect(Number(rows.rows[0]!.n)).toBe(0);
  expect(await one(db)).toBe(1);
});

test('work that may rightly run long (a migration, a rebuild) runs without the timeout', async () => {
  await withoutQueryTimeout(async () => {
    await db.transaction().execute(async (tx) => {
      await sql`select pg_sleep(1)`.execute(tx);
      await sql`insert into timeout_probe (id) values (2)`.execute(tx);
    });
  });
  const rows = await sql<{ id: number }>`select id from timeout_probe`.execute(t.db);
  expect(rows.rows).toEqual([{ id: 2 }]);
});

test('a connection the database closes under a running query (a restart, a failover) fails that query only', async () => {
  const running = sql`select pg_sleep(5)`.execute(db);
  // The pool's one backend, ended by the server as a restart or a failover ends it.
  await eventuallyTerminated();
  await expect(running).rejects.toThrow(/terminating connection|Connection terminated/);
  // The process lives on (pg reports the loss as an 'error' event too) and so does the pool.
  expect(await one(db)).toBe(1);
});

async function eventuallyTerminated(): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const { rows } = await sql<{ ended: boolean }>`
      select pg_terminate_backend(pid) as ended from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and query like '%pg_sleep(5)%'`.execute(t.db);
    if (rows.some((r) => r.ended)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the running query never showed in pg_stat_activity');
}

test('the pool counts what it gave up on, and its metrics show it with the connections in use', async () => {
  // The tests above (in order): two queries timed out, one connection closed by the server.
  expect(databasePoolStats(db)?.lost).toEqual({ timeout: 2, closed: 1 });
  const registry = new Registry();
  registerDatabaseMetrics(registry, db);
  const held = db.transaction().execute(() => new Promise((resolve) => setTimeout(resolve, 300)));
  await new Promise((resolve) => setTimeout(resolve, 100));
  // The one connection is in the transaction; a query waits for it.
  const waiting = one(db);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const text = await registry.metrics();
  expect(text).toContain('salesflow_database_connections{state="busy"} 1');
  expect(text).toContain('salesflow_database_connections{state="idle"} 0');
  expect(text).toContain('salesflow_database_waiting_queries 1');
  expect(text).toContain('salesflow_database_connections_lost_total{reason="timeout"} 2');
  expect(text).toContain('salesflow_database_connections_lost_total{reason="closed"} 1');
  await held;
  expect(await waiting).toBe(1);
});
