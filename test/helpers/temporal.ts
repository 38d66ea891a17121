import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Runtime, DefaultLogger, type ReplayWorkerOptions, type Worker } from '@temporalio/worker';
import { startWithoutCustomSearchAttributes } from '../../client/shared/visibility';
import { SalesflowClient } from '../../client/pipeline/salesflowClient';
import type { ConnectionConfig } from '../../domain/shared/config';
import { MailSink } from '../../scripts/mailSink';
import { createSalesflowWorker } from '../../worker/worker';
import type { DealReportSinkDeps } from '../../worker/dealReportSink';
import type { CampaignDeps } from '../../activities/campaign/campaign';
import type { ReportingDeps } from '../../activities/reporting/readModel';
import { freshDatabase, type TestDatabase } from './database';
import { eventually } from './eventually';
import { temporal } from '@temporalio/proto';
import { clientInterceptors, temporalClient } from '../../client/shared/temporalConnection';
import { salesflowDataConverter } from '../../client/shared/payloadCompression';

// Keep test output readable: only the SDK's warnings and errors.
let runtimeInstalled = false;
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    /* already installed by an earlier file in this jest worker */
  }
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with "npm test" (jest's globalSetup sets it)`);
  return value;
}

export function bundlePath(): string {
  return required('SALESFLOW_TEST_BUNDLE');
}

/**
 * Options for `Worker.runReplayHistory` of salesflow's histories: the run bundle and the
 * converter, and the workflows' sinks as no-ops (a replay worker skips their calls, but
 * logs an error for a sink it does not know).
 */
export function replayOptions(): ReplayWorkerOptions {
  const none = { fn: () => undefined, callDuringReplay: false };
  return {
    dataConverter: salesflowDataConverter,
    workflowBundle: { codePath: bundlePath() },
    sinks: { readModel: { prospect: none, customer: none }, salesflowMetrics: { deadlineFired: none }, deals: { closed: none } },
  };
}

/** A running worker on its own task queue, with mail going to a real SMTP sink on loopback. */
export interface TestStack {
  client: SalesflowClient;
  /** The salesflow database the worker stores quotation documents and the campaign store in. */
  database: TestDatabase;
  raw: Client;
  sink: MailSink;
  worker: Worker;
  taskQueue: string;
  config: ConnectionConfig;
  /** Stops the worker and waits for it, closes mail and connections. */
  stop(): Promise<void>;
}

async function startStack(
  connection: NativeConnection,
  raw: Client,
  address: string,
  options: StackOptions & { namespace?: string } = {},
): Promise<TestStack> {
  quietRuntime();
  const taskQueue = options.taskQueue ?? `test-${randomUUID()}`;
  const sink = options.sink ?? (await new MailSink().start());
  const database = options.database ?? (await freshDatabase());
  const config: ConnectionConfig = { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: options.namespace ?? 'default', SALESFLOW_TASK_QUEUE: taskQueue };
  const { worker, close } = await createSalesflowWorker({
    connection,
    // Test audiences are written to the temporary folder (test/helpers/campaign.ts).
    config: {
      ...config,
      SMTP_URL: options.smtpUrl ?? sink.url,
      MAIL_FROM: 'salesflow-test <salesflow@localhost>',
      SMTP_POOL_SIZE: options.smtpPoolSize ?? 2,
      SALESFLOW_DEV_STACK: true,
      SALESFLOW_CAMPAIGN_DIR: tmpdir(),
    },
    db: database.db,
    workflowBundle: { codePath: bundlePath() },
    ...(options.campaignFaults ? { campaignFaults: options.campaignFaults } : {}),
    ...(options.reportingFaults ? { reportingFaults: options.reportingFaults } : {}),
    ...(options.dealReportFaults ? { dealReportFaults: options.dealReportFaults } : {}),
  });
  const running = worker.run();
  return {
    client: SalesflowClient.fromClient(raw, config),
    raw,
    database,
    sink,
    worker,
    taskQueue,
    config,
    async stop() {
      worker.shutdown();
      await running;
      close();
      await sink.stop();
      if (!options.database) await database.drop();
    },
  };
}

