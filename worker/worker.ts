import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import nodemailer from 'nodemailer';
import { createActivities } from '../activities';
import type { WorkerConfig } from '../domain/config';

export interface SalesflowWorkerOptions {
  connection: NativeConnection;
  config: Pick<WorkerConfig, 'TEMPORAL_NAMESPACE' | 'SALESFLOW_TASK_QUEUE' | 'SMTP_URL' | 'MAIL_FROM' | 'SMTP_POOL_SIZE'>;
  /** A pre-built bundle (tests build one per run); otherwise the worker bundles the workflows itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** The one SMTP transport a worker process shares across all its activities. */
export function createMailer(config: SalesflowWorkerOptions['config']) {
  return nodemailer.createTransport({
    url: config.SMTP_URL,
    pool: true,
    maxConnections: config.SMTP_POOL_SIZE,
    // Local sinks and dev relays speak plain SMTP; never upgrade to TLS behind the user's back.
    ignoreTLS: config.SMTP_URL.startsWith('smtp:'),
  } as Parameters<typeof nodemailer.createTransport>[0]);
}

export async function createSalesflowWorker({ connection, config, workflowBundle }: SalesflowWorkerOptions): Promise<{
  worker: Worker;
  close: () => void;
}> {
  const mailer = createMailer(config);
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.SALESFLOW_TASK_QUEUE,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities({ mailer, from: config.MAIL_FROM }),
  });
  return { worker, close: () => mailer.close() };
}
