import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import nodemailer from 'nodemailer';
import { createActivities } from '../activities';
import { CampaignStore } from '../activities/campaignStore';
import type { WorkerConfig } from '../domain/config';

export interface SalesflowWorkerOptions {
  connection: NativeConnection;
  config: Pick<WorkerConfig, 'TEMPORAL_NAMESPACE' | 'SALESFLOW_TASK_QUEUE' | 'SMTP_URL' | 'MAIL_FROM' | 'SMTP_POOL_SIZE'> &
    Partial<Pick<WorkerConfig, 'SALESFLOW_DATA_DIR' | 'SALESFLOW_CAMPAIGN_DIR' | 'SALESFLOW_PUBLIC_URL' | 'SALESFLOW_UNSUBSCRIBE_SECRET' | 'SALESFLOW_UNSUBSCRIBE_TTL'>>;
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
  // Campaign activities talk to Temporal too (suppression list, prospects); they share
  // the worker's connection. Without a data dir (in-process test workers) the campaign
  // store is a fresh temporary folder.
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const dataDir = config.SALESFLOW_DATA_DIR ? resolve(config.SALESFLOW_DATA_DIR) : mkdtempSync(join(tmpdir(), 'salesflow-data-'));
  const campaign = {
    store: new CampaignStore(join(dataDir, 'campaigns')),
    temporal,
    campaignDir: resolve(config.SALESFLOW_CAMPAIGN_DIR ?? '.'),
    unsubscribe: {
      baseUrl: config.SALESFLOW_PUBLIC_URL ?? 'http://127.0.0.1:8088',
      secret: config.SALESFLOW_UNSUBSCRIBE_SECRET ?? 'salesflow-local-dev-secret-change-me',
      ttlMs: config.SALESFLOW_UNSUBSCRIBE_TTL ?? 90 * 86_400_000,
    },
  };
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.SALESFLOW_TASK_QUEUE,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities({ mailer, from: config.MAIL_FROM, campaign }),
  });
  return { worker, close: () => mailer.close() };
}
