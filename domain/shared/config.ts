import { z } from 'zod';
import { DurationSchema } from './duration';
import { TimeZoneSchema } from './timeZone';
import { shareable, emailSchema } from './shareable';

/** The worker's workflow cache size unless SALESFLOW_MAX_CACHED_WORKFLOWS says otherwise. */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 1_000;

/** How long a database query may go unanswered unless DATABASE_QUERY_TIMEOUT says otherwise (db/database.ts). */
export const DEFAULT_QUERY_TIMEOUT_MS = 120_000;

/**
 * Configuration comes from environment variables, validated here once so the worker, the
 * CLI and the dev stack read the same names with the same defaults. (Reading the
 * environment is the caller's job; this module stays pure.)
 */

const Port = z.coerce.number().int().min(1).max(65535);

/** The unsubscribe secret every checkout shares: fine on a laptop, forgeable anywhere else. */
export const DEV_UNSUBSCRIBE_SECRET = 'salesflow-local-dev-secret-change-me';

/** `1`/`true` marks the local development stack (`npm start` and the tests set it). */
const Flag = z
  .enum(['', '0', '1', 'false', 'true'], { error: 'must be 1 or 0' })
  .default('')
  .transform((v) => v === '1' || v === 'true');

/**
 * Why a process must not start with this secret, if it must not: the built-in one lets
 * anyone who read this repository forge unsubscribe links (and read the addresses in
 * them), so only the local development stack may use it.
 */
export function unsubscribeSecretProblem(secret: string, devStack: boolean): string | undefined {
  if (secret !== DEV_UNSUBSCRIBE_SECRET || devStack) return undefined;
  return 'SALESFLOW_UNSUBSCRIBE_SECRET is the built-in development value: set your own (at least 16 characters, the same for workers and the api), or SALESFLOW_DEV_STACK=1 on a laptop';
}

export const ConnectionConfigSchema = shareable(z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  SALESFLOW_TASK_QUEUE: z.string().min(1).default('salesflow'),
  /**
   * The zone people read times in (CLI output; mails of prospects this client creates,
   * unless their process names a `timezone:`). Unset means UTC.
   */
  SALESFLOW_TIMEZONE: TimeZoneSchema.optional(),
}));

/** `host:port`, as Temporal's clients take it (no scheme). */
const HostPort = z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:/\[\]]+):\d{1,5}$/, 'must be host:port, such as 127.0.0.1:7233 or my-ns.a1b2c.tmprl.cloud:7233');

/** `1`/`true`/`0`/`false`, as the Temporal CLI and SDKs read their boolean variables. */
const TemporalFlag = z.enum(['0', '1', 'false', 'true'], { error: 'must be 1, 0, true or false' }).optional();

/**
 * The standard TEMPORAL_* variables, read by `@temporalio/envconfig` over a profile of the
 * TOML config file (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE). Checked here only for their
 * shape, so a typo is refused by name before anything connects; the merge with the file
 * is the loader's (client/shared/temporalConnection.ts).
 */
