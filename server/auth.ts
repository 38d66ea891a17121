import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../domain/accounts/access';
import type { Account, Role } from '../domain/accounts/accounts';
import { findApiToken, findSession, putIdempotentResponse, appendAudit } from '../db/accounts';
import type { SalesflowDb } from '../db/database';
import { HttpProblem, problem, sendProblem, unauthorized } from './problem';

/**
 * Who is asking: a session cookie (people in a browser) or a Bearer API token (integrations).
 * Cookie-authenticated writes must carry the session's CSRF token in `X-CSRF-Token`, which a
 * page of another site cannot read and so cannot send; a Bearer token is never sent by a
 * browser on its own, so token requests need none.
 */

export const SESSION_COOKIE = 'salesflow_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface Principal {
  account: Account;
  /** The role the request acts with: the account's, or the API token's (at most the account's). */
  role: Role;
  via: 'session' | 'token';
  sessionToken?: string;
  csrfToken?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Reachable without logging in (login, health, docs). */
    public?: boolean;
    /** A POST that changes nothing on the server (the remote codec): no CSRF token needed. */
    changesNothing?: boolean;
  }
}

export function actorOf(principal: Principal): Actor {
  return { role: principal.role, personId: principal.account.personId, team: principal.account.team };
}

/** The `by` recorded with every command: the person id the account acts as, else its login. */
export function byOf(principal: Principal): string {
  return principal.account.personId ?? principal.account.login;
}

export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized('log in (POST /api/session) or send an API token (Authorization: Bearer ...)');
  return request.principal;
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** onRequest-time authentication for every /api route not marked public. */
export async function authenticate(db: SalesflowDb, request: FastifyRequest): Promise<void> {
  // A preflight carries no credentials and acts on nothing: @fastify/cors has answered the
  // codec's already; any other gets the plugin's not-found, as before it was registered.
  if (request.method === 'OPTIONS') return;
  const header = request.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw unauthorized('the Authorization header must be "Bearer <token>"');
    const found = await findApiToken(db, m[1]!);
    if (!found) throw unauthorized('this API token is unknown, revoked, or its account disabled');
    request.principal = { account: found.account, role: found.token.role, via: 'token' };
    return;
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (!cookie) {
    if (request.routeOptions.config.public) return;
    throw unauthorized('log in (POST /api/session) or send an API token (Authorization: Bearer ...)');
  }
  const session = await findSession(db, cookie);
  if (!session) {
    if (request.routeOptions.config.public) return;
    throw unauthorized('the session has ended; log in again');
  }
  request.principal = { account: session.account, role: session.account.role, via: 'session', sessionToken: cookie, csrfToken: session.csrfSecret };
  if (!SAFE_METHODS.has(request.method) && !request.routeOptions.config.changesNothing) {
    const sent = request.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !sameSecret(sent, session.csrfSecret)) {
      throw new HttpProblem(403, 'csrf', 'Missing CSRF token', `a write with the session cookie must send the session's CSRF token in the X-CSRF-Token header (from POST /api/session or GET /api/me)`);
    }
  }
}

// Idempotency

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const PENDING = 0;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { key: string; userId: string; requestHash: string };
  }
}

function requestHash(request: FastifyRequest): string {
  return createHash('sha256').update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`).digest('hex');
}

/**
 * preHandler for POST routes: a key seen before with the same request replays the stored
 * response; with another request it is refused (422); one still being answered is 409. The
 * key is claimed (a pending row) before the command runs, so two racing retries never both
 * apply it.
 */
export async function claimIdempotencyKey(db: SalesflowDb, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const raw = request.headers[IDEMPOTENCY_HEADER];
  if (raw === undefined || request.method !== 'POST' || !request.principal) return undefined;
  const key = Array.isArray(raw) ? raw[0]! : raw;
  if (key.length < 1 || key.length > 200) {
    return sendProblem(reply, problem(400, 'bad-idempotency-key', 'Bad Idempotency-Key', 'Idempotency-Key must be 1 to 200 characters'));
  }
  const userId = request.principal.account.id;
  const hash = requestHash(request);
  const { stored, response } = await putIdempotentResponse(db, userId, key, { requestHash: hash, status: PENDING, body: null });
  if (stored) {
    request.idempotency = { key, userId, requestHash: hash };
    return undefined;
  }
  if (response.requestHash !== hash) {
    return sendProblem(
      reply,
      problem(422, 'idempotency-key-reused', 'Idempotency-Key reused', `Idempotency-Key "${key}" was used for another request; use a new key for a new request`),
    );
  }
  if (response.status === PENDING) {
    return sendProblem(reply, problem(409, 'idempotency-key-in-progress', 'Request in progress', `the request with Idempotency-Key "${key}" is still being answered; retry in a moment`));
  }
  const contentType = response.status >= 400 ? 'application/problem+json; charset=utf-8' : 'application/json; charset=utf-8';
  return reply.code(response.status).header('idempotent-replayed', 'true').header('content-type', contentType).send(JSON.stringify(response.body));
}

/** onSend: stores the answer under the claimed key; a server error frees the key for a retry. */
export async function settleIdempotencyKey(db: SalesflowDb, request: FastifyRequest, status: number, payload: unknown): Promise<void> {
  const claim = request.idempotency;
  if (!claim) return;
  if (status >= 500) {
    await db.deleteFrom('idempotency_keys').where('user_id', '=', claim.userId).where('key', '=', claim.key).execute();
    return;
  }
  let body: unknown = null;
  if (typeof payload === 'string' && payload !== '') {
    try {
      body = JSON.parse(payload);
    } catch {
      body = payload;
    }
  }
  await db
    .updateTable('idempotency_keys')
    .set({ response_status: status, response_body: JSON.stringify(body) })
    .where('user_id', '=', claim.userId)
    .where('key', '=', claim.key)
    .execute();
}

/** onResponse: every write that was answered is in the audit log with who made it. */
export async function auditWrite(db: SalesflowDb, request: FastifyRequest, status: number): Promise<void> {
  if (SAFE_METHODS.has(request.method)) return;
  await appendAudit(db, {
    userId: request.principal?.account.id ?? null,
    action: `${request.method} ${request.routeOptions.url ?? request.url}`,
    target: request.url.split('?')[0],
    detail: { status, ...(request.principal ? { login: request.principal.account.login, via: request.principal.via } : {}) },
    requestId: request.id,
  });
}
