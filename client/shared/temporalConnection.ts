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
 * How long one call to Temporal may take. With no worker polling, the server holds a
 * query for 30 s and an update for ever; a person should hear why well before that.
 */
export const CALL_DEADLINE_MS = 10_000;

/** Calls that wait on purpose (a workflow's result is a long poll); they keep no deadline. */
const LONG_POLLS = new Set(['/temporal.api.workflowservice.v1.WorkflowService/GetWorkflowExecutionHistory']);

/** Gives every call without a deadline of its own one, so no command can hang. */
const deadlineInterceptor: Interceptor = (options, nextCall) => {
  const withDeadline = options.deadline !== undefined || LONG_POLLS.has(options.method_definition.path) ? options : { ...options, deadline: Date.now() + CALL_DEADLINE_MS };
  return new InterceptingCall(nextCall(withDeadline));
};

function unreachable(config: ConnectionConfig): DomainError {
  return new DomainError(`cannot reach Temporal at ${config.TEMPORAL_ADDRESS} — is npm start running?`);
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

/**
 * Says why a call was not answered: no worker on the task queue (the usual reason), the
 * server gone, or a slow worker. Anything else is returned unchanged.
 */
export async function explainUnanswered(err: unknown, connection: Connection, config: ConnectionConfig): Promise<unknown> {
  if (lostServer(err)) return unreachable(config);
  if (!timedOut(err)) return err;
  const queue = config.SALESFLOW_TASK_QUEUE;
  try {
    const described = await connection.workflowService.describeTaskQueue({
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: { name: queue },
      taskQueueType: 1, // workflow tasks: updates and queries are answered there
    });
    if ((described.pollers ?? []).length === 0) return new DomainError(`no worker is polling task queue "${queue}" — is the worker running?`);
  } catch (describeErr) {
    if (lostServer(describeErr) || timedOut(describeErr)) return unreachable(config);
  }
  return new DomainError(`Temporal did not answer within ${CALL_DEADLINE_MS / 1000} s; the worker on task queue "${queue}" may be overloaded — try again`);
}
