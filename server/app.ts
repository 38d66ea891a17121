import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError, jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import type { Connection } from '@temporalio/client';
import { explainUnanswered, noWorkerWatch } from '../client/shared/temporalConnection';
import { z } from 'zod';
import type { CampaignClient } from '../client/campaign/campaignClient';
import type { OpsClient } from '../client/process/opsClient';
import type { SalesflowClient } from '../client/pipeline/salesflowClient';
import { DomainError, formatPath, issueMessage } from '../domain/shared/errors';
import type { SalesflowDb } from '../db/database';
import { purgeExpired } from '../db/housekeeping';
import { postgresRateLimitStore } from './rateLimitStore';
import { auditWrite, authenticate, claimIdempotencyKey, settleIdempotencyKey } from './auth';
import { declareProblems, domainProblem, HttpProblem, problem, sendProblem, type Problem } from './problem';
import { registerAccountRoutes } from './accountRoutes';
import { registerProspectRoutes } from './prospectRoutes';
import { registerProcessRoutes } from './processRoutes';
import { registerCampaignRoutes } from './campaignRoutes';
import { registerCustomerRoutes } from './customerRoutes';
import { registerUnsubscribeRoutes } from './unsubscribe';
import { registerWebApp } from './webApp';
import { registerEtags } from './etag';
import { registerBoardRoutes } from './boardRoutes';
import { registerQuotationPage } from './quotationPage';
import { registerInboundRoutes } from './inboundRoutes';
import { registerReportRoutes } from './reportRoutes';
import { createServerMetrics, recordRequest, registerMetricsRoute, type ServerMetrics } from './metrics';
import { registerDatabaseMetrics } from '../worker/metrics';
import cors from '@fastify/cors';
import { codecCors, registerTemporalCodecRoutes } from './temporalCodecRoutes';

/**
 * The salesflow server: one fastify instance over the client facades and the database, so
 * tests start it in-process on a free port and `npm start` / `npm run api` run the same code.
 * Everything but the unsubscribe links (whose URLs are in mails already sent) is under /api.
 */

export interface ServerDeps {
  db: SalesflowDb;
  sales: SalesflowClient;
  ops: OpsClient;
  campaigns: CampaignClient;
  /** Signs and checks unsubscribe links (the workers' SALESFLOW_UNSUBSCRIBE_SECRET). */
  unsubscribeSecret: string;
  /** Whether cookies may go over plain HTTP: only when the server listens on loopback. */
  secureCookies: boolean;
  /** Login attempts per IP and login within `loginWindowMs` (default 5 per minute). */
  loginAttempts?: number;
  loginWindowMs?: number;
  sessionTtlMs?: number;
  /** How often expired sessions, idempotency keys and rate-limit windows are deleted (default 5 min). */
  purgeEveryMs?: number;
  /** pino options, or false to log nothing (tests). */
  logger?: FastifyServerOptions['logger'];
  now?: () => number;
  /** The built web app (default dist/web; see server/webApp.ts). */
  webDir?: string;
  /** Prometheus metrics served at GET /metrics (a private registry when absent). */
  metrics?: ServerMetrics;
  /** SALESFLOW_METRICS_TOKEN: when set, /metrics wants it as a bearer token. */
  metricsToken?: string;
  /** SALESFLOW_CODEC_ORIGINS: the browser origins (the Temporal UI) that may call the remote codec. */
  codecOrigins?: readonly string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    sentBody?: unknown;
  }
}

export const BODY_LIMIT = 1024 * 1024;

/** Secrets never reach the log, whatever a serializer or a later log line includes. */
export const LOG_REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.generatedPassword',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.csrfToken',
];

export function loopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export type App = FastifyInstance<any, any, any, any, ZodTypeProvider>;