export const TemporalEnvSchema = shareable(z
  .object({
    TEMPORAL_ADDRESS: HostPort.optional(),
    TEMPORAL_NAMESPACE: z.string().min(1).optional(),
    TEMPORAL_API_KEY: z.string().min(1, 'must not be empty (unset it for no API key)').optional(),
    TEMPORAL_PROFILE: z.string().min(1).optional(),
    TEMPORAL_CONFIG_FILE: z.string().min(1).optional(),
    TEMPORAL_TLS: TemporalFlag,
    TEMPORAL_TLS_CLIENT_CERT_PATH: z.string().min(1).optional(),
    TEMPORAL_TLS_CLIENT_CERT_DATA: z.string().min(1).optional(),
    TEMPORAL_TLS_CLIENT_KEY_PATH: z.string().min(1).optional(),
    TEMPORAL_TLS_CLIENT_KEY_DATA: z.string().min(1).optional(),
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: z.string().min(1).optional(),
    TEMPORAL_TLS_SERVER_CA_CERT_DATA: z.string().min(1).optional(),
    TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
    TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: TemporalFlag,
  })
  .superRefine((env, ctx) => {
    const pair = (a: keyof typeof env, b: keyof typeof env) => {
      if (env[a] !== undefined && env[b] !== undefined) ctx.addIssue({ code: 'custom', path: [a], message: `give ${a} or ${b}, not both` });
    };
    pair('TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_CERT_DATA');
    pair('TEMPORAL_TLS_CLIENT_KEY_PATH', 'TEMPORAL_TLS_CLIENT_KEY_DATA');
    pair('TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'TEMPORAL_TLS_SERVER_CA_CERT_DATA');
    // The TypeScript SDK always verifies the server's certificate and its loader drops this
    // setting: taken silently, it would leave a user puzzling over a name mismatch.
    if (env.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION === '1' || env.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION === 'true') {
      ctx.addIssue({
        code: 'custom',
        path: ['TEMPORAL_TLS_DISABLE_HOST_VERIFICATION'],
        message: "not supported: the Temporal TypeScript SDK always verifies the server's certificate; set TEMPORAL_TLS_SERVER_NAME to the name it carries, or TEMPORAL_TLS_SERVER_CA_CERT_PATH to its CA",
      });
    }
    // A certificate without its key (or the reverse) would silently connect without mTLS.
    const cert = env.TEMPORAL_TLS_CLIENT_CERT_PATH ?? env.TEMPORAL_TLS_CLIENT_CERT_DATA;
    const key = env.TEMPORAL_TLS_CLIENT_KEY_PATH ?? env.TEMPORAL_TLS_CLIENT_KEY_DATA;
    if ((cert === undefined) !== (key === undefined)) {
      ctx.addIssue({ code: 'custom', path: [cert === undefined ? 'TEMPORAL_TLS_CLIENT_CERT_PATH' : 'TEMPORAL_TLS_CLIENT_KEY_PATH'], message: 'a TLS client certificate needs its key, and the key its certificate' });
    }
  }));

/** TLS as Temporal's connections take it (the SDK's TLSConfig, without importing the SDK here). */
export interface TemporalTls {
  serverNameOverride?: string;
  serverRootCACertificate?: Uint8Array;
  clientCertPair?: { crt: Uint8Array; key: Uint8Array };
}

/**
 * What a connection needs beyond the address: TLS, an API key (Temporal Cloud), gRPC
 * metadata. Resolved from the environment and config file by the entry points; absent in
 * tests and on the dev stack, which connect in plain text.
 */
export interface TemporalConnectionExtras {
  tls?: boolean | TemporalTls;
  apiKey?: string;
  metadata?: Record<string, string>;
}

/**
 * Observability: tracing is off unless an OTLP endpoint is given; metrics are served on
 * the server's own port (`GET /metrics`) and, for a worker, on the addresses below.
 */
export const ObservabilityConfigSchema = shareable(z.object({
  /** OTLP over HTTP (`http://collector:4318`); spans go to `<endpoint>/v1/traces`. Unset: no tracing. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL, such as http://127.0.0.1:4318' }).optional(),
  /** The service name on spans (default: salesflow-worker / salesflow-api). */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** When set, `GET /metrics` wants `Authorization: Bearer <token>` (server and worker). */
  SALESFLOW_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** A worker's salesflow metrics (`host:port`, served at /metrics). Unset: not served. */
  SALESFLOW_WORKER_METRICS_ADDRESS: HostPort.optional(),
  /** The Temporal SDK's own runtime metrics of a worker (`host:port`, Prometheus). Unset: not served. */
  SALESFLOW_SDK_METRICS_ADDRESS: HostPort.optional(),
}));
export type ObservabilityConfig = z.infer<typeof ObservabilityConfigSchema>;

const DatabaseUrlSchema = z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' }).optional();

/**
 * How long a query may go unanswered before its connection is given up and the query fails
 * (a database host gone, a network dropping packets). Migrations and the read model's
 * rebuild are exempt: they may rightly run for minutes.
 */
const DatabaseQueryTimeoutSchema = DurationSchema.default(DEFAULT_QUERY_TIMEOUT_MS);

/** Salesflow's own mailbox: Reply-To of every mail, tagged per prospect (`replies+p.<id>@...`). */
const ReplyAddressSchema = emailSchema('must be an email address').default('replies@salesflow.localhost');

/** A web origin as a browser sends it: scheme, host and port only (`https://temporal.example.com`). */
export function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

/** Comma-separated origins; blanks between commas are ignored. */
const OriginListSchema = z
  .string()
  .transform((raw) => raw.split(',').map((o) => o.trim()).filter((o) => o !== ''))
  .pipe(z.array(z.string().refine(isOrigin, { error: (issue) => `${String(issue.input)} is not an origin: give scheme, host and port only, such as https://temporal.example.com (no path, no trailing slash)` })));

export const WorkerConfigSchema = shareable(ConnectionConfigSchema.extend({
  /** The salesflow database: quotation documents are stored in it and attached from it. */
  DATABASE_URL: DatabaseUrlSchema,
  DATABASE_QUERY_TIMEOUT: DatabaseQueryTimeoutSchema,
  SALESFLOW_REPLY_ADDRESS: ReplyAddressSchema,
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).default('smtp://127.0.0.1:2525'),
  MAIL_FROM: z.string().min(3).default('salesflow <salesflow@localhost>'),
  /** The worker's log level (the SDK's INFO includes a line per worker state change). */
  SALESFLOW_LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  /** Concurrent SMTP connections of campaign mail. */
  SMTP_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
  /**
   * Workflows the worker keeps in memory (the SDK's cache). Since the domain is shared by
   * every workflow (worker/workflowBundle.ts), a cached prospect costs about a quarter of a
   * megabyte (it was about 6 MB while each held its own copy of the domain), so 1,000 fit a
   * worker well within 2 GiB and spare the replay a command on an evicted prospect costs
   * first. See the README's scale benchmark; 0 turns the cache off.
   */
  SALESFLOW_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(DEFAULT_MAX_CACHED_WORKFLOWS),
  /** Concurrent SMTP connections of transactional mail (quotations, reminders, tasks), kept apart from campaigns'. */
  SMTP_TRANSACTIONAL_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(2),
  /** Set by the local development stack; allows the built-in unsubscribe secret. */
  SALESFLOW_DEV_STACK: Flag,
  /**
   * The only folder the worker reads audience CSVs from (and its subfolders); a campaign
   * naming a file elsewhere is refused. Default: the worker's working directory.
   */
  SALESFLOW_CAMPAIGN_DIR: z.string().min(1).default('.'),
  /** Where the unsubscribe endpoint is reachable from a recipient's mail client. */
  SALESFLOW_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).default('http://127.0.0.1:8088'),
  /** Signs unsubscribe links; set your own anywhere but a laptop. */
  SALESFLOW_UNSUBSCRIBE_SECRET: z.string().min(16, 'must be at least 16 characters').default(DEV_UNSUBSCRIBE_SECRET),
  /** How long an unsubscribe link in a mail keeps working. */
  SALESFLOW_UNSUBSCRIBE_TTL: DurationSchema.default(90 * 86_400_000),
}));

