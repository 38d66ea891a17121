import { Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { DatabaseConfigSchema, unsubscribeSecretProblem, WorkerConfigSchema } from '../domain/shared/config';
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

  // Quotation documents live in the salesflow database; migrated here too, so a worker
  // that comes up before the api finds its tables.
  const db = config.DATABASE_URL ? openDatabase(config.DATABASE_URL) : undefined;
  if (db) await migrateToLatest(db);
  else console.warn('DATABASE_URL is not set: quotation mails wait until the worker can store their documents');
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const { worker, close } = await createSalesflowWorker({ connection, config, ...(db ? { db } : {}) });
  console.log(`worker polling ${config.TEMPORAL_ADDRESS} namespace=${config.TEMPORAL_NAMESPACE} queue=${config.SALESFLOW_TASK_QUEUE}; mail via ${config.SMTP_URL}`);
  try {
    await worker.run();
  } finally {
    close();
    await connection.close();
    await db?.destroy();
  }
}

main().catch((err) => {
  console.error(`salesflow worker: ${(err as Error).message}`);
  process.exit(1);
});
