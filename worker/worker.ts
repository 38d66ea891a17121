import { resolve } from 'node:path';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor, makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import type { Tracing } from '../client/shared/tracing';
import { createWorkerMetrics, metricsActivityInterceptor, metricsSinks, registerMailGateMetrics, type WorkerMetrics } from './metrics';
import { MailGate } from '../activities/shared/mailGate';
import nodemailer from 'nodemailer';
import { createActivities } from '../activities';
import type { SalesflowDb } from '../db/database';
import type { CampaignDeps } from '../activities/campaign/campaign';
import type { ReportingDeps } from '../activities/reporting/readModel';
import { CampaignStore } from '../db/campaignStore';
import { DEFAULT_MAX_CACHED_WORKFLOWS, DEV_UNSUBSCRIBE_SECRET, unsubscribeSecretProblem, type WorkerConfig } from '../domain/shared/config';
import { salesflowDataConverter } from '../client/shared/payloadCompression';
import { temporalClient } from '../client/shared/temporalConnection';
import { readModelSinks } from './readModelSink';
import { workerWorkflowCode } from './workflowBundle';
import { dealReportSinks, type DealReportSinkDeps } from './dealReportSink';

export interface SalesflowWorkerOptions {
  connection: NativeConnection;
  config: Pick<WorkerConfig, 'TEMPORAL_NAMESPACE' | 'SALESFLOW_TASK_QUEUE' | 'SMTP_URL' | 'MAIL_FROM' | 'SMTP_POOL_SIZE'> &
    Partial<
      Pick<
        WorkerConfig,
        | 'SALESFLOW_CAMPAIGN_DIR'
        | 'SALESFLOW_PUBLIC_URL'
        | 'SALESFLOW_UNSUBSCRIBE_SECRET'
        | 'SALESFLOW_UNSUBSCRIBE_TTL'
        | 'SMTP_TRANSACTIONAL_POOL_SIZE'
        | 'SALESFLOW_DEV_STACK'
        | 'SALESFLOW_TIMEZONE'
        | 'SALESFLOW_REPLY_ADDRESS'
        | 'SALESFLOW_MAX_CACHED_WORKFLOWS'
      >
    >;
  /** The salesflow database (quotation documents, the reporting read model, the campaign store); not closed by the worker. */
  db?: SalesflowDb;
  /** A pre-built bundle (tests build one per run); otherwise the worker bundles the workflows itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Test seams for the campaign activities (see CampaignDeps.faults). */
  campaignFaults?: CampaignDeps['faults'];
  /** Test seam for the read-model writes (see ReportingDeps.readModelFaults). */
  reportingFaults?: ReportingDeps['readModelFaults'];
  /** Test seam: an account that cannot be reached when a closed deal is booked within the task. */
  dealReportFaults?: DealReportSinkDeps['faults'];
  /** Workflow cache size (config's SALESFLOW_MAX_CACHED_WORKFLOWS, else DEFAULT_MAX_CACHED_WORKFLOWS); benchmarks compare settings. */
  maxCachedWorkflows?: number;
  /** Salesflow's metrics registry (worker/metrics.ts); a private one when absent. */
  metrics?: WorkerMetrics;
  /**
   * Tracing (client/shared/tracing.ts), when OTEL_EXPORTER_OTLP_ENDPOINT is set. With a
   * pre-built `workflowBundle`, the bundle must include TRACING_WORKFLOW_MODULES.
   */
  tracing?: Tracing;
}

/**
 * The workflow-side interceptors of tracing: bundled with the workflows (they run in the
 * workflow sandbox), so a traced worker bundles with them and an untraced one without.
 */
export const TRACING_WORKFLOW_MODULES = [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];

/**
 * How long a transactional mail's connection may wait on the relay in silence before it is
 * dropped: within the 30 s of its activity's attempt. nodemailer's default, RFC 5321's ten
 * minutes for the answer to DATA, kept a silent relay's connections busy long after every
 * attempt had given up on them, and mail waited that long once the relay was back (see
 * activities/shared/mailGate.ts for why nothing queues meanwhile).
 */
export const TRANSACTIONAL_SOCKET_TIMEOUT_MS = 25_000;

/**
 * The same for campaign mail. Its batches run for minutes (ten at most per attempt) and
 * heartbeat all along, so a silent relay held a batch's attempt until nodemailer's ten
 * minutes; a minute of silence in the middle of an SMTP conversation is a relay gone. The
 * batch then ends with a retryable error, and its retry, once the relay answers, reads the
 * ledger and mails the rest.
 */
export const CAMPAIGN_SOCKET_TIMEOUT_MS = 60_000;

/**
 * A pooled SMTP transport of `size` connections, for transactional mail (`transactional`:
 * each mail one activity attempt's) or campaign batches. Its connections give up after
 * TRANSACTIONAL_ or CAMPAIGN_SOCKET_TIMEOUT_MS of silence (`socketTimeoutMs` overrides it, for
 * tests). A mail whose connection closes under it fails instead of being queued again by the
 * pool: nodemailer resends such a mail on its own up to five times, also after the attempt
 * that sent it has been given up and retried, which doubled the mail. Temporal retries the
 * attempt instead (a campaign batch's retry reads the ledger).
 */
export function createMailer(config: Pick<WorkerConfig, 'SMTP_URL'>, size: number, options: { transactional?: boolean; socketTimeoutMs?: number } = {}) {
  return nodemailer.createTransport({
    url: config.SMTP_URL,
    pool: true,
    maxConnections: size,
    socketTimeout: options.socketTimeoutMs ?? (options.transactional ? TRANSACTIONAL_SOCKET_TIMEOUT_MS : CAMPAIGN_SOCKET_TIMEOUT_MS),
    maxRequeues: 0,
    // Local sinks and dev relays speak plain SMTP; never upgrade to TLS behind the user's back.
    ignoreTLS: config.SMTP_URL.startsWith('smtp:'),
  } as Parameters<typeof nodemailer.createTransport>[0]);
}

