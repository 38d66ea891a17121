import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { DevStackConfigSchema, type DevStackConfig } from '../domain/shared/config';
import { describeIssues } from '../domain/shared/errors';
import { devServerSearchAttributeFlags, ensureSearchAttributes } from '../worker/searchAttributes';
import { createSalesflowWorker } from '../worker/worker';
import { MailSink } from './mailSink';
import { CampaignClient } from '../client/campaign/campaignClient';
import { SalesflowClient } from '../client/pipeline/salesflowClient';
import { describeApi, startApi } from '../server/main';
import { inboundHandler } from '../server/inboundMail';
import { startImapPoller } from '../server/imapPoller';
import { DEFAULT_API_URL } from '../client/shared/credentials';
import { PROJECT_ROOT, ensureTemporalCli } from './temporalBinaries';
import { describeStackDatabase, localPostgresDir, openStackDatabase } from '../db/stack';
import { startTracing } from '../client/shared/tracing';
import { createWorkerMetrics, registerDatabaseMetrics, serveMetrics } from '../worker/metrics';
import { clientInterceptors, temporalClient } from '../client/shared/temporalConnection';

/**
 * `npm start`: the whole local stack in one foreground process. The Temporal dev server
 * keeps its state in `.data/temporal.db`, so stopping and starting again resumes every
 * prospect where it was; mail lands as `.eml` files in `.data/mail/`. Ctrl-C drains the
 * worker first, then stops the mail sink and the server.
 */

export interface TemporalDevServer {
  process: ChildProcess;
  address: string;
  stop(): Promise<void>;
  /**
   * Settles when the server's process ends without `stop()`: why, from what it printed last.
   * Never settles after `stop()`.
   */
  died: Promise<string>;
}

