import { Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { DatabaseConfigSchema, ObservabilityConfigSchema, unsubscribeSecretProblem, WorkerConfigSchema } from '../domain/shared/config';
import { clientInterceptors, describeTemporal, loadTemporalSettings } from '../client/shared/temporalConnection';
import { startTracing } from '../client/shared/tracing';
import { createWorkerMetrics, registerDatabaseMetrics, serveMetrics } from './metrics';
import { openDatabase } from '../db/database';
import { describeIssues } from '../domain/shared/errors';
import { ensureSearchAttributes } from './searchAttributes';
import { createSalesflowWorker } from './worker';
import { migrateToLatest } from '../db/migrations';

/**
 * A worker process for a running Temporal service (docker-compose, a cluster). Any number
 * of them can share the task queue. SIGINT/SIGTERM drain in-flight tasks and exit.
 */
async function main(): Promise<void> {
  const parsed = WorkerConfigSchema.extend({ DATABASE_URL: DatabaseConfigSchema.shape.DATABASE_URL, ...ObservabilityConfigSchema.shape }).safeParse(process.env);
  if (!parsed.success) {
    throw new Error(`bad configuration: ${describeIssues(parsed.error).join('; ')}`);
  }
  // Address, namespace, TLS and API key: a profile of the Temporal config file, then TEMPORAL_*.
  const config = { ...parsed.data, ...loadTemporalSettings(process.env) };
  const extras = config.temporalConnection;
  // Before connecting anywhere: a deployment with the built-in secret must not come up.
  const problem = unsubscribeSecretProblem(config.SALESFLOW_UNSUBSCRIBE_SECRET, config.SALESFLOW_DEV_STACK);
  if (problem) throw new Error(problem);
  Runtime.install({
    logger: new DefaultLogger(config.SALESFLOW_LOG_LEVEL),
    // The SDK's own metrics (task latencies, slots, sticky cache) on their Prometheus endpoint.
    ...(config.SALESFLOW_SDK_METRICS_ADDRESS ? { telemetryOptions: { metrics: { prometheus: { bindAddress: config.SALESFLOW_SDK_METRICS_ADDRESS, countersTotalSuffix: true } } } } : {}),
  });
  const metrics = createWorkerMetrics({ processMetrics: true });
  const metricsServer = config.SALESFLOW_WORKER_METRICS_ADDRESS ? await serveMetrics(metrics.registry, config.SALESFLOW_WORKER_METRICS_ADDRESS, config.SALESFLOW_METRICS_TOKEN) : undefined;
  const tracing = config.OTEL_EXPORTER_OTLP_ENDPOINT ? startTracing({ endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: config.OTEL_SERVICE_NAME ?? 'salesflow-worker' }) : undefined;
  const connectOptions = { address: config.TEMPORAL_ADDRESS, ...extras };
  let client: Connection;
  try {
    client = await Connection.connect({ ...connectOptions, interceptors: clientInterceptors() });
  } catch (err) {
    throw new Error(`cannot reach Temporal at ${describeTemporal(config)}: ${(err as Error).message.split('\n')[0]}`);
  }
  const added = await ensureSearchAttributes(client, config.TEMPORAL_NAMESPACE);
  if (added.length > 0) console.log(`registered search attributes: ${added.join(', ')}`);
  await client.close();

  // Quotation documents live in the salesflow database; migrated here too, so a worker
  // that comes up before the api finds its tables.
  const db = config.DATABASE_URL ? openDatabase(config.DATABASE_URL, { queryTimeoutMs: config.DATABASE_QUERY_TIMEOUT }) : undefined;
  if (db) {
    await migrateToLatest(db);
    registerDatabaseMetrics(metrics.registry, db);
  } else {
    console.warn('DATABASE_URL is not set: quotation mails wait until the worker can store their documents');
  }
  const connection = await NativeConnection.connect(connectOptions);
  const { worker, close, workflowCode } = await createSalesflowWorker({ connection, config, metrics, ...(tracing ? { tracing } : {}), ...(db ? { db } : {}) });
  console.log(
    [
      `worker polling ${describeTemporal(config)} queue=${config.SALESFLOW_TASK_QUEUE}; mail via ${config.SMTP_URL}`,
      `  workflows     ${workflowCode}`,
      ...(metricsServer ? [`  metrics       ${metricsServer.url}${config.SALESFLOW_METRICS_TOKEN ? ' (bearer token)' : ''}`] : []),
      ...(config.SALESFLOW_SDK_METRICS_ADDRESS ? [`  SDK metrics   http://${config.SALESFLOW_SDK_METRICS_ADDRESS}/metrics`] : []),
      ...(tracing ? [`  tracing       OTLP to ${config.OTEL_EXPORTER_OTLP_ENDPOINT}`] : []),
    ].join('\n'),
  );
  try {
    await worker.run();
  } finally {
    close();
    await connection.close();
    await db?.destroy();
    await tracing?.shutdown();
    await metricsServer?.close();
  }
}

main().catch((err) => {
  console.error(`salesflow worker: ${(err as Error).message}`);
  process.exit(1);
});
