import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { ConnectionConfig, WorkerConfig } from '../domain/shared/config';
import { startDevServer } from '../scripts/devStack';
import { freePort } from '../scripts/freePort';
import { untilPolling } from '../scripts/workerProcess';
import type { MailSink } from '../scripts/mailSink';
import { ensureTemporalCli } from '../scripts/temporalBinaries';
import { ensureSearchAttributes } from '../worker/searchAttributes';
import { createSalesflowWorker } from '../worker/worker';
import { closeDatabase, openDatabase, type SalesflowDb } from '../db/database';
import { startEmbeddedPostgres } from '../db/embedded';
import { cpuReader, type CpuTimes } from './cpu';
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
  /** With `workerProcess`: the worker process's resident memory now and at its peak, in bytes. */
  workerMemory(): { rss: number; peak: number } | undefined;
  /** CPU used so far by this process, the dev server and the embedded PostgreSQL (0 for one given by DATABASE_URL). */
  cpu(): CpuTimes;
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
  /**
   * Run the worker as its own process (`node dist/worker/main.js`, configured through its
   * environment as a deployment would), so its memory is measured alone and a restart is a
   * real process restart. Otherwise it runs inside the bench process.
   */
  workerProcess?: boolean;
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
  const workerConfig = {
    ...config,
    SMTP_URL: options.sink.url,
    MAIL_FROM: options.from,
    SMTP_POOL_SIZE: options.pool,
    SALESFLOW_CAMPAIGN_DIR: options.dir,
    // A throwaway stack on loopback, like npm start's: the built-in secret is fine.
    SALESFLOW_DEV_STACK: true,
    ...options.worker,
  };
  const worker = options.workerProcess
    ? await workerProcess({ ...workerConfig, DATABASE_URL: process.env.DATABASE_URL ?? postgres!.url, ...(options.maxCachedWorkflows !== undefined ? { SALESFLOW_MAX_CACHED_WORKFLOWS: options.maxCachedWorkflows } : {}) })
    : await inProcessWorker(() =>
        createSalesflowWorker({
          connection: native,
          config: workerConfig,
          db,
          ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
        }),
      );
  return {
    client: temporalClient({ connection }),
    config,
    db,
    dbFile: `${options.dir}/temporal.db`,
    restartWorker: () => worker.restart(),
    workerMemory: () => worker.memory(),
    cpu: cpuReader({ ...(server.process.pid ? { temporalPid: server.process.pid } : {}), ...(postgres ? { postgresDir: `${options.dir}/postgres/data` } : {}) }),
    async stop() {
      await worker.stop();
      await native.close();
      await connection.close();
      await server.stop();
      await closeDatabase(db);
      await postgres?.stop();
    },
  };
}

interface RunningWorker {
  restart(): Promise<void>;
  stop(): Promise<void>;
  memory(): { rss: number; peak: number } | undefined;
}

async function inProcessWorker(make: () => ReturnType<typeof createSalesflowWorker>): Promise<RunningWorker> {
  let { worker, close } = await make();
  let running = worker.run();
  const stop = async () => {
    worker.shutdown();
    await running;
    close();
  };
  return {
    async restart() {
      await stop();
      ({ worker, close } = await make());
      running = worker.run();
    },
    stop,
    memory: () => undefined,
  };
}

/** `node dist/worker/main.js` with the config in its environment; ready once it says it is polling. */
async function workerProcess(config: Record<string, unknown>): Promise<RunningWorker> {
  const settings = Object.entries(config).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v));
  const env = { ...process.env, ...Object.fromEntries(settings.map(([k, v]) => [k, String(v)])), SALESFLOW_LOG_LEVEL: 'ERROR' };
  const start = async (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, [require.resolve('../worker/main')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    await untilPolling(child);
    return child;
  };
  let child = await start();
  const stop = async () => {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  return {
    async restart() {
      await stop();
      child = await start();
    },
    stop,
    memory() {
      // Linux's accounting of the process: resident now (VmRSS) and at its peak (VmHWM).
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? NaN) * 1024;
      return { rss: kib('VmRSS'), peak: kib('VmHWM') };
    },
  };
}
