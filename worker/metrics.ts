import { createServer, type Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, InjectedSinks, Next } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import { databasePoolStats, type SalesflowDb } from '../db/database';
import type { SalesflowMetricsSinks } from '../workflows/shared/metricsSink';
import type { MailGate } from '../activities/shared/mailGate';

/**
 * Salesflow's own worker metrics (README "Operations: metrics and tracing"), in a
 * prom-client registry of the worker's: mails sent and bounced per kind, campaign mail (its
 * rate is `rate(...)` of the campaign counter), and how late deadlines fire. The SDK's
 * runtime metrics (task latencies, slots, polls) are served by the SDK itself on
 * SALESFLOW_SDK_METRICS_ADDRESS.
 */
export interface WorkerMetrics {
  registry: Registry;
  mailsSent: Counter<'kind'>;
  mailsBounced: Counter<'kind'>;
  deadlinesFired: Counter<'kind'>;
  deadlineLateness: Histogram<'kind'>;
  readModelWrites: Counter<'kind' | 'outcome'>;
  dealBookings: Counter<'outcome'>;
}

/** A deadline later than this counts as late in the histogram's buckets an alert reads. */
const LATENESS_BUCKETS = [1, 5, 15, 60, 300, 900, 3600];

export function createWorkerMetrics(options: { processMetrics?: boolean } = {}): WorkerMetrics {
  const registry = new Registry();
  // Process metrics (CPU, RSS, event loop lag) only for a real worker process, not per test worker.
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'salesflow_worker_' });
  return {
    registry,
    mailsSent: new Counter({ name: 'salesflow_mails_sent_total', help: 'Mails the SMTP relay accepted, by kind (transactional: quotations, reminders, tasks; campaign)', labelNames: ['kind'], registers: [registry] }),
    mailsBounced: new Counter({ name: 'salesflow_mails_bounced_total', help: 'Mails the relay refused for the recipient (the address is then suppressed for campaigns), by kind', labelNames: ['kind'], registers: [registry] }),
    deadlinesFired: new Counter({ name: 'salesflow_deadlines_fired_total', help: 'Prospect deadlines applied (follow-ups, quotation reminders and expiries), by kind', labelNames: ['kind'], registers: [registry] }),
    deadlineLateness: new Histogram({ name: 'salesflow_deadline_lateness_seconds', help: 'How long after its due time a deadline was applied, by kind', labelNames: ['kind'], buckets: LATENESS_BUCKETS, registers: [registry] }),
    dealBookings: new Counter({
      name: 'salesflow_deal_bookings_total',
      help: 'Closed deals booked on their customer accounts within workflow tasks, by outcome (booked; missed: handed back, the prospect books it through its activity)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    readModelWrites: new Counter({
      name: 'salesflow_read_model_writes_total',
      help: 'Read-model writes made within workflow tasks, by kind (prospect, customer) and outcome (written; missed: handed to the workflow to write through its activity; lost: the workflow could not be told either, run `salesflow report rebuild`)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
  };
}

/**
 * The database pool's state in `registry`, read at each scrape (the worker's and the server's
 * registries each get their own pool's): connections busy and idle, queries waiting for one,
 * and connections given up on (a query unanswered within DATABASE_QUERY_TIMEOUT; closed by
 * the database, as at a restart).
 */
export function registerDatabaseMetrics(registry: Registry, db: SalesflowDb): void {
  // Once per registry (a registry serves one process's pool).
  if (registry.getSingleMetric('salesflow_database_connections')) return;
  new Gauge({
    name: 'salesflow_database_connections',
    help: 'Connections of the salesflow database pool, by state (busy: running a query or a transaction; idle)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const stats = databasePoolStats(db);
      if (!stats) return;
      this.set({ state: 'busy' }, stats.connections.busy);
      this.set({ state: 'idle' }, stats.connections.idle);
    },
  });
  new Gauge({
    name: 'salesflow_database_waiting_queries',
    help: 'Queries waiting for a connection of the salesflow database pool (all busy)',
    registers: [registry],
    collect() {
      this.set(databasePoolStats(db)?.waiting ?? 0);
    },
  });
  new Counter({
    name: 'salesflow_database_connections_lost_total',
    help: 'Connections of the salesflow database pool given up on, by reason (timeout: a query unanswered within DATABASE_QUERY_TIMEOUT; closed: closed by the database or the network, as at a restart)',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      const lost = databasePoolStats(db)?.lost;
      if (!lost) return;
      // The pool keeps the counts; the counter shows them.
      this.reset();
      this.inc({ reason: 'timeout' }, lost.timeout);
      this.inc({ reason: 'closed' }, lost.closed);
    },
  });
}

const GATE_SOURCES = new WeakMap<Registry, { gates: Readonly<Record<'transactional' | 'campaign', MailGate>> }>();

