import { InterceptingCall, Metadata, status, type Interceptor } from '@grpc/grpc-js';

/** What InterceptingCall wraps (grpc-js does not export the interface's name). */
type NextCall = ConstructorParameters<typeof InterceptingCall>[0];
import {
  Client,
  Connection,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  defaultGrpcRetryOptions,
  isGrpcServiceError,
  makeGrpcRetryInterceptor,
} from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { ClientOptions, WorkflowClientInterceptor } from '@temporalio/client';
import { TemporalEnvSchema, type ConnectionConfig, type TemporalConnectionExtras } from '../../domain/shared/config';
import { describeIssues, DomainError } from '../../domain/shared/errors';
import { salesflowDataConverter } from './payloadCompression';

/** What the loader resolves: the address and namespace every caller shows, and the rest of the connection. */
export interface TemporalSettings {
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  temporalConnection: TemporalConnectionExtras;
}

/** Without a profile or variable saying otherwise: the local dev server. */
const DEFAULT_ADDRESS = '127.0.0.1:7233';
const DEFAULT_NAMESPACE = 'default';

/**
 * Reads the Temporal connection the way the Temporal CLI and SDKs do (`@temporalio/envconfig`):
 * a profile of the TOML config file (TEMPORAL_CONFIG_FILE, else
 * ~/.config/temporalio/temporal.toml; TEMPORAL_PROFILE, else `default`), overridden by the
 * TEMPORAL_* variables, so one build reaches the dev server, an mTLS cluster or Temporal
 * Cloud. Bad settings fail here, by name, before anything connects. Used by the worker and
 * the server (client side here, NativeConnection in worker/main.ts).
 */
export function loadTemporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const shape = TemporalEnvSchema.safeParse(env);
  if (!shape.success) throw new Error(`bad configuration: ${describeIssues(shape.error).join('; ')}`);
  const vars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  let loaded: ReturnType<typeof loadClientConnectConfig>;
  try {
    loaded = loadClientConnectConfig({ overrideEnvVars: vars });
  } catch (err) {
    const file = env.TEMPORAL_CONFIG_FILE ? ` (config file ${env.TEMPORAL_CONFIG_FILE})` : '';
    throw new Error(`bad Temporal configuration${file}: ${(err as Error).message}`);
  }
  const { address, tls, apiKey, metadata } = loaded.connectionOptions;
  // The profile's address is checked as the variable is: a scheme or a missing port would
  // otherwise surface as an opaque gRPC error on the first call.
  if (address !== undefined && !/^(\[[0-9a-fA-F:.]+\]|[^\s:/\[\]]+):\d{1,5}$/.test(address)) {
    throw new Error(`bad Temporal configuration: address "${address}" of profile ${env.TEMPORAL_PROFILE ?? 'default'} must be host:port`);
  }
  const extras: TemporalConnectionExtras = {
    ...(tls !== undefined && tls !== null ? { tls } : {}),
    ...(apiKey !== undefined ? { apiKey: typeof apiKey === 'string' ? apiKey : String(apiKey) } : {}),
    ...(metadata && Object.keys(metadata).length > 0 ? { metadata: metadata as Record<string, string> } : {}),
  };
  return { TEMPORAL_ADDRESS: address ?? DEFAULT_ADDRESS, TEMPORAL_NAMESPACE: loaded.namespace ?? DEFAULT_NAMESPACE, temporalConnection: extras };
}

/** How the settings connect, in words for a start-up line (never the key itself). */
export function describeTemporal(config: Pick<ConnectionConfig, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'temporalConnection'>): string {
  const extras = config.temporalConnection ?? {};
  const how = [extras.tls ? (typeof extras.tls === 'object' && extras.tls.clientCertPair ? 'mTLS' : 'TLS') : 'plain text', ...(extras.apiKey ? ['API key'] : [])];
  return `${config.TEMPORAL_ADDRESS} (namespace ${config.TEMPORAL_NAMESPACE}, ${how.join(', ')})`;
}

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
 * A call on a connection closed while it waited (the SDK's retry interceptor retries on a
 * timer, and that timer may fire after `close()`): it ends CANCELLED through the normal
 * path, so the caller's promise rejects, instead of grpc-js throwing "Channel has been
 * shut down" from the timer as an uncaught exception that takes the process down.
 */
const closedChannelGuard: Interceptor = (options, nextCall) => {
  try {
    return new InterceptingCall(nextCall(options));
  } catch (err) {
    if (!(err instanceof Error) || !/Channel has been shut down/.test(err.message)) throw err;
    const ended: NextCall = {
      start: (_metadata, listener) => {
        // A message (none) before the status: the SDK's retry interceptor hands the last message
        // on with the final status and throws when no message came first.
        setImmediate(() => {
          listener?.onReceiveMessage?.(undefined);
          listener?.onReceiveStatus?.({ code: status.CANCELLED, details: 'the connection to Temporal was closed', metadata: new Metadata() });
        });
      },
      cancelWithStatus: () => undefined,
      getPeer: () => '',
      sendMessageWithContext: () => undefined,
      sendMessage: () => undefined,
      startRead: () => undefined,
      halfClose: () => undefined,
      getAuthContext: () => null,
    };
    return new InterceptingCall(ended);
  }
};

/**
 * The interceptors of every client connection salesflow opens (passing a list replaces the
 * SDK's default, so its retry interceptor is named again): the deadline goes first so the
 * retries stay inside it; the closed-channel guard goes last, under the retries.
 */
export function clientInterceptors(options: { deadline?: boolean } = {}): Interceptor[] {
  return [...(options.deadline === false ? [] : [deadlineInterceptor]), makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), closedChannelGuard];
}

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

function unreachable(config: ConnectionConfig, why?: string): DomainError {
  return new TemporalUnavailable(`cannot reach Temporal at ${config.TEMPORAL_ADDRESS}${why ? ` (${why})` : ''} — is npm start running?`);
}

/**
 * Opens a client for the configured namespace (TLS and API key from `temporalConnection`),
 * with the message a person needs when Temporal is not there. `workflowInterceptors`:
 * tracing's, when it is on.
 */
export async function openTemporalClient(
  config: ConnectionConfig,
  options: { workflowInterceptors?: WorkflowClientInterceptor[] } = {},
): Promise<{ client: Client; connection: Connection }> {
  let connection: Connection;
  const extras = config.temporalConnection ?? {};
  try {
    connection = await Connection.connect({
      address: config.TEMPORAL_ADDRESS,
      ...(extras.tls !== undefined ? { tls: extras.tls } : {}),
      ...(extras.apiKey !== undefined ? { apiKey: extras.apiKey } : {}),
      ...(extras.metadata !== undefined ? { metadata: extras.metadata } : {}),
      connectTimeout: 5_000,
      interceptors: clientInterceptors(),
    });
  } catch (err) {
    // A TLS or credentials problem reads differently from a server that is not there.
    throw unreachable(config, err instanceof Error ? err.message.split('\n')[0] : undefined);
  }
  const interceptors = options.workflowInterceptors?.length ? { interceptors: { workflow: options.workflowInterceptors } } : {};
  return { client: temporalClient({ connection, namespace: config.TEMPORAL_NAMESPACE, ...interceptors }), connection };
}

/**
 * A Temporal client of salesflow: every one must read and write payloads with the same data
 * converter as the workers (large payloads are stored deflated, see payloadCompression.ts),
 * so none is made with `new Client` directly.
 */
export function temporalClient(options: Omit<ClientOptions, 'dataConverter'>): Client {
  return new Client({ ...options, dataConverter: salesflowDataConverter });
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