/** The HTTP endpoint (unsubscribe) of the local stack. */
export const HttpConfigSchema = shareable(ConnectionConfigSchema.extend({
  SALESFLOW_HTTP_PORT: Port.default(8088),
  /** 127.0.0.1 locally; 0.0.0.0 in a container, where the port is published by Docker. */
  SALESFLOW_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  SALESFLOW_UNSUBSCRIBE_SECRET: WorkerConfigSchema.shape.SALESFLOW_UNSUBSCRIBE_SECRET,
  SALESFLOW_DEV_STACK: WorkerConfigSchema.shape.SALESFLOW_DEV_STACK,
}));

/** The salesflow database (accounts, sessions, tokens, audit); unset means the local stack's. */
export const DatabaseConfigSchema = shareable(z.object({
  DATABASE_URL: DatabaseUrlSchema,
  DATABASE_QUERY_TIMEOUT: DatabaseQueryTimeoutSchema,
  /** The embedded PostgreSQL of `npm start`, when DATABASE_URL is unset. */
  SALESFLOW_POSTGRES_PORT: Port.default(5433),
  /**
   * Local state of `npm start` (the embedded PostgreSQL, Temporal's SQLite file, captured
   * mail). Workers keep nothing here: the campaign store is in the salesflow database.
   */
  SALESFLOW_DATA_DIR: z.string().min(1).default('.data'),
}));

