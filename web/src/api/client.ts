import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

/**
 * The one way the app talks to the server: openapi-fetch over the types generated from the
 * server's OpenAPI document (schema.d.ts, kept in step by `npm run web:schema` and a test).
 * The session cookie rides along by itself; writes add the session's CSRF token. A 401 on
 * any call but the login means the session ended: the app is told once and shows the login.
 */

export type Problem = components['schemas']['Problem'];
export type Account = components['schemas']['Account'];
/** An account as the Users page lists it, with what would leave it seeing nothing. */
export type User = components['schemas']['User'];

let csrfToken: string | undefined;
let onSessionEnded: (() => void) | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
  // A new session (or none): answers kept for the last one are not reused.
  kept.clear();
}

export function whenSessionEnds(handler: () => void): void {
  onSessionEnded = handler;
}

const session: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && request.method !== 'HEAD' && csrfToken) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
  async onResponse({ request, response }) {
    const url = new URL(request.url);
    if (response.status === 401 && !(url.pathname === '/api/session' && request.method === 'POST') && url.pathname !== '/api/me') onSessionEnded?.();
    return response;
  },
};

/**
 * Conditional GETs: the server tags each GET answer with an ETag (server/etag.ts); the next
 * poll of the same URL sends it as If-None-Match, and a 304 is handed to the caller as the
 * body kept from last time. A poll of an unchanged board or inbox transfers nothing.
 */
const MAX_KEPT = 50;
const kept = new Map<string, { etag: string; body: string; contentType: string }>();

export function forgetKeptAnswers(): void {
  kept.clear();
}

const conditional: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET') return request;
    const hit = kept.get(request.url);
    if (hit) request.headers.set('if-none-match', hit.etag);
    return request;
  },
  async onResponse({ request, response }) {
    if (request.method !== 'GET') return response;
    if (response.status === 304) {
      const hit = kept.get(request.url);
      if (hit) return new Response(hit.body, { status: 200, headers: { 'content-type': hit.contentType, etag: hit.etag } });
      return response;
    }
    const etag = response.headers.get('etag');
    if (response.status === 200 && etag) {
      kept.delete(request.url);
      kept.set(request.url, { etag, body: await response.clone().text(), contentType: response.headers.get('content-type') ?? 'application/json' });
      // The oldest first out: a Map keeps insertion order.
      if (kept.size > MAX_KEPT) kept.delete(kept.keys().next().value!);
    }
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: '' });
api.use(session);
api.use(conditional);

/** A refusal from the server (problem JSON), or a network failure worded as one. */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
  get status(): number {
    return this.problem.status;
  }
  /** The message for one field (dotted path such as `lines.0.unitPrice`), if the server named it. */
  fieldMessage(field: string): string | undefined {
    return this.problem.errors?.find((e) => e.field === field)?.message;
  }
}

function asProblem(error: unknown, response: Response | undefined): Problem {
  if (error && typeof error === 'object' && 'detail' in error && 'status' in error) return error as Problem;
  const status = response?.status ?? 0;
  return { type: 'about:blank', title: 'Request failed', status, detail: status ? `the server answered ${status}` : 'the server could not be reached; check the connection and try again' };
}

/** Unwraps an openapi-fetch answer: its data, or an ApiError carrying the server's problem. */
export async function ok<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await pending;
  } catch {
    throw new ApiError(asProblem(undefined, undefined));
  }
  if (result.error !== undefined || !result.response.ok) throw new ApiError(asProblem(result.error, result.response));
  return result.data as T;
}
