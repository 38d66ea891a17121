import { InterceptingCall, status, type Interceptor } from '@grpc/grpc-js';
import {
  Client,
  Connection,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  defaultGrpcRetryOptions,
  isGrpcServiceError,
  makeGrpcRetryInterceptor,
} from '@temporalio/client';
import type { ConnectionConfig } from '../../domain/shared/config';
import { DomainError } from '../../domain/shared/errors';

/**
 * How long one call to Temporal may take: long enough for a busy worker to answer. The
 * usual reason for no answer, no worker at all, is found sooner by `noWorkerWatch`.
 */
export const CALL_DEADLINE_MS = 30_000;

/** After this long without an answer, look whether any worker polls the task queue. */
export const NO_WORKER_CHECK_MS = 4_000;

/** Calls that wait on purpose (a workflow's result is a long poll); they keep no deadline. */
const LONG_POLLS = new Set(['/temporal.api.workflowservice.v1.WorkflowService/GetWorkflowExecutionHistory']);

/** Gives every call without a deadline of its own one, so no command can hang. */
const deadlineInterceptor: Interceptor = (options, nextCall) => {
  const withDeadline = options.deadline !== undefined || LONG_POLLS.has(options.method_definition.path) ? options : { ...options, deadline: Date.now() + CALL_DEADLINE_MS };
  return new InterceptingCall(nextCall(withDeadline));
};

/**
 * Temporal (or the worker behind it) could not answer: not the command's fault, so the
 * HTTP API answers 503 and a retry later may succeed.
 */
export class TemporalUnavailable extends DomainError {
  constructor(message: string) {
    super(message);
    this.name = 'TemporalUnavailable';
  }
}

function unreachable(config: ConnectionConfig): DomainError {
  return new TemporalUnavailable(`cannot reach Temporal at ${config.TEMPORAL_ADDRESS} — is npm start running?`);
}

/** Opens a client for the configured namespace, with the message a person needs when Temporal is not there. */
export async function openTemporalClient(config: ConnectionConfig): Promise<{ client: Client; connection: Connection }> {
  let connection: Connection;
  try {
    connection = await Connection.connect({
      address: config.TEMPORAL_ADDRESS,
      connectTimeout: 5_000,
      // Passing interceptors replaces the SDK's default list, so its retry interceptor is
      // named again; the deadline goes first so the retries stay inside it.
      interceptors: [deadlineInterceptor, makeGrpcRetryInterceptor(defaultGrpcRetryOptions())],
    });
  } catch {
    throw unreachable(config);
  }
  return { client: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }), connection };
}

/** A call that ran out of time (or was cut off) rather than being answered. */
function timedOut(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
    if (isGrpcServiceError(e) && (e.code === status.DEADLINE_EXCEEDED || e.code === status.CANCELLED)) return true;
  }
  return false;
}

function lostServer(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (isGrpcServiceError(e) && e.code === status.UNAVAILABLE) return true;
  }
  return false;
}

async function hasPollers(connection: Connection, config: ConnectionConfig): Promise<boolean> {
  const described = await connection.workflowService.describeTaskQueue({
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: { name: config.SALESFLOW_TASK_QUEUE },
    taskQueueType: 1, // workflow tasks: updates and queries are answered there
  });
  return (described.pollers ?? []).length > 0;
}

function noWorker(config: ConnectionConfig): DomainError {
  return new TemporalUnavailable(`no worker is polling task queue "${config.SALESFLOW_TASK_QUEUE}" — is the worker running?`);
}

/**
 * Runs `work`, and while it has not finished looks every few seconds whether a worker polls
 * the task queue: with none, the command fails at once with the reason instead of waiting
 * out its deadline; a worker that is only busy gets the whole deadline.
 */
export async function noWorkerWatch<T>(work: Promise<T>, connection: Connection, config: ConnectionConfig): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const watch = new Promise<never>((_, reject) => {
    const look = () => {
      hasPollers(connection, config).then(
        (some) => (some ? (timer = setTimeout(look, NO_WORKER_CHECK_MS)) : reject(noWorker(config))),
        () => (timer = setTimeout(look, NO_WORKER_CHECK_MS)), // the call itself will say what is wrong
      );
    };
    timer = setTimeout(look, NO_WORKER_CHECK_MS);
  });
  try {
    return await Promise.race([work, watch]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Says why a call was not answered: no worker on the task queue (the usual reason), the
 * server gone, or a slow worker. Anything else is returned unchanged.
 */
export async function explainUnanswered(err: unknown, connection: Connection, config: ConnectionConfig): Promise<unknown> {
  if (lostServer(err)) return unreachable(config);
  if (!timedOut(err)) return err;
  const queue = config.SALESFLOW_TASK_QUEUE;
  try {
    if (!(await hasPollers(connection, config))) return noWorker(config);
  } catch (describeErr) {
    if (lostServer(describeErr) || timedOut(describeErr)) return unreachable(config);
  }
  return new TemporalUnavailable(`Temporal did not answer within ${CALL_DEADLINE_MS / 1000} s; the worker on task queue "${queue}" may be overloaded — try again`);
}