/** Refuses to start next to something already listening, which would otherwise answer for us. */
export async function assertPortFree(port: number, what: string, envVar: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', () =>
      reject(new Error(`port ${port} (${what}) is already in use: is another salesflow or Temporal running? Stop it, or set ${envVar} to a free port`)),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/**
 * The dynamic config salesflow's Temporal runs with (eager activities, the visibility rate
 * limit; the file says why), read from the file docker-compose mounts, as the dev server's flags.
 */
function dynamicConfigFlags(): string[] {
  const settings = parse(readFileSync(join(PROJECT_ROOT, 'deploy', 'temporal', 'dynamicconfig.yaml'), 'utf8')) as Record<string, { value: unknown }[]>;
  return Object.entries(settings).flatMap(([key, values]) => ['--dynamic-config-value', `${key}=${JSON.stringify(values[0]!.value)}`]);
}

/** The origins a browser gives the dev server's Temporal UI (both names of loopback). */
export function localUiOrigins(uiPort: number): string[] {
  return [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`];
}

/** Starts `temporal server start-dev` and waits until its frontend answers. */
export async function startDevServer(options: {
  executable: string;
  port: number;
  uiPort?: number;
  dbFile?: string;
  extraArgs?: string[];
  log?: (line: string) => void;
}): Promise<TemporalDevServer> {
  const address = `127.0.0.1:${options.port}`;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--log-level',
    'error',
    ...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    ...devServerSearchAttributeFlags(),
    ...dynamicConfigFlags(),
    ...(options.extraArgs ?? []),
  ];
  // Its own process group: the terminal's Ctrl-C reaches only us, and we stop the server
  // after the worker has drained.
  const child = spawn(options.executable, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  /** The line of its stderr that says why it ended: a Go panic ends with its stack, the reason comes first. */
  const lastWords = (): string => {
    const lines = stderr.trim().split('\n');
    return (lines.find((l) => /panic|error|fatal|address already in use/i.test(l)) ?? lines.at(-1) ?? '').trim();
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  process.once('exit', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (spawnError) throw new Error(`cannot run ${options.executable}: ${spawnError.message}`);
    if (child.exitCode !== null) throw new Error(`temporal dev server exited with code ${child.exitCode}: ${lastWords()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`temporal dev server did not answer on ${address} within 60 s: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  options.log?.(`temporal dev server on ${address}`);
  const died = exited.then(
    (code) =>
      new Promise<string>((resolve) => {
        if (stopped) return;
        const why = lastWords();
        resolve(`${child.signalCode ? `killed by ${child.signalCode}` : `exit code ${code}`}${why ? `: ${why}` : ''}`);
      }),
  );
  return { process: child, address, stop, died };
}

/** Mail to any address at this domain bounces at `npm start`'s sink (550: no such mailbox), to watch a bounce handled. */
export const BOUNCE_DOMAIN = 'bounce.example';

async function main(config: DevStackConfig): Promise<void> {
  const dataDir = resolve(PROJECT_ROOT, config.SALESFLOW_DATA_DIR);
  const mailDir = resolve(dataDir, 'mail');
  mkdirSync(mailDir, { recursive: true });

  // The SDK's INFO lines (webpack's bundle report among them) drown the addresses we print.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  await assertPortFree(config.TEMPORAL_PORT, 'Temporal', 'TEMPORAL_PORT');
  await assertPortFree(config.TEMPORAL_UI_PORT, 'Temporal UI', 'TEMPORAL_UI_PORT');
  await assertPortFree(config.SMTP_PORT, 'SMTP sink', 'SMTP_PORT');
  const executable = ensureTemporalCli();
  console.log('salesflow: starting the Temporal dev server, the mail sink, PostgreSQL and the worker ...');
  const server = await startDevServer({
    executable,
    port: config.TEMPORAL_PORT,
    uiPort: config.TEMPORAL_UI_PORT,
    dbFile: resolve(dataDir, 'temporal.db'),
  });
  const cleanups: (() => Promise<void> | void)[] = [() => server.stop()];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn();
  };
  try {
    const client = await Connection.connect({ address: server.address, interceptors: clientInterceptors({ deadline: false }) });
    await ensureSearchAttributes(client, config.TEMPORAL_NAMESPACE);
    await client.close();

    const sink = await new MailSink({ port: config.SMTP_PORT, dir: mailDir, bounceDomain: BOUNCE_DOMAIN }).start();
    cleanups.push(() => sink.stop());

    // Accounts, sessions and tokens: DATABASE_URL, or an embedded PostgreSQL in the data folder.
    const database = await openStackDatabase({ databaseUrl: config.DATABASE_URL, dataDir, port: config.SALESFLOW_POSTGRES_PORT, queryTimeoutMs: config.DATABASE_QUERY_TIMEOUT });
    cleanups.push(() => database.stop());

    const connection = await NativeConnection.connect({ address: server.address });
    cleanups.push(() => connection.close());
    // The salesflow server (the API and the unsubscribe links); mails link to it unless
    // SALESFLOW_PUBLIC_URL says otherwise.
    // Tracing and worker metrics as on a deployment, when asked for (README "Operations").
    const tracing = config.OTEL_EXPORTER_OTLP_ENDPOINT ? startTracing({ endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: config.OTEL_SERVICE_NAME ?? 'salesflow' }) : undefined;
    if (tracing) cleanups.push(() => tracing.shutdown());
    const workerMetrics = createWorkerMetrics();
    // One pool serves the worker and the API here: both endpoints show it, as each would its own.
    registerDatabaseMetrics(workerMetrics.registry, database.db);
    let workerMetricsUrl: string | undefined;
    if (config.SALESFLOW_WORKER_METRICS_ADDRESS) {
      const served = await serveMetrics(workerMetrics.registry, config.SALESFLOW_WORKER_METRICS_ADDRESS, config.SALESFLOW_METRICS_TOKEN);
      workerMetricsUrl = served.url;
      cleanups.push(() => served.close());
    }
    const temporal = temporalClient({ connection, namespace: config.TEMPORAL_NAMESPACE, ...(tracing ? { interceptors: { workflow: tracing.clientInterceptors() } } : {}) });
    const http = await startApi({
      sales: SalesflowClient.fromClient(temporal, config),
      campaigns: CampaignClient.fromClient(temporal, config),
      database,
      host: '127.0.0.1',
      port: config.SALESFLOW_HTTP_PORT,
      unsubscribeSecret: config.SALESFLOW_UNSUBSCRIBE_SECRET,
      // Request lines would drown what this terminal prints; SALESFLOW_API_LOG_LEVEL=info shows them.
      server: {
        ...config,
        SALESFLOW_API_LOG_LEVEL: process.env.SALESFLOW_API_LOG_LEVEL ? config.SALESFLOW_API_LOG_LEVEL : 'warn',
        // The dev server's own UI may decode payloads through the codec (an admin's session).
        SALESFLOW_CODEC_ORIGINS: [...config.SALESFLOW_CODEC_ORIGINS, ...localUiOrigins(config.TEMPORAL_UI_PORT)],
      },
      ...(config.SALESFLOW_METRICS_TOKEN ? { metricsToken: config.SALESFLOW_METRICS_TOKEN } : {}),
    });
    cleanups.push(() => http.close());
    // Replies: the sink is also salesflow's inbound SMTP endpoint for its reply address (and
    // the reply address's domain), and an IMAP mailbox is polled when IMAP_URL is set.
    const inboundDeps = { db: database.db, sales: SalesflowClient.fromClient(temporal, config), replyAddress: config.SALESFLOW_REPLY_ADDRESS };
    sink.inbound = inboundHandler(inboundDeps);
    if (config.IMAP_URL) {
      const poller = startImapPoller(inboundDeps, { url: config.IMAP_URL, intervalMs: config.IMAP_POLL_INTERVAL, log: (m) => console.log(`salesflow: ${m}`) });
      cleanups.push(() => poller.stop());
    }
    const publicUrl = process.env.SALESFLOW_PUBLIC_URL ? config.SALESFLOW_PUBLIC_URL : http.url;
    const { worker, close } = await createSalesflowWorker({
      connection,
      db: database.db,
      metrics: workerMetrics,
      ...(tracing ? { tracing } : {}),
      // This is the development stack by construction: the built-in secret is allowed.
      config: {
        ...config,
        SMTP_URL: sink.url,
        SALESFLOW_CAMPAIGN_DIR: resolve(PROJECT_ROOT, config.SALESFLOW_CAMPAIGN_DIR),
        SALESFLOW_PUBLIC_URL: publicUrl,
        SALESFLOW_DEV_STACK: true,
      },
    });
    cleanups.push(close);

    console.log(
      [
        'salesflow is running:',
        `  Temporal      ${server.address} (namespace ${config.TEMPORAL_NAMESPACE}, state in ${resolve(dataDir, 'temporal.db')})`,
        `  Temporal UI   http://127.0.0.1:${config.TEMPORAL_UI_PORT}   (compressed payloads: as an admin logged in to the web app, set its Codec Server to ${http.url}/api/temporal-codec with cross-origin credentials)`,
        `  SMTP sink     ${sink.url} -> ${mailDir}   (mail to any address @${BOUNCE_DOMAIN} bounces: 550)`,
        `  replies       to ${config.SALESFLOW_REPLY_ADDRESS} (any +tag) over ${sink.url}${config.IMAP_URL ? `, and IMAP polling every ${config.IMAP_POLL_INTERVAL / 1000} s` : ''}`,
        ...describeApi(http.url),
        `  mail links    ${publicUrl} (the web app's pages, the quotation page and unsubscribe in the mails sent; SALESFLOW_PUBLIC_URL)`,
        // The worker's own metrics (mail, deadlines, read-model writes) are served apart from the API's.
        `  worker        task queue ${config.SALESFLOW_TASK_QUEUE}; ${workerMetricsUrl ? `metrics ${workerMetricsUrl}` : 'its metrics: set SALESFLOW_WORKER_METRICS_ADDRESS (e.g. 127.0.0.1:9464)'}`,
        ...describeStackDatabase(database, dataDir),
        `In another terminal: npx salesflow login --login admin${http.url === DEFAULT_API_URL ? '' : ` --url ${http.url}`}   (then npx salesflow --help)    Stop with Ctrl-C.`,
      ].join('\n'),
    );
    // The Temporal dev server or the embedded PostgreSQL gone from under the stack (killed,
    // crashed, out of memory) leaves a worker and an API failing at every turn: stop, and say
    // why, rather than run on broken. Their state is on disk: the next `npm start` carries on.
    // A terminal's Ctrl-C ends PostgreSQL on its own too (one process group): not a loss.
    let signalled: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => (signalled = signal);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    cleanups.push(() => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    });
    let lost: string | undefined;
    const watch = (died: Promise<string>, what: string, state: string) =>
      void died.then((why) => {
        if (signalled || lost) return;
        lost = `${what} stopped unexpectedly (${why})`;
        console.error(`salesflow: ${lost}; shutting down. Run npm start again: its state is kept in ${state}.`);
        worker.shutdown();
      });
    watch(server.died, 'the Temporal dev server', resolve(dataDir, 'temporal.db'));
    if (database.embedded) watch(database.died, 'PostgreSQL', localPostgresDir(dataDir));
    // Worker.run() stops on SIGINT/SIGTERM after finishing the tasks it holds.
    await worker.run();
    // Name the cause: a Ctrl-C, another program's kill, or a part that died (said above).
    const cause = signalled === 'SIGINT' ? ' (Ctrl-C: SIGINT)' : signalled ? ` (${signalled} from another process)` : '';
    console.log(`salesflow: worker stopped${cause}; shutting down the mail sink, PostgreSQL and Temporal ...`);
    if (lost) throw new Error(lost);
  } finally {
    await cleanup();
  }
}

if (require.main === module) {
  const parsed = DevStackConfigSchema.safeParse(process.env);
  if (!parsed.success) {
    console.error(`salesflow: bad configuration: ${describeIssues(parsed.error).join('; ')}`);
    process.exit(1);
  }
  main(parsed.data).then(
    () => process.exit(0),
    (err) => {
      console.error(`salesflow: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
