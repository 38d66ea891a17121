import { Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { DatabaseConfigSchema, unsubscribeSecretProblem, WorkerConfigSchema } from '../domain/shared/config';
import { openDatabase } from '../db/database';
import { describeIssues } from '../domain/shared/errors';
import { ensureSearchAttributes } from './searchAttributes';
import { createSalesflowWorker } from './worker';

/**
 * A worker process for a running Temporal service (docker-compose, a cluster). Any number
 * of them can share the task queue. SIGINT/SIGTERM drain in-flight tasks and exit.
 */
async function main(): Promise<void> {
  const parsed = WorkerConfigSchema.extend({ DATABASE_URL: DatabaseConfigSchema.shape.DATABASE_URL }).safeParse(process.env);
  if (!parsed.success) {
    throw new Error(`bad configuration: ${describeIssues(parsed.error).join('; ')}`);
  }
  const config = parsed.data;
  // Before connecting anywhere: a deployment with the built-in secret must not come up.
  const problem = unsubscribeSecretProblem(config.SALESFLOW_UNSUBSCRIBE_SECRET, config.SALESFLOW_DEV_STACK);
  if (problem) throw new Error(problem);
  Runtime.install({ logger: new DefaultLogger(config.SALESFLOW_LOG_LEVEL) });
  const client = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const added = await ensureSearchAttributes(client, config.TEMPORAL_NAMESPACE);
  if (added.length > 0) console.log(`registered search attributes: ${added.join(', ')}`);
  await client.close();

  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  // The reporting read model's activity writes here; without it the reports wait for `salesflow report rebuild`.
  const reportDb = config.DATABASE_URL ? openDatabase(config.DATABASE_URL, { maxConnections: 4 }) : undefined;
  const { worker, close } = await createSalesflowWorker({ connection, config, ...(reportDb ? { reportDb } : {}) });
  console.log(`worker polling ${config.TEMPORAL_ADDRESS} namespace=${config.TEMPORAL_NAMESPACE} queue=${config.SALESFLOW_TASK_QUEUE}; mail via ${config.SMTP_URL}`);
  try {
    await worker.run();
  } finally {
    close();
    await reportDb?.destroy();
    await connection.close();
  }
}

main().catch((err) => {
  console.error(`salesflow worker: ${(err as Error).message}`);
  process.exit(1);
});