/**
 * The SMTP pools' gates (activities/shared/mailGate.ts) in `registry`, read at each scrape:
 * connections in use, mails waiting for one, and mails never handed over because none freed
 * within their attempt (the relay silent or too slow; Temporal retries them, a campaign
 * batch's retry reads its ledger). Mails waiting for minutes mean the relay is not taking mail.
 */
export function registerMailGateMetrics(registry: Registry, gates: Readonly<Record<'transactional' | 'campaign', MailGate>>): void {
  // A worker made again in the same process (a restart) brings new pools: the series follow them.
  const known = GATE_SOURCES.get(registry);
  if (known) {
    known.gates = gates;
    return;
  }
  const source = { gates };
  GATE_SOURCES.set(registry, source);
  const kinds = () => Object.entries(source.gates) as [string, MailGate][];
  new Gauge({
    name: 'salesflow_smtp_connections_busy',
    help: 'SMTP connections a mail holds now, by pool (transactional; campaign)',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      for (const [kind, gate] of kinds()) this.set({ kind }, gate.busy);
    },
  });
  new Gauge({
    name: 'salesflow_smtp_mails_waiting',
    help: 'Mails waiting for a free SMTP connection (every one busy), by pool',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      for (const [kind, gate] of kinds()) this.set({ kind }, gate.queued);
    },
  });
  new Counter({
    name: 'salesflow_smtp_mails_given_up_total',
    help: 'Mails not handed to the SMTP relay because no connection freed within their attempt (the relay silent or too slow), by pool; retried',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      // The gates keep the counts; the counter shows them.
      this.reset();
      for (const [kind, gate] of kinds()) this.inc({ kind }, gate.givenUp);
    },
  });
}

/** The activities that send one transactional mail each. */
const TRANSACTIONAL = new Set(['sendMail', 'sendQuotationMail']);

interface BatchCounts {
  sent?: number;
  bounced?: number;
}

/**
 * Counts mail as the activities report it, without touching them: `sendMail` and
 * `sendQuotationMail` (transactional) succeed or fail with SmtpRecipientRefused;
 * `sendCampaignBatch` returns its counts.
 */
export function metricsActivityInterceptor(metrics: WorkerMetrics): ActivityInterceptorsFactory {
  return (ctx) => {
    const inbound: ActivityInboundCallsInterceptor = {
      async execute(input, next: Next<ActivityInboundCallsInterceptor, 'execute'>) {
        const type = ctx.info.activityType;
        try {
          const result = await next(input);
          if (TRANSACTIONAL.has(type)) metrics.mailsSent.inc({ kind: 'transactional' });
          else if (type === 'sendCampaignBatch') {
            const counts = (result ?? {}) as BatchCounts;
            if (counts.sent) metrics.mailsSent.inc({ kind: 'campaign' }, counts.sent);
            if (counts.bounced) metrics.mailsBounced.inc({ kind: 'campaign' }, counts.bounced);
          }
          return result;
        } catch (err) {
          if (TRANSACTIONAL.has(type) && err instanceof ApplicationFailure && err.type === 'SmtpRecipientRefused') metrics.mailsBounced.inc({ kind: 'transactional' });
          throw err;
        }
      },
    };
    return { inbound };
  };
}

/** The worker side of workflows/shared/metricsSink.ts. */
export function metricsSinks(metrics: WorkerMetrics): InjectedSinks<SalesflowMetricsSinks> {
  return {
    salesflowMetrics: {
      deadlineFired: {
        fn: (_info, kind, lateMs) => {
          metrics.deadlinesFired.inc({ kind });
          metrics.deadlineLateness.observe({ kind }, lateMs / 1000);
        },
        callDuringReplay: false,
      },
    },
  };
}

/** Whether a request may read metrics: any, without a token; with one, `Authorization: Bearer <token>`. */
export function metricsAuthorized(header: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** Serves a registry at `GET /metrics` on `host:port` (a worker has no HTTP server otherwise). */
export async function serveMetrics(registry: Registry, address: string, token?: string): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const cut = address.lastIndexOf(':');
  const host = address.slice(0, cut).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(cut + 1));
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end('not found: metrics are at /metrics\n');
      return;
    }
    if (!metricsAuthorized(req.headers.authorization, token)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer' }).end('metrics need Authorization: Bearer <SALESFLOW_METRICS_TOKEN>\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500).end(`metrics failed: ${(err as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`cannot serve worker metrics on ${address}: ${err.message}`)));
    server.listen(port, host, () => resolve());
  });
  const bound = server.address();
  const shown = typeof bound === 'object' && bound ? `${host.includes(':') ? `[${host}]` : host}:${bound.port}` : address;
  return { server, url: `http://${shown}/metrics`, close: () => new Promise((r) => server.close(() => r())) };
}
