import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { metricsAuthorized } from '../worker/metrics';

/**
 * The server's Prometheus metrics (README "Operations: metrics and tracing"): every command
 * (a write under /api) by name and outcome, and request latency. Served at `GET /metrics`,
 * outside /api (no session: a scraper has none), behind SALESFLOW_METRICS_TOKEN when set.
 */
export interface ServerMetrics {
  registry: Registry;
  commands: Counter<'command' | 'outcome' | 'status'>;
  requestSeconds: Histogram<'method' | 'route' | 'status'>;
}

export function createServerMetrics(options: { processMetrics?: boolean } = {}): ServerMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'salesflow_api_' });
  return {
    registry,
    commands: new Counter({
      name: 'salesflow_commands_total',
      help: 'Commands (POST/PUT/PATCH/DELETE under /api) by route, outcome (accepted 2xx/3xx, refused 4xx, failed 5xx) and status code',
      labelNames: ['command', 'outcome', 'status'],
      registers: [registry],
    }),
    requestSeconds: new Histogram({
      name: 'salesflow_api_request_duration_seconds',
      help: 'API request latency by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.01, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 30],
      registers: [registry],
    }),
  };
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** accepted / refused / failed, from the status a command was answered with. */
export function commandOutcome(status: number): 'accepted' | 'refused' | 'failed' {
  return status >= 500 ? 'failed' : status >= 400 ? 'refused' : 'accepted';
}

/** Counts each answered request of the /api scope it is added to. */
export function recordRequest(metrics: ServerMetrics, request: FastifyRequest, reply: FastifyReply): void {
  // The route pattern, not the URL: one series per route, not per prospect.
  const route = request.routeOptions.url ?? 'unmatched';
  const status = String(reply.statusCode);
  metrics.requestSeconds.observe({ method: request.method, route, status }, reply.elapsedTime / 1000);
  if (!READS.has(request.method)) metrics.commands.inc({ command: `${request.method} ${route}`, outcome: commandOutcome(reply.statusCode), status });
}

export function registerMetricsRoute(app: FastifyInstance, metrics: ServerMetrics, token: string | undefined): void {
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!metricsAuthorized(request.headers.authorization, token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').type('text/plain').send('metrics need Authorization: Bearer <SALESFLOW_METRICS_TOKEN>\n');
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