/**
 * Builds the worker. It refuses to start with the built-in unsubscribe secret unless it is
 * the local development stack (SALESFLOW_DEV_STACK), so a deployment cannot mail links
 * anyone could forge.
 */
export async function createSalesflowWorker(options: SalesflowWorkerOptions): Promise<{
  worker: Worker;
  close: () => void;
  /** Where its workflow code came from: the prebuilt bundle's path, or that it was bundled at start. */
  workflowCode: string;
}> {
  const { connection, config, workflowBundle, campaignFaults } = options;
  const secret = config.SALESFLOW_UNSUBSCRIBE_SECRET ?? DEV_UNSUBSCRIBE_SECRET;
  const problem = unsubscribeSecretProblem(secret, config.SALESFLOW_DEV_STACK ?? false);
  if (problem) throw new Error(problem);
  // Two pools: a campaign of 100,000 mails must not queue a quotation or a reminder
  // behind it, so transactional mail has connections of its own.
  const mailer = createMailer(config, config.SMTP_TRANSACTIONAL_POOL_SIZE ?? 2, { transactional: true });
  const campaignMailer = createMailer(config, config.SMTP_POOL_SIZE);
  // Campaign activities talk to Temporal too (suppression list, prospects); they share
  // the worker's connection. Their store is the salesflow database, so any worker on any
  // host can retry any batch; without one, campaign activities retry until it is configured.
  const { tracing } = options;
  const metrics = options.metrics ?? createWorkerMetrics();
  registerMailGateMetrics(metrics.registry, { transactional: MailGate.of(mailer), campaign: MailGate.of(campaignMailer) });
  const temporal = temporalClient({ connection, namespace: config.TEMPORAL_NAMESPACE, ...(tracing ? { interceptors: { workflow: tracing.clientInterceptors() } } : {}) });
  const campaign = {
    mailer: campaignMailer,
    inFlight: 4 * config.SMTP_POOL_SIZE,
    ...(options.db ? { store: new CampaignStore(options.db) } : {}),
    temporal,
    campaignDir: resolve(config.SALESFLOW_CAMPAIGN_DIR ?? '.'),
    unsubscribe: {
      baseUrl: config.SALESFLOW_PUBLIC_URL ?? 'http://127.0.0.1:8088',
      secret,
      ttlMs: config.SALESFLOW_UNSUBSCRIBE_TTL ?? 90 * 86_400_000,
    },
    timeZone: config.SALESFLOW_TIMEZONE,
    replyTo: config.SALESFLOW_REPLY_ADDRESS ?? 'replies@salesflow.localhost',
    ...(campaignFaults ? { faults: campaignFaults } : {}),
  };
  // A given bundle (tests), else the one `npm run build` wrote, else bundled now.
  const code = workflowBundle ? { workflowBundle } : workerWorkflowCode({ prebuilt: !tracing });
  const worker = await Worker.create({
    connection,
    dataConverter: salesflowDataConverter,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.SALESFLOW_TASK_QUEUE,
    ...code,
    activities: createActivities({
      mailer,
      from: config.MAIL_FROM,
      replyTo: config.SALESFLOW_REPLY_ADDRESS ?? 'replies@salesflow.localhost',
      // The same database holds quotation documents and the reporting read model.
      ...(options.db ? { db: options.db, reportDb: options.db } : {}),
      ...(options.reportingFaults ? { readModelFaults: options.reportingFaults } : {}),
      // Quotation links are signed with the unsubscribe secret (under their own HKDF label).
      quotationLinks: { baseUrl: config.SALESFLOW_PUBLIC_URL ?? 'http://127.0.0.1:8088', secret },
      // The web app is served by the same server: task and escalation mails link to its pages.
      appUrl: config.SALESFLOW_PUBLIC_URL ?? 'http://127.0.0.1:8088',
      campaign,
    }),
    // Heartbeats reach the server at least every second (not 0.8 x the timeout), so a
    // cancelled campaign's batch hears of it within seconds.
    maxHeartbeatThrottleInterval: '1s',
    maxCachedWorkflows: options.maxCachedWorkflows ?? config.SALESFLOW_MAX_CACHED_WORKFLOWS ?? DEFAULT_MAX_CACHED_WORKFLOWS,
    interceptors: {
      activity: [
        metricsActivityInterceptor(metrics),
        ...(tracing
          ? [(ctx: Parameters<ReturnType<typeof metricsActivityInterceptor>>[0]) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer: tracing.tracer }), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })]
          : []),
      ],
      ...(tracing && !workflowBundle ? { workflowModules: TRACING_WORKFLOW_MODULES } : {}),
    },
    // Workflow code reports deadlines through a sink, writes the read model through another
    // and books closed deals through a third; traced workflows export their spans through a fourth.
    sinks: {
      ...metricsSinks(metrics),
      ...readModelSinks({
        temporal,
        metrics,
        log: Runtime.instance().logger,
        ...(options.db ? { db: options.db } : {}),
        ...(options.reportingFaults ? { faults: options.reportingFaults } : {}),
      }),
      ...dealReportSinks({ temporal, metrics, log: Runtime.instance().logger, ...(options.dealReportFaults ? { faults: options.dealReportFaults } : {}) }),
      ...(tracing ? { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) } : {}),
    },
  });
  return {
    worker,
    workflowCode: code.workflowBundle && 'codePath' in code.workflowBundle ? code.workflowBundle.codePath : 'bundled at start',
    close: () => {
      mailer.close();
      campaignMailer.close();
    },
  };
}
