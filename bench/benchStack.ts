import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { ConnectionConfig, WorkerConfig } from '../domain/shared/config';
import { startDevServer } from '../scripts/devStack';
import { freePort } from '../scripts/freePort';
import type { MailSink } from '../scripts/mailSink';
import { ensureTemporalCli } from '../scripts/temporalBinaries';
import { ensureSearchAttributes } from '../worker/searchAttributes';
import { createSalesflowWorker } from '../worker/worker';
import { closeDatabase, openDatabase, type SalesflowDb } from '../db/database';
import { startEmbeddedPostgres } from '../db/embedded';
import { migrateToLatest } from '../db/migrations';
import { clientInterceptors, temporalClient } from '../client/shared/temporalConnection';

/** What a benchmark runs against: a fresh dev server and the real worker, mailing a sink. */
export interface BenchStack {
  client: Client;
  config: ConnectionConfig;
  /** The salesflow database the worker keeps its campaign store in. */
  db: SalesflowDb;
  /** The dev server's SQLite file (its size is what the scale benchmark reports). */
  dbFile: string;
  /** Shuts the worker down and starts a fresh one (empty cache), as a restarted worker process would be. */
  restartWorker(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A dev server on a SQLite file in `dir` (WAL, as the tests run it) with salesflow's search
 * attributes, the salesflow database (DATABASE_URL's, or an embedded PostgreSQL in `dir`
 * with its durable defaults: fsync and synchronous commit on, as in production) and one real
 * worker on task queue `bench`, its campaign folder `dir`.
 */
export async function startBenchStack(options: {
  dir: string;
  sink: MailSink;
  from: string;
  pool: number;
  worker?: Partial<Pick<WorkerConfig, 'SALESFLOW_UNSUBSCRIBE_SECRET'>>;
  maxCachedWorkflows?: number;
}): Promise<BenchStack> {
  const server = await startDevServer({
    executable: ensureTemporalCli(),
    port: await freePort(),
    dbFile: `${options.dir}/temporal.db`,
    extraArgs: ['--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF'],
  });
  const connection = await Connection.connect({ address: server.address, interceptors: clientInterceptors({ deadline: false }) });
  await ensureSearchAttributes(connection, 'default');
  const postgres = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres({ dir: `${options.dir}/postgres` });
  const db = openDatabase(process.env.DATABASE_URL ?? postgres!.url);
  await migrateToLatest(db);
  const native = await NativeConnection.connect({ address: server.address });
  const config: ConnectionConfig = { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'default', SALESFLOW_TASK_QUEUE: 'bench' };
  const makeWorker = () => createSalesflowWorker({
    connection: native,
    config: {
      ...config,
      SMTP_URL: options.sink.url,
      MAIL_FROM: options.from,
      SMTP_POOL_SIZE: options.pool,
      SALESFLOW_CAMPAIGN_DIR: options.dir,
      // A throwaway stack on loopback, like npm start's: the built-in secret is fine.
      SALESFLOW_DEV_STACK: true,
      ...options.worker,
    },
    db,
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
  });
  let { worker, close } = await makeWorker();
  let running = worker.run();
  return {
    client: temporalClient({ connection }),
    config,
    db,
    dbFile: `${options.dir}/temporal.db`,
    async restartWorker() {
      worker.shutdown();
      await running;
      close();
      ({ worker, close } = await makeWorker());
      running = worker.run();
    },
    async stop() {
      worker.shutdown();
      await running;
      close();
      await native.close();
      await connection.close();
      await server.stop();
      await closeDatabase(db);
      await postgres?.stop();
    },
  };
}