export async function buildServer(deps: ServerDeps): Promise<App> {
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    logger: deps.logger ?? { level: 'info', redact: { paths: LOG_REDACT, censor: '[redacted]' } },
    // Strict schemas answer unknown fields with 400 instead of silently dropping them.
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // An empty body labelled JSON is no body, as one sent without the header is (see the /api
  // preValidation hook); anything else parses as fastify's own parser does. The limit is
  // named again: a route without its own takes the parser's, and an added parser has none.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (request, body, done) =>
    body.length === 0 ? done(null, undefined) : parseJson(request, body as string, done),
  );

  // CORS stays closed but for the remote codec's two routes, for the Temporal UI's origins
  // (server/temporalCodecRoutes.ts): browsers allow only same-origin calls everywhere else.
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        // The reference page's assets come from the server itself (@fastify/swagger-ui), no CDN.
        'script-src': ["'self'"],
        // Swagger UI sets inline styles; nothing is loaded from elsewhere (its validator is off).
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        // Not helmet's default upgrade-insecure-requests: on a deployment served over plain
        // HTTP (a LAN, behind no TLS proxy) it turned the quotation and unsubscribe pages'
        // form posts into HTTPS requests that nothing answers. The web app's own policy
        // (server/webApp.ts) never had it; TLS is the deployment's to switch on.
        'upgrade-insecure-requests': null,
      },
    },
  });
  await app.register(cookie);
  // Counted in PostgreSQL: every API process sees the same attempts, and a restart forgives none.
  await app.register(rateLimit, { global: false, store: postgresRateLimitStore(deps.db) as never });

  // The database forgets what has expired (sessions, old idempotency keys, closed windows).
  const purge = setInterval(() => {
    purgeExpired(deps.db, new Date(), deps.loginWindowMs).catch((err: unknown) => app.log.error({ err }, 'purging expired sessions and keys failed'));
  }, deps.purgeEveryMs ?? 5 * 60_000);
  purge.unref();
  app.addHook('onClose', async () => clearInterval(purge));

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'salesflow API', version: '1', description: 'Prospects, tasks, processes and campaigns of salesflow. Log in with POST /api/session, or send an API token as `Authorization: Bearer sft_...`.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'salesflow_session' },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
    // Errors as the error handler sends them: problem JSON, and 413 where a body is taken.
    transform: declareProblems(jsonSchemaTransform, BODY_LIMIT),
    // Schemas with a `meta({ id })` become components the routes refer to.
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  const temporal = deps.sales.client.connection as Connection;
  const metrics = deps.metrics ?? createServerMetrics();
  registerDatabaseMetrics(metrics.registry, deps.db);
  app.setErrorHandler(async (raw: FastifyError, request, reply) => {
    // A call Temporal did not answer says why: no worker, no server, or a busy worker (503).
    const err = (await explainUnanswered(raw, temporal, deps.sales.config).catch(() => raw)) as FastifyError;
    let body: Problem;
    if (err instanceof HttpProblem) body = problem(err.status, err.kind, err.title, err.message, err.issues);
    else if (err instanceof DomainError) body = domainProblem(err);
    else if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'body';
      const issues = err.validation.map((v) => {
        const path: (string | number)[] = v.instancePath.split('/').filter(Boolean).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
        // Zod's issue, rebuilt, so the message is worded as the CLI words it.
        const issue = { ...(v.params as object), code: v.keyword, message: v.message ?? '', path } as unknown as z.core.$ZodIssue;
        const keys = (v.params as { keys?: string[] }).keys;
        // An unknown field is named itself, not by its parent object.
        if (v.keyword === 'unrecognized_keys' && keys?.length) return { path: [...path, keys[0]!], message: 'is not a known field' };
        return { path, message: issueMessage(issue) };
      });
      const text = issues.map((i) => (i.path.length ? `${formatPath(i.path)}: ${i.message}` : i.message)).join('; ');
      body = problem(400, 'invalid-request', 'Invalid request', `invalid ${where}: ${text}`, issues);
    } else if (isResponseSerializationError(err)) {
      request.log.error({ err }, 'response did not match its schema');
      body = problem(500, 'internal', 'Internal error', 'the server could not answer; the error is logged');
    } else if (err.statusCode === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      // The route's own limit where it has one (campaign uploads take 32 MB).
      body = problem(413, 'too-large', 'Body too large', `the request body exceeds ${request.routeOptions.bodyLimit ?? BODY_LIMIT} bytes`);
    } else if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err instanceof SyntaxError) {
      body = problem(400, 'invalid-json', 'Invalid JSON', `the request body is not valid JSON: ${err.message}`);
    } else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      // curl -d sends a form by default: say what the API reads.
      const sent = request.headers['content-type'] ?? 'none';
      body = problem(415, 'unsupported-media-type', 'Unsupported media type', `the body's Content-Type is ${sent}: send JSON with Content-Type: application/json`);
    } else if (err.statusCode === 429) {
      body = problem(429, 'rate-limited', 'Too many requests', err.message);
    } else if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      body = problem(err.statusCode, 'bad-request', 'Bad request', err.message);
    } else if (unreachable(err)) {
      request.log.error({ err }, 'a backend is unreachable');
      body = problem(503, 'unavailable', 'Service unavailable', `Temporal or the database did not answer; try again in a moment (${err.message.split('\n')[0]})`);
    } else {
      // A bug: logged in full, and nothing of it (a stack, a query) in the answer.
      request.log.error({ err }, 'request failed');
      body = problem(500, 'internal', 'Internal error', `the server could not answer (request ${request.id}); the error is logged`);
    }
    // Returning the reply tells fastify it is being sent (onSend hooks may still be running).
    return sendProblem(reply, body);
  });
  app.setNotFoundHandler((request, reply) => {
    void sendProblem(reply, problem(404, 'not-found', 'Not found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });

  await app.register(
    async (api) => {
      // Every route that waits on a workflow fails fast (503) when no worker polls its task
      // queue, instead of holding the client until the call deadline.
      api.addHook('onRoute', (route) => {
        const handler = route.handler;
        route.handler = function watched(this: unknown, request, reply) {
          return noWorkerWatch(Promise.resolve(handler.call(this as never, request, reply)), temporal, deps.sales.config);
        };
      });
      // Before authentication: the Temporal UI's preflights and refusals get their CORS headers.
      const codecOrigins = deps.codecOrigins ?? [];
      if (codecOrigins.length > 0) await api.register(cors, { delegator: codecCors(codecOrigins, api.prefix) });
      api.addHook('onRequest', async (request) => {
        await authenticate(deps.db, request);
      });
      // A POST that takes nothing may come without a body (`curl -X POST`), which fastify
      // reads as null: it is `{}`, so the route's schema decides (an empty one accepts it, a
      // command names its required fields) instead of refusing "must be a mapping".
      api.addHook('preValidation', async (request) => {
        if (request.body == null && request.routeOptions.schema?.body) request.body = {};
      });
      // The body as sent, before the schema's transforms (decimal text to cents, say): a
      // prospect command is handed to the workflow as the client wrote it, where the same
      // schema parses it again.
      api.addHook('preValidation', async (request) => {
        request.sentBody = request.body;
      });
      api.addHook('preHandler', async (request, reply) => claimIdempotencyKey(deps.db, request, reply));
      api.addHook('onSend', async (request, reply, payload) => {
        await settleIdempotencyKey(deps.db, request, reply.statusCode, payload);
        return payload;
      });
      api.addHook('onResponse', async (request, reply) => {
        recordRequest(metrics, request, reply);
        await auditWrite(deps.db, request, reply.statusCode).catch((err: unknown) => request.log.error({ err }, 'audit log write failed'));
      });

      api.get(
        '/health',
        {
          config: { public: true },
          schema: {
            tags: ['health'],
            summary: 'Temporal and database reachability',
            response: { 200: HealthSchema, 503: HealthSchema },
          },
        },
        async (_request, reply) => {
          const [temporal, database] = await Promise.all([
            reach(() => deps.sales.client.workflowService.getSystemInfo({})),
            reach(() => sql`select 1`.execute(deps.db)),
          ]);
          const ok = temporal.ok && database.ok;
          return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', temporal, database });
        },
      );
      // The OpenAPI document itself, generated from the routes' zod schemas.
      api.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

      registerEtags(api);
      await registerAccountRoutes(api, deps);
      await registerProspectRoutes(api, deps);
      await registerProcessRoutes(api, deps);
      await registerCampaignRoutes(api, deps);
      await registerBoardRoutes(api, deps);
      await registerInboundRoutes(api, deps);
      await registerReportRoutes(api, deps);
      await registerCustomerRoutes(api, deps);
      await registerTemporalCodecRoutes(api);
    },
    { prefix: '/api' },
  );
  await app.register(async (scope) => registerUnsubscribeRoutes(scope, deps));
  // Outside /api: a scraper has no session; SALESFLOW_METRICS_TOKEN guards it when set.
  await app.register(async (scope) => registerMetricsRoute(scope as never, metrics, deps.metricsToken));
  await registerWebApp(app, deps.webDir);
  await app.register(async (scope) => registerQuotationPage(scope, deps));
  return app;
}

const ReachSchema = z.object({ ok: z.boolean(), error: z.string().optional() });
const HealthSchema = z.object({ status: z.enum(['ok', 'unavailable']), temporal: ReachSchema, database: ReachSchema });

async function reach(fn: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  try {
    await Promise.race([fn(), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 3 s')), 3_000).unref())]);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message.split('\n')[0] };
  }
}

/** Temporal (gRPC UNAVAILABLE / DEADLINE_EXCEEDED) or PostgreSQL (a refused or dropped connection) out of reach. */
function unreachable(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (code === 14 || code === 4 || code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === '57P01' || code === '57P03') return true;
    if (e.name === 'ServiceError' || e.name === 'TransportError') return true;
  }
  return false;
}
