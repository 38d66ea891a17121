import { ApiConfigSchema, ObservabilityConfigSchema, unsubscribeSecretProblem, type ServerConfig } from '../domain/shared/config';
import { describeTemporal, loadTemporalSettings } from '../client/shared/temporalConnection';
import { startTracing } from '../client/shared/tracing';
import { createServerMetrics, type ServerMetrics } from './metrics';
import { describeIssues } from '../domain/shared/errors';
import { CampaignClient } from '../client/campaign/campaignClient';
import { OpsClient } from '../client/process/opsClient';
import { SalesflowClient } from '../client/pipeline/salesflowClient';
import { describeStackDatabase, openStackDatabase, type StackDatabase } from '../db/stack';
import { startImapPoller } from './imapPoller';
import { inboundHandler } from './inboundMail';
import { startInboundSmtp, type InboundSmtp } from './inboundSmtp';
import { BODY_LIMIT, buildServer, LOG_REDACT, loopbackHost, type App } from './app';

/**
 * `npm run api`: the salesflow server on its own (docker-compose's `api` service, a cluster),
 * next to workers that share SALESFLOW_UNSUBSCRIBE_SECRET with it. `npm start` runs the same
 * server through startApi.
 */

export interface RunningApi {
  app: App;
  url: string;
  close(): Promise<void>;
}

/** Builds the server over open clients and a database, and listens. */
export async function startApi(options: {
  sales: SalesflowClient;
  campaigns: CampaignClient;
  database: StackDatabase;
  host: string;
  port: number;
  unsubscribeSecret: string;
  server: ServerConfig;
  /** Prometheus metrics at GET /metrics, behind `metricsToken` when given. */
  metrics?: ServerMetrics;
  metricsToken?: string;
}): Promise<RunningApi> {
  const app = await buildServer({
    db: options.database.db,
    sales: options.sales,
    ops: new OpsClient(options.sales),
    campaigns: options.campaigns,
    unsubscribeSecret: options.unsubscribeSecret,
    // Over plain HTTP on loopback a Secure cookie would not be stored; anywhere else it must be.
    secureCookies: !loopbackHost(options.host),
    loginAttempts: options.server.SALESFLOW_LOGIN_ATTEMPTS,
    sessionTtlMs: options.server.SALESFLOW_SESSION_TTL,
    logger: { level: options.server.SALESFLOW_API_LOG_LEVEL, redact: { paths: LOG_REDACT, censor: '[redacted]' } },
    metrics: options.metrics ?? createServerMetrics({ processMetrics: true }),
    ...(options.metricsToken ? { metricsToken: options.metricsToken } : {}),
    codecOrigins: options.server.SALESFLOW_CODEC_ORIGINS,
  });
  await app.listen({ port: options.port, host: options.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { app, url: `http://${shownHost}:${port}`, close: () => app.close() };
}

/** What `npm start` and `npm run api` print about the server. */
export function describeApi(url: string): string[] {
  return [
    `  web app       ${url}/   (log in with your account: the first admin is printed once below, others are made with salesflow user create)`,
    `  API           ${url}/api   (reference: ${url}/api/docs, OpenAPI: ${url}/api/openapi.json; bodies up to ${BODY_LIMIT / 1024 / 1024} MB)`,
    `  unsubscribe   ${url}/unsubscribe`,
    `  quotations    ${url}/quotation?token=...   (the link in each quotation mail)`,
    `  metrics       ${url}/metrics   (Prometheus)`,
  ];
}

/** `host:port` (IPv6 in brackets) as smtp-server's listen() takes it. */
export function splitHostPort(value: string): { host: string; port: number } {
  const colon = value.lastIndexOf(':');
  return { host: value.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(value.slice(colon + 1)) };
}

function describeInbound(config: { SALESFLOW_REPLY_ADDRESS: string; IMAP_URL?: string | undefined; IMAP_POLL_INTERVAL: number }, inbound: InboundSmtp | undefined): string[] {
  const ways = [...(inbound ? [`SMTP on ${inbound.address}`] : []), ...(config.IMAP_URL ? [`IMAP polling every ${config.IMAP_POLL_INTERVAL / 1000} s`] : [])];
  return [`  replies       to ${config.SALESFLOW_REPLY_ADDRESS} (any +tag): ${ways.length ? ways.join(', ') : 'not received (set SALESFLOW_INBOUND_SMTP or IMAP_URL)'}`];
}

async function main(): Promise<void> {
  const parsed = ApiConfigSchema.extend(ObservabilityConfigSchema.shape).safeParse(process.env);
  if (!parsed.success) throw new Error(`bad configuration: ${describeIssues(parsed.error).join('; ')}`);
  // Address, namespace, TLS and API key: a profile of the Temporal config file, then TEMPORAL_*.
  const config = { ...parsed.data, ...loadTemporalSettings(process.env) };
  const problem = unsubscribeSecretProblem(config.SALESFLOW_UNSUBSCRIBE_SECRET, config.SALESFLOW_DEV_STACK);
  if (problem) throw new Error(problem);
  const database = await openStackDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.SALESFLOW_DATA_DIR, port: config.SALESFLOW_POSTGRES_PORT, queryTimeoutMs: config.DATABASE_QUERY_TIMEOUT });
  const tracing = config.OTEL_EXPORTER_OTLP_ENDPOINT ? startTracing({ endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: config.OTEL_SERVICE_NAME ?? 'salesflow-api' }) : undefined;
  const sales = await SalesflowClient.connect(config, tracing ? { workflowInterceptors: tracing.clientInterceptors() } : {});
  const campaigns = CampaignClient.fromClient(sales.client, config);
  const api = await startApi({
    sales,
    campaigns,
    database,
    host: config.SALESFLOW_HTTP_HOST,
    port: config.SALESFLOW_HTTP_PORT,
    unsubscribeSecret: config.SALESFLOW_UNSUBSCRIBE_SECRET,
    server: config,
    ...(config.SALESFLOW_METRICS_TOKEN ? { metricsToken: config.SALESFLOW_METRICS_TOKEN } : {}),
  });
  // Replies: delivered to the inbound SMTP endpoint, or fetched from an IMAP mailbox.
  const inboundDeps = { db: database.db, sales, replyAddress: config.SALESFLOW_REPLY_ADDRESS };
  const poller = config.IMAP_URL ? startImapPoller(inboundDeps, { url: config.IMAP_URL, intervalMs: config.IMAP_POLL_INTERVAL, log: (m) => console.log(m) }) : undefined;
  const inbound = config.SALESFLOW_INBOUND_SMTP ? await startInboundSmtp(inboundHandler(inboundDeps), splitHostPort(config.SALESFLOW_INBOUND_SMTP)) : undefined;
  console.log(['salesflow api is running:', ...describeApi(api.url), ...describeInbound(config, inbound), `  Temporal      ${describeTemporal(config)}`, ...(tracing ? [`  tracing       OTLP to ${config.OTEL_EXPORTER_OTLP_ENDPOINT}`] : []), ...describeStackDatabase(database, config.SALESFLOW_DATA_DIR)].join('\n'));
  const stop = async () => {
    await poller?.stop();
    await inbound?.close();
    await api.close();
    await sales.close();
    await tracing?.shutdown();
    await database.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`salesflow api: ${(err as Error).message}`);
    process.exit(1);
  });
}
