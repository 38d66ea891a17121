import { CampaignClient } from '../../client/campaign/campaignClient';
import { OpsClient } from '../../client/process/opsClient';
import { createUser } from '../../db/accounts';
import type { Role } from '../../domain/accounts/accounts';
import { buildServer, type App, type ServerDeps } from '../../server/app';
import type { TestDatabase } from './database';
import { startDevServerStack, type TestStack } from './temporal';

/**
 * The salesflow server in-process on a free loopback port, over a real worker on the run's
 * dev server, a real SMTP sink and a fresh database of the file's own; requests go over
 * real HTTP (fetch).
 */

export interface ServerHarness {
  url: string;
  app: App;
  stack: TestStack & { close(): Promise<void> };
  database: TestDatabase;
  close(): Promise<void>;
}

export const UNSUBSCRIBE_SECRET = 'test-unsubscribe-secret-0123456789';

export async function startServer(options: Partial<ServerDeps> & { reporting?: boolean } = {}): Promise<ServerHarness> {
  // The worker feeds the reporting read model into the stack's database, which the server serves.
  const { reporting: _reporting, ...deps } = options;
  void _reporting;
  const stack = await startDevServerStack();
  const served = await serveStack(stack, deps);
  return {
    ...served,
    stack,
    async close() {
      await served.close();
      await stack.close();
    },
  };
}

/**
 * The salesflow server over a stack a test file started itself (its own sink, faults, data
 * dir), on the stack's database: the worker stores quotation documents where the server
 * reads them. The stack drops the database when it closes.
 */
export async function serveStack(stack: TestStack, options: Partial<ServerDeps> = {}): Promise<{ url: string; app: App; database: TestDatabase; close(): Promise<void> }> {
  const database = stack.database;
  const app = await buildServer({
    db: database.db,
    sales: stack.client,
    ops: new OpsClient(stack.client),
    campaigns: CampaignClient.fromClient(stack.raw, stack.config),
    unsubscribeSecret: UNSUBSCRIBE_SECRET,
    secureCookies: false,
    logger: false,
    ...options,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    database,
    async close() {
      await app.close();
    },
  };
}

export interface Credentials {
  /** A session (cookie + CSRF token) or an API token. */
  cookie?: string;
  csrf?: string;
  token?: string;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
  contentType: string;
}

export async function call(
  base: string,
  method: string,
  path: string,
  options: { as?: Credentials; body?: unknown; raw?: string; headers?: Record<string, string>; csrf?: boolean } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined || options.raw !== undefined) headers['content-type'] ??= 'application/json';
  if (options.as?.token) headers.authorization = `Bearer ${options.as.token}`;
  if (options.as?.cookie) {
    headers.cookie = options.as.cookie;
    if (options.csrf !== false && options.as.csrf) headers['x-csrf-token'] = options.as.csrf;
  }
  const res = await fetch(base + path, { method, headers, body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // an HTML page or plain text
  }
  return { status: res.status, headers: res.headers, body, contentType: res.headers.get('content-type') ?? '' };
}

export async function login(base: string, loginName: string, password: string): Promise<Credentials & { answer: Answer }> {
  const answer = await call(base, 'POST', '/api/session', { body: { login: loginName, password } });
  const setCookie = answer.headers.get('set-cookie') ?? '';
  return { cookie: setCookie.split(';')[0], csrf: answer.body?.csrfToken, answer };
}

export const PASSWORD = 'correct horse battery staple';

/** Creates the account straight in the database (as `salesflow admin create-user` does) and logs in. */
export async function accountFor(h: ServerHarness, loginName: string, role: Role, extra: { personId?: string; team?: string } = {}): Promise<Credentials> {
  await createUser(h.database.db, { login: loginName, role, password: PASSWORD, ...extra });
  const session = await login(h.url, loginName, PASSWORD);
  if (session.answer.status !== 200) throw new Error(`login ${loginName}: ${JSON.stringify(session.answer.body)}`);
  return session;
}

/**
 * The two teams the API and web tests' processes share: north (manager nina; reps ravi and
 * rita) and south (manager sven; rep sam).
 */
export const NORTH_SOUTH_TEAMS = [
  { name: 'north', manager: { id: 'nina', email: 'nina@sales.test' }, reps: [{ id: 'ravi', email: 'ravi@sales.test' }, { id: 'rita', email: 'rita@sales.test' }] },
  { name: 'south', manager: { id: 'sven', email: 'sven@sales.test' }, reps: [{ id: 'sam', email: 'sam@sales.test' }] },
];

/** A process of those two teams, named for its test file, with a month's quotation policy. */
export function northSouthProcess(name: string) {
  return { name, version: 1, teams: NORTH_SOUTH_TEAMS, quotePolicy: { validity: '30d', staleAfter: '3d', escalateAfter: '7d' } };
}

/** A POST that must succeed: its body, or an error naming the path and the answer. */
export async function postOk(base: string, as: Credentials, path: string, body: unknown): Promise<any> {
  const r = await call(base, 'POST', path, { as, body });
  if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