export interface StackOptions {
  sink?: MailSink;
  /** Poll this task queue (a worker coming back after an outage); a fresh one by default. */
  taskQueue?: string;
  /** Another SMTP URL than the sink's own (a login, say). */
  smtpUrl?: string;
  /** The campaign pool's connections (default 2). */
  smtpPoolSize?: number;
  campaignFaults?: CampaignDeps['faults'];
  reportingFaults?: ReportingDeps['readModelFaults'];
  /** Test seam of the worker's deal sink (worker/dealReportSink.ts). */
  dealReportFaults?: DealReportSinkDeps['faults'];
  /** The salesflow database (kept open at stop); a fresh one of the stack's own otherwise. */
  database?: TestDatabase;
}

/** A worker against the dev server that globalSetup started for this run. */
export async function startDevServerStack(options: StackOptions = {}): Promise<TestStack & { close(): Promise<void> }> {
  quietRuntime();
  const address = required('SALESFLOW_TEST_TEMPORAL_ADDRESS');
  const connection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address, interceptors: clientInterceptors({ deadline: false }) });
  const raw = temporalClient({ connection: clientConnection });
  const stack = await startStack(connection, raw, address, options);
  return {
    ...stack,
    async close() {
      await stack.stop();
      await clientConnection.close();
      await connection.close();
    },
  };
}

/** The time-skipping test server with a worker and a sink; days pass in seconds. */
export async function startTimeSkippingStack(): Promise<TestStack & { env: TestWorkflowEnvironment; close(): Promise<void> }> {
  quietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: required('TEMPORAL_TEST_SERVER_PATH') } },
    client: { dataConverter: salesflowDataConverter },
  });
  // The Java test server cannot register custom search attributes, so workflows here start
  // (and run) without them; visibility is covered by the dev-server integration tests.
  startWithoutCustomSearchAttributes();
  const stack = await startStack(env.nativeConnection, env.client, 'time-skipping');
  return {
    ...stack,
    env,
    async close() {
      await stack.stop();
      await env.teardown();
    },
  };
}

/** The names of the activities a history scheduled, in order. */
export function activitiesScheduled(history: temporal.api.history.v1.IHistory): string[] {
  return (history.events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
}

/** The names of the signals a history received, in order. */
export function signalsReceived(history: temporal.api.history.v1.IHistory): string[] {
  return (history.events ?? []).flatMap((e) => e.workflowExecutionSignaledEventAttributes?.signalName ?? []);
}

/**
 * A workflow's history at a moment when no workflow task is in flight, for replay tests: a
 * history cut inside a task (a local activity still running) makes the replayer schedule
 * that activity itself, and a replay worker has none registered.
 */
export async function settledHistory(handle: { fetchHistory(): Promise<temporal.api.history.v1.IHistory> }, timeoutMs = 30_000): Promise<temporal.api.history.v1.IHistory> {
  const busy = new Set([temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED]);
  return eventually(async () => {
    const history = await handle.fetchHistory();
    const last = history.events?.at(-1)?.eventType;
    if (last !== undefined && last !== null && busy.has(last)) throw new Error('a workflow task is in flight');
    return history;
  }, timeoutMs);
}

/**
 * The history once the workflow has settled: no activity pending (the read-model feed's
 * write of the last change) and no workflow task in flight. Tests that compare history
 * lengths take both sides from here.
 */
export async function quietHistory(handle: { describe(): Promise<{ raw: temporal.api.workflowservice.v1.IDescribeWorkflowExecutionResponse }>; fetchHistory(): Promise<temporal.api.history.v1.IHistory> }, timeoutMs = 30_000): Promise<temporal.api.history.v1.IHistory> {
  return eventually(async () => {
    if ((await handle.describe()).raw.pendingActivities?.length) throw new Error('an activity is pending');
    return settledHistory(handle, 1_000);
  }, timeoutMs);
}