/** The salesflow server's own settings (issue 10), for `npm start` and `npm run api`. */
export const ServerConfigSchema = shareable(z.object({
  /** Login attempts per client address and login within a minute; the next one is 429. */
  SALESFLOW_LOGIN_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(5),
  /** How long a login session lasts. */
  SALESFLOW_SESSION_TTL: DurationSchema.default(12 * 3_600_000),
  /** pino's level for the server's JSON log lines (the worker's is SALESFLOW_LOG_LEVEL). */
  SALESFLOW_API_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Salesflow's reply mailbox; inbound mail to it (and its +tags) is matched to prospects. */
  SALESFLOW_REPLY_ADDRESS: ReplyAddressSchema,
  /**
   * An IMAP mailbox to poll for replies (`imaps://user:password@host/INBOX`), for when no
   * relay forwards mail to salesflow's SMTP endpoint. Unset: no polling.
   */
  IMAP_URL: z.url({ protocol: /^imaps?$/, error: 'must be an imap:// or imaps:// URL' }).optional(),
  /** How often the IMAP mailbox is polled. */
  IMAP_POLL_INTERVAL: DurationSchema.default(60_000),
  /**
   * Browser origins that may call the remote codec endpoint (`/api/temporal-codec`) with an
   * admin's session cookie: the Temporal UI's. `npm start` adds its own dev server's UI.
   * Unset: none (the Temporal CLI, with an API token, needs no origin).
   */
  SALESFLOW_CODEC_ORIGINS: OriginListSchema.default([]),
}));
export type ServerConfig = z.infer<typeof ServerConfigSchema>;

export const DevStackConfigSchema = shareable(WorkerConfigSchema.extend({
  ...DatabaseConfigSchema.shape,
  ...ServerConfigSchema.shape,
  SALESFLOW_HTTP_PORT: HttpConfigSchema.shape.SALESFLOW_HTTP_PORT,
  ...ObservabilityConfigSchema.shape,
  TEMPORAL_PORT: Port.default(7233),
  TEMPORAL_UI_PORT: Port.default(8233),
  SMTP_PORT: Port.default(2525),
}));

/**
 * Where and how to reach Temporal. `temporalConnection` carries what the TEMPORAL_* variables
 * and the config file add (TLS, API key); the loader fills it, tests leave it out.
 */
export type ConnectionConfig = z.infer<typeof ConnectionConfigSchema> & { temporalConnection?: TemporalConnectionExtras };
export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;
export type DevStackConfig = z.infer<typeof DevStackConfigSchema>;
export type DatabaseConfig = z.infer<typeof DatabaseConfigSchema>;

/** `npm run api`: the server on its own, with its database and Temporal. */
export const ApiConfigSchema = shareable(HttpConfigSchema.extend({
  ...DatabaseConfigSchema.shape,
  ...ServerConfigSchema.shape,
  /**
   * `npm run api`'s inbound SMTP endpoint for replies (`host:port`, e.g. 0.0.0.0:2525): where
   * a relay or the reply domain's MX delivers. Unset: none (use IMAP_URL, or the local
   * stack, whose mail sink is the endpoint).
   */
  SALESFLOW_INBOUND_SMTP: HostPort.optional(),
}));
