import SwaggerParser from '@apidevtools/swagger-parser';
import { prospectWorkflowId } from '../../domain/pipeline/prospect';
import { createUser, listAudit } from '../../db/accounts';
import { PROSPECT_COMMAND_PATHS } from '../../server/prospectRoutes';
import { purgeExpired } from '../../db/housekeeping';
import { CUSTOMER_COMMAND_PATHS } from '../../server/customerRoutes';
import { CampaignClient } from '../../client/campaign/campaignClient';
import { eventually } from '../helpers/eventually';
import { OpsClient } from '../../client/process/opsClient';
import { openDatabase } from '../../db/database';
import { buildServer, LOG_REDACT } from '../../server/app';
import { signUnsubscribeToken } from '../../activities/campaign/unsubscribeToken';
import { accountFor, call, login, PASSWORD, startServer, UNSUBSCRIBE_SECRET, type Credentials, type ServerHarness } from '../helpers/server';
import { COMPRESSED_ENCODING } from '../../client/shared/payloadCompression';

/**
 * The HTTP API end to end: a real worker on the shared dev server, mail to the real SMTP
 * sink, accounts in a fresh PostgreSQL database, requests over real HTTP.
 */

let h: ServerHarness;
let admin: Credentials;
/** The server's JSON log lines, to check that no secret reaches them. */
const logLines: string[] = [];
beforeAll(async () => {
  h = await startServer({
    loginAttempts: 3,
    loginWindowMs: 60_000,
    logger: { level: 'info', redact: { paths: LOG_REDACT, censor: '[redacted]' }, stream: { write: (line: string) => void logLines.push(line) } },
  });
  admin = await accountFor(h, 'root', 'admin');
});
afterAll(async () => {
  await h?.close();
});

const uniq = Date.now().toString(36);

/** ravi and rita sell in north, sam in south; sue is the support desk. */
const processDefinition = {
  name: `api-${uniq}`,
  version: 1,
  teams: [
    { name: 'north', manager: { id: 'nina', email: 'nina@sales.test' }, reps: [{ id: 'ravi', email: 'ravi@sales.test' }, { id: 'rita', email: 'rita@sales.test' }] },
    { name: 'south', manager: { id: 'sven', email: 'sven@sales.test' }, reps: [{ id: 'sam', email: 'sam@sales.test' }] },
    { name: 'desk', manager: { id: 'sally', email: 'sally@sales.test' }, reps: [{ id: 'sue', email: 'sue@sales.test' }] },
  ],
  support: { team: 'desk', answerWithin: '4h', escalateAfter: '4h' },
  quotePolicy: { validity: '30d', staleAfter: '3d', escalateAfter: '7d', followUpDueIn: '1d' },
};

test('the OpenAPI document validates and lists every route; /api/docs is served from the package', async () => {
  const doc = await call(h.url, 'GET', '/api/openapi.json');
  expect(doc.status).toBe(200);
  expect(doc.body.openapi).toBe('3.1.0');
  await SwaggerParser.validate(structuredClone(doc.body));
  const paths = Object.keys(doc.body.paths);
  const expected = [
    '/api/health',
    '/api/inbound',
    '/api/session',
    '/api/me',
    '/api/me/password',
    '/api/tokens',
    '/api/tokens/{id}',
    '/api/users',
    '/api/users/{id}',
    '/api/users/{id}/disable',
    '/api/prospects',
    '/api/prospects/import/check',
    '/api/prospects/{id}/quotes/{revision}/document',
    '/api/prospects/{id}',
    ...PROSPECT_COMMAND_PATHS.map((c) => `/api/prospects/{id}/${c}`),
    '/api/tasks',
    '/api/tasks/{id}',
    '/api/tasks/{id}/complete',
    '/api/processes/validate',
    '/api/processes',
    '/api/processes/{name}',
    '/api/processes/{name}/diff',
    '/api/processes/{name}/migrate',
    '/api/campaigns/validate',
    '/api/campaigns',
    '/api/campaigns/{id}',
    '/api/campaigns/{id}/pause',
    '/api/campaigns/{id}/resume',
    '/api/campaigns/{id}/cancel',
    '/api/campaigns/{id}/state',
    '/api/campaigns/{id}/recipients/{email}',
    '/api/campaign-schedules',
    '/api/campaign-schedules/{id}',
    '/api/suppressions',
    '/api/suppressions/removals',
    '/api/suppressions/unsuppress',
    '/api/board',
    '/api/reports/funnel',
    '/api/reports/postsales',
    '/api/reports/forecast',
    '/api/reports/quotes',
    '/api/reports/activity',
    '/api/reports/campaigns',
    '/api/reports/dimensions',
    '/api/reports/rebuild',
    '/api/customers',
    '/api/renewals',
    '/api/customers/{id}',
    ...CUSTOMER_COMMAND_PATHS.map((c) => `/api/customers/{id}/${c}`),
    '/api/temporal-codec/decode',
    '/api/temporal-codec/encode',
  ];
  expect(paths.sort()).toEqual([...expected].sort());
  // The body of a command is its domain schema, without `by`, closed to unknown fields.
  const logContact = doc.body.paths['/api/prospects/{id}/log-contact'].post.requestBody.content['application/json'].schema;
  expect(Object.keys(logContact.properties)).toEqual(expect.arrayContaining(['channel', 'direction', 'note', 'at']));
  expect(logContact.properties.by).toBeUndefined();
  expect(logContact.additionalProperties).toBe(false);

  // The document declares what the server sends. Errors are problem JSON (the health check's
  // 503 is its own JSON); every route that takes a body may answer 413; reports may be CSV.
  type Operation = { requestBody?: unknown; responses: Record<string, { content?: Record<string, unknown> }> };
  const operations = Object.entries(doc.body.paths as Record<string, Record<string, Operation>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })),
  );
  const errorMedia = new Set(operations.flatMap(({ route, op }) => Object.entries(op.responses).filter(([status]) => /^[45]/.test(status) && route !== 'GET /api/health').flatMap(([, r]) => Object.keys(r.content ?? {}))));
  expect([...errorMedia]).toEqual(['application/problem+json']);
  const withBody = operations.filter(({ op }) => op.requestBody);
  expect(withBody.length).toBeGreaterThan(20);
  expect(withBody.filter(({ op }) => !op.responses['413']?.content?.['application/problem+json']).map(({ route }) => route)).toEqual([]);
  expect(withBody.filter(({ op }) => !op.responses['415']?.content?.['application/problem+json']).map(({ route }) => route)).toEqual([]);
  for (const name of ['funnel', 'forecast', 'quotes', 'activity', 'campaigns', 'postsales']) {
    expect(Object.keys(doc.body.paths[`/api/reports/${name}`].get.responses['200'].content).sort()).toEqual(['application/json', 'text/csv']);
  }
  // And what is sent is what is declared, for the route and status it came from.
  const declared = (method: string, path: string, answer: { status: number; contentType: string }) =>
    Object.keys(doc.body.paths[path][method].responses[String(answer.status)]?.content ?? {}).includes(answer.contentType.split(';')[0]!);
  const huge = await call(h.url, 'POST', '/api/prospects/x/log-contact', { as: admin, raw: JSON.stringify({ note: 'x'.repeat(2 * 1024 * 1024) }) });
  const refused = await call(h.url, 'POST', '/api/prospects/x/log-contact', { as: admin, body: { channel: 'pigeon' } });
  const csv = await call(h.url, 'GET', '/api/reports/campaigns?format=csv', { as: admin });
  const json = await call(h.url, 'GET', '/api/reports/campaigns', { as: admin });
  expect([huge.status, refused.status, csv.status, json.status]).toEqual([413, 400, 200, 200]);
  expect(huge.body.detail).toBe('the request body exceeds 1048576 bytes');
  // curl -d without a Content-Type sends a form: the answer says what to send.
  const form = await call(h.url, 'POST', '/api/prospects/x/log-contact', { as: admin, raw: 'channel=call', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect([form.status, form.body.title, form.body.detail]).toEqual([415, 'Unsupported media type', "the body's Content-Type is application/x-www-form-urlencoded: send JSON with Content-Type: application/json"]);
  expect(declared('post', '/api/prospects/{id}/log-contact', form)).toBe(true);
  // An upload route says its own limit.
  const upload = await call(h.url, 'POST', '/api/campaigns/validate', { as: admin, raw: JSON.stringify({ definition: 'x'.repeat(33 * 1024 * 1024) }) });
  expect([upload.status, upload.body.detail]).toEqual([413, 'the request body exceeds 33554432 bytes']);
  expect([declared('post', '/api/prospects/{id}/log-contact', huge), declared('post', '/api/prospects/{id}/log-contact', refused)]).toEqual([true, true]);
  expect([declared('get', '/api/reports/campaigns', csv), declared('get', '/api/reports/campaigns', json)]).toEqual([true, true]);

  const docs = await call(h.url, 'GET', '/api/docs/static/index.html');
  expect(docs.status).toBe(200);
  expect(docs.contentType).toMatch(/text\/html/);
  expect(String(docs.body)).not.toMatch(/https?:\/\/(unpkg|cdn)/);
});

test('health reports Temporal and the database; security headers are set and CORS is closed', async () => {
  const health = await call(h.url, 'GET', '/api/health', { headers: { origin: 'https://evil.test' } });
  expect(health.status).toBe(200);
  expect(health.body).toEqual({ status: 'ok', temporal: { ok: true }, database: { ok: true } });
  expect(health.headers.get('x-content-type-options')).toBe('nosniff');
  expect(health.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
  expect(health.headers.get('access-control-allow-origin')).toBeNull();
});

test('health answers 503 naming the database when it is out of reach', async () => {
  const db = openDatabase('postgres://salesflow:x@127.0.0.1:9/salesflow', { maxConnections: 1 });
  const app = await buildServer({
    db,
    sales: h.stack.client,
    ops: new OpsClient(h.stack.client),
    campaigns: CampaignClient.fromClient(h.stack.raw, h.stack.config),
    unsubscribeSecret: 'x'.repeat(32),
    secureCookies: false,
    logger: false,
  });
  try {
    const res = await app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'unavailable', temporal: { ok: true }, database: { ok: false } });
  } finally {
    await app.close();
    await db.destroy();
  }
});

test('a rep created by an admin over the API drives a prospect from contact to won over HTTP only', async () => {
  const created = await call(h.url, 'POST', '/api/users', { as: admin, body: { login: `ravi-${uniq}`, role: 'rep', personId: 'ravi', password: PASSWORD } });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ login: `ravi-${uniq}`, role: 'rep', personId: 'ravi' });
  const rep = await login(h.url, `ravi-${uniq}`, PASSWORD);
  expect(rep.answer.status).toBe(200);
  expect(rep.cookie).toMatch(/^salesflow_session=/);
  expect(rep.answer.headers.get('set-cookie')).toMatch(/HttpOnly/);
  expect(rep.answer.headers.get('set-cookie')).toMatch(/SameSite=Lax/);

  const id = `won-${uniq}`;
  const post = async (path: string, body: unknown) => {
    const r = await call(h.url, 'POST', path, { as: rep, body });
    if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const start = await post('/api/prospects', { id, name: 'Wendy Winner', company: 'Win Ltd', email: 'wendy@win.test', definition: processDefinition });
  expect(start).toMatchObject({ created: true, prospect: { info: { id, rep: 'ravi' }, stage: 'contact' } });
  const contacted = await post(`/api/prospects/${id}/log-contact`, { channel: 'visit', note: 'met at fair' });
  // `by` is the logged-in account's person id, never a client's string.
  expect(contacted.contacts[0]).toMatchObject({ channel: 'visit', by: 'ravi' });
  await post(`/api/prospects/${id}/qualify`, { answers: { budget: 5000, authority: 'CEO' }, outcome: 'qualified' });
  await post(`/api/prospects/${id}/create-inquiry`, { items: [{ product: 'PUMP-X', quantity: 2, wantedDeliveryDate: '2027-01-15' }] });
  await post(`/api/prospects/${id}/create-quote`, { lines: [{ product: 'PUMP-X', quantity: 2, unitPrice: '1999.99' }] });
  await post(`/api/prospects/${id}/send-quote`, {});
  await h.stack.sink.waitFor((m) => m.messageId === `<${prospectWorkflowId(id)}.quote-r1-sent@salesflow.invalid>`);
  const won = await post(`/api/prospects/${id}/accept-quote`, {});
  expect(won.stage).toBe('won');

  const shown = await call(h.url, 'GET', `/api/prospects/${id}`, { as: rep });
  expect(shown.body.stage).toBe('won');
  // Every write is in the audit log with the account that made it.
  const repId = created.body.id as string;
  const audit = await listAudit(h.database.db, { userId: repId });
  expect(audit.map((a) => a.action)).toEqual(
    expect.arrayContaining(['POST /api/prospects', 'POST /api/prospects/:id/log-contact', 'POST /api/prospects/:id/accept-quote']),
  );
});

test('the role matrix over HTTP: each role reads, commands and publishes as its rules say', async () => {
  const id = `matrix-${uniq}`;
  const made = await call(h.url, 'POST', '/api/prospects', { as: admin, body: { id, name: 'Mat Rix', rep: 'ravi', definition: processDefinition } });
  expect(made.status).toBe(201);
  const roles = {
    admin,
    ops: await accountFor(h, `ops-${uniq}`, 'ops'),
    manager: await accountFor(h, `nina-${uniq}`, 'manager', { personId: 'nina', team: 'north' }),
    otherManager: await accountFor(h, `sven-${uniq}`, 'manager', { personId: 'sven', team: 'south' }),
    rep: await accountFor(h, `ravi2-${uniq}`, 'rep', { personId: 'ravi' }),
    otherRep: await accountFor(h, `rita-${uniq}`, 'rep', { personId: 'rita' }),
    support: await accountFor(h, `sue-${uniq}`, 'support', { personId: 'sue' }),
  };
  // [read, log a contact, open a support query, publish a process]; a prospect one may not see is 404.
  const expected: Record<keyof typeof roles, [number, number, number, number]> = {
    admin: [200, 200, 200, 201],
    ops: [200, 200, 200, 201],
    manager: [200, 200, 200, 403],
    otherManager: [404, 404, 404, 403],
    rep: [200, 200, 200, 403],
    otherRep: [404, 404, 404, 403],
    support: [200, 403, 200, 403],
  };
  const actual: Record<string, number[]> = {};
  for (const [role, as] of Object.entries(roles)) {
    const read = await call(h.url, 'GET', `/api/prospects/${id}`, { as });
    const command = await call(h.url, 'POST', `/api/prospects/${id}/log-contact`, { as, body: { channel: 'call', note: role } });
    const support = await call(h.url, 'POST', `/api/prospects/${id}/open-support-query`, { as, body: { topic: 'delivery', question: `from ${role}` } });
    const publish = await call(h.url, 'POST', '/api/processes', { as, body: { definition: { ...processDefinition, name: `pub-${uniq}-${role}` } } });
    actual[role] = [read.status, command.status, support.status, publish.status];
    for (const r of [read, command, support, publish]) if (r.status >= 400) expect(r.contentType).toMatch(/application\/problem\+json/);
  }
  expect(actual).toEqual(expected);

  // Lists are filtered to what one may see: the other rep's list does not show ravi's prospect.
  const ritaList = await call(h.url, 'GET', `/api/prospects?rep=ravi`, { as: roles.otherRep });
  expect(ritaList.body.prospects).toEqual([]);
  // Only what was allowed changed: the refused commands logged nothing.
  const state = await call(h.url, 'GET', `/api/prospects/${id}`, { as: admin });
  const calls = state.body.contacts.filter((c: { note: string }) => !c.note.startsWith('query '));
  expect(calls.map((c: { note: string }) => c.note).sort()).toEqual(['admin', 'manager', 'ops', 'rep'].sort());
  // Each command's `by` is the account that gave it: its person id, else its login.
  expect(new Set(calls.map((c: { by: string }) => c.by))).toEqual(new Set(['root', `ops-${uniq}`, 'nina', 'ravi']));
  expect(state.body.supportQueries).toHaveLength(5);
  // Admin-only: the user list.
  expect((await call(h.url, 'GET', '/api/users', { as: roles.ops })).status).toBe(403);
  expect((await call(h.url, 'GET', '/api/users', { as: admin })).status).toBe(200);
  // An admin gives an account a person id (its inbox, its `by`); nobody else may.
  const users = (await call(h.url, 'GET', '/api/users', { as: admin })).body as { id: string; login: string }[];
  const opsId = users.find((u) => u.login === `ops-${uniq}`)!.id;
  expect((await call(h.url, 'PATCH', `/api/users/${opsId}`, { as: roles.ops, body: { personId: 'sue' } })).status).toBe(403);
  const patched = await call(h.url, 'PATCH', `/api/users/${opsId}`, { as: admin, body: { personId: 'sue', team: 'desk' } });
  expect(patched).toMatchObject({ status: 200, body: { login: `ops-${uniq}`, role: 'ops', personId: 'sue', team: 'desk' } });
  expect((await call(h.url, 'GET', '/api/me', { as: roles.ops })).body.account).toMatchObject({ personId: 'sue', team: 'desk' });
  expect((await call(h.url, 'PATCH', `/api/users/${opsId}`, { as: admin, body: { personId: null, team: null } })).body).toMatchObject({ personId: null, team: null });
  // An account that would see nothing is said so when made, and in the list: not refused (a
  // process naming the team may come later).
  const typo = await call(h.url, 'POST', '/api/users', { as: admin, body: { login: `mgr-typo-${uniq}`, role: 'manager', team: 'sout' } });
  expect(typo.status).toBe(201);
  expect(typo.body.warnings).toEqual([expect.stringMatching(/^team "sout" is in no published process \(teams: .*\bsales\b.*\)$/)]);
  const noPerson = await call(h.url, 'POST', '/api/users', { as: admin, body: { login: `rep-none-${uniq}`, role: 'rep' } });
  expect(noPerson.body.warnings).toEqual(['a rep without a person id sees no prospects or tasks: set the id they have in the process']);
  const listed = (await call(h.url, 'GET', '/api/users', { as: admin })).body as { login: string; warnings: string[] }[];
  expect(listed.find((u) => u.login === `rep-none-${uniq}`)!.warnings).toHaveLength(1);
  expect(listed.find((u) => u.login === 'root')!.warnings).toEqual([]);
  const empty = await call(h.url, 'PATCH', `/api/users/${opsId}`, { as: admin, body: {} });
  expect(empty.status).toBe(400);
  expect(JSON.stringify(empty.body)).toContain('say what to change: personId, team or displayName');
  expect((await call(h.url, 'PATCH', `/api/users/${opsId}`, { as: admin, body: { role: 'admin' } })).status).toBe(400);
  expect((await call(h.url, 'GET', '/api/me', { as: roles.ops })).body.role).toBe('ops');
  expect((await call(h.url, 'PATCH', '/api/users/00000000-0000-4000-8000-000000000000', { as: admin, body: { personId: 'x' } })).status).toBe(404);
});

test('login, logout, password change, CSRF, token revocation and the login rate limit', async () => {
  const me = await accountFor(h, `lou-${uniq}`, 'rep', { personId: 'ravi' });
  const who = await call(h.url, 'GET', '/api/me', { as: me });
  expect(who.body).toMatchObject({ account: { login: `lou-${uniq}`, role: 'rep' }, via: 'session', csrfToken: me.csrf });

  // A cookie-authenticated write without the CSRF header is refused and changes nothing.
  const noCsrf = await call(h.url, 'POST', '/api/tokens', { as: me, body: { name: 'ci' }, csrf: false });
  expect(noCsrf.status).toBe(403);
  expect(noCsrf.body).toMatchObject({ type: expect.stringMatching(/csrf$/), status: 403 });
  expect((await call(h.url, 'GET', '/api/tokens', { as: me })).body).toEqual([]);

  // An API token: shown once, works as Bearer, listed without its secret, revoked → 401.
  const made = await call(h.url, 'POST', '/api/tokens', { as: me, body: { name: 'ci' } });
  expect(made.status).toBe(201);
  const token = made.body.token as string;
  expect(token).toMatch(/^sft_/);
  const viaToken = await call(h.url, 'GET', '/api/me', { as: { token } });
  expect(viaToken.body).toMatchObject({ via: 'token', account: { login: `lou-${uniq}` } });
  // A token needs no CSRF header (browsers never send it on their own).
  expect((await call(h.url, 'POST', '/api/tokens', { as: { token }, body: { name: 'second' } })).status).toBe(201);
  const listed = await call(h.url, 'GET', '/api/tokens', { as: me });
  expect(JSON.stringify(listed.body)).not.toContain(token);
  expect((await call(h.url, 'POST', '/api/tokens', { as: me, body: { name: 'admin-please', role: 'admin' } })).status).toBe(403);
  expect((await call(h.url, 'DELETE', `/api/tokens/${made.body.info.id}`, { as: me })).status).toBe(204);
  const revoked = await call(h.url, 'GET', '/api/me', { as: { token } });
  expect(revoked.status).toBe(401);
  expect(revoked.contentType).toMatch(/application\/problem\+json/);

  // Password change ends the sessions; the new password logs in.
  const changed = await call(h.url, 'POST', '/api/me/password', { as: me, body: { currentPassword: PASSWORD, newPassword: 'another long passphrase' } });
  expect(changed.status).toBe(204);
  expect((await call(h.url, 'GET', '/api/me', { as: me })).status).toBe(401);
  const again = await login(h.url, `lou-${uniq}`, 'another long passphrase');
  expect(again.answer.status).toBe(200);
  // Only failures count toward the limit (three here): a person logging in again and again
  // (tabs, mail links) is not refused, and a success starts the count of failures afresh.
  expect((await login(h.url, `lou-${uniq}`, 'a wrong one!!')).answer.status).toBe(401);
  expect((await login(h.url, `lou-${uniq}`, 'a wrong two!!')).answer.status).toBe(401);
  for (let i = 0; i < 4; i++) expect((await login(h.url, `lou-${uniq}`, 'another long passphrase')).answer.status).toBe(200);
  expect((await login(h.url, `lou-${uniq}`, 'a wrong three!')).answer.status).toBe(401);
  // Logout ends the session.
  expect((await call(h.url, 'DELETE', '/api/session', { as: again })).status).toBe(204);
  expect((await call(h.url, 'GET', '/api/me', { as: again })).status).toBe(401);

  // Three attempts per IP and login a minute in this server: the fourth is 429.
  const target = `victim-${uniq}`;
  const attempts = [];
  for (let i = 0; i < 4; i++) attempts.push((await login(h.url, target, `wrong password ${i}!!`)).answer);
  expect(attempts.map((a) => a.status)).toEqual([401, 401, 401, 429]);
  expect(attempts[3]!.contentType).toMatch(/application\/problem\+json/);

  // The count is in the database: a second server process (or this one restarted) goes on
  // counting, so a guesser gains nothing by reaching another one.
  const second = await buildServer({
    db: h.database.db,
    sales: h.stack.client,
    ops: new OpsClient(h.stack.client),
    campaigns: CampaignClient.fromClient(h.stack.raw, h.stack.config),
    unsubscribeSecret: 'x'.repeat(32),
    secureCookies: false,
    loginAttempts: 3,
    loginWindowMs: 60_000,
    logger: false,
  });
  try {
    const elsewhere = await second.inject({ method: 'POST', url: '/api/session', payload: { login: target, password: 'wrong password 5!!' } });
    expect(elsewhere.statusCode).toBe(429);
    // Another login from the same address is its own count.
    const other = await second.inject({ method: 'POST', url: '/api/session', payload: { login: `other-${uniq}`, password: 'wrong password 6!!' } });
    expect(other.statusCode).toBe(401);
  } finally {
    await second.close();
  }
});

test('expired sessions, old idempotency keys and closed rate-limit windows are purged; live ones stay', async () => {
  const db = h.database.db;
  const user = await createUser(db, { login: `purge-${uniq}`, role: 'rep', password: PASSWORD });
  const now = new Date();
  const ago = (ms: number) => new Date(now.getTime() - ms);
  await db
    .insertInto('sessions')
    .values([
      { token_hash: `dead-${uniq}`, user_id: user.id, expires_at: ago(1000), last_seen_at: ago(2000), csrf_secret: 'x' },
      { token_hash: `live-${uniq}`, user_id: user.id, expires_at: new Date(now.getTime() + 3_600_000), last_seen_at: now, csrf_secret: 'x' },
    ])
    .execute();
  await db
    .insertInto('idempotency_keys')
    .values([
      { user_id: user.id, key: 'old', request_hash: 'h', response_status: 200, response_body: '{}', created_at: ago(25 * 3_600_000) },
      { user_id: user.id, key: 'new', request_hash: 'h', response_status: 200, response_body: '{}', created_at: ago(60_000) },
    ])
    .execute();
  await db
    .insertInto('rate_limits')
    .values([
      { key: `closed-${uniq}`, count: 9, window_start: ago(120_000) },
      { key: `open-${uniq}`, count: 2, window_start: now },
    ])
    .execute();
  const report = await purgeExpired(db, now, 60_000);
  expect(report.sessions).toBeGreaterThanOrEqual(1);
  expect(report.idempotencyKeys).toBeGreaterThanOrEqual(1);
  expect(report.rateLimits).toBeGreaterThanOrEqual(1);
  const sessions = await db.selectFrom('sessions').select('token_hash').where('user_id', '=', user.id).execute();
  expect(sessions.map((r) => r.token_hash)).toEqual([`live-${uniq}`]);
  const keys = await db.selectFrom('idempotency_keys').select('key').where('user_id', '=', user.id).execute();
  expect(keys.map((r) => r.key)).toEqual(['new']);
  const limits = await db.selectFrom('rate_limits').select('key').where('key', 'in', [`closed-${uniq}`, `open-${uniq}`]).execute();
  expect(limits.map((r) => r.key)).toEqual([`open-${uniq}`]);
});

test('lists page by token: every row once across pages of `limit`; a token that is not one is refused', async () => {
  const rep = `pager-${uniq}`;
  const definition = { ...processDefinition, name: `pager-${uniq}`, teams: [{ name: 'north', manager: { id: 'nina', email: 'nina@sales.test' }, reps: [{ id: rep, email: 'p@sales.test' }] }], support: undefined };
  const ids = [1, 2, 3, 4, 5].map((n) => `page-${uniq}-${n}`);
  for (const id of ids) expect((await call(h.url, 'POST', '/api/prospects', { as: admin, body: { id, name: id, rep, definition } })).status).toBe(201);
  const pages = await eventually(async () => {
    const got: string[][] = [];
    let token: string | undefined;
    do {
      const page = await call(h.url, 'GET', `/api/prospects?rep=${rep}&limit=2${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`, { as: admin });
      expect(page.status).toBe(200);
      got.push(page.body.prospects.map((p: { id: string }) => p.id));
      token = page.body.nextPageToken;
    } while (token);
    if (got.flat().length < ids.length) throw new Error(`visibility shows ${got.flat().length} of ${ids.length} yet`);
    return got;
  });
  expect(pages.every((p) => p.length <= 2)).toBe(true);
  expect(pages.length).toBeGreaterThanOrEqual(3);
  expect(pages.flat().sort()).toEqual([...ids].sort());

  const bad = await call(h.url, 'GET', `/api/prospects?rep=${rep}&pageToken=not-a-token`, { as: admin });
  expect(bad.status).toBe(422);
  expect(bad.body.detail).toBe('pageToken "not-a-token" is not a token from a previous page');
  const tooMany = await call(h.url, 'GET', '/api/prospects?limit=5000', { as: admin });
  expect(tooMany.status).toBe(400);
  expect(tooMany.body.field).toBe('limit');
});

test('a process file is checked from its YAML text: every problem with its line, nothing published', async () => {
  const yaml = ['name: yaml-' + uniq, 'teams:', '  - name: north', '    manager: { id: nina, email: not-an-email }', '    reps: []', 'quotePolicy:', '  validity: 30', ''].join('\n');
  const checked = await call(h.url, 'POST', '/api/processes/validate', { as: admin, body: { yaml } });
  expect(checked.status).toBe(422);
  expect(checked.body.type).toMatch(/invalid-definition$/);
  const lines = Object.fromEntries(checked.body.errors.map((e: { field: string; line: number }) => [e.field, e.line]));
  expect(lines['teams[0].manager.email']).toBe(4);
  expect(lines['quotePolicy.validity']).toBe(7);
  const published = await call(h.url, 'POST', '/api/processes', { as: admin, body: { yaml } });
  expect(published.status).toBe(422);
  expect((await call(h.url, 'GET', `/api/processes/yaml-${uniq}`, { as: admin })).status).toBe(404);
  const both = await call(h.url, 'POST', '/api/processes/validate', { as: admin, body: { yaml, definition: {} } });
  expect(both.status).toBe(400);
});

test('an Idempotency-Key replays the stored answer; the same key with another body is refused', async () => {
  const id = `idem-${uniq}`;
  expect((await call(h.url, 'POST', '/api/prospects', { as: admin, body: { id, name: 'Ida Em', rep: 'ravi', definition: processDefinition } })).status).toBe(201);
  const key = `key-${uniq}`;
  const send = (note: string) => call(h.url, 'POST', `/api/prospects/${id}/log-contact`, { as: admin, body: { channel: 'email', note }, headers: { 'idempotency-key': key } });
  const first = await send('once');
  const replay = await send('once');
  expect(first.status).toBe(200);
  expect(replay.status).toBe(200);
  expect(replay.headers.get('idempotent-replayed')).toBe('true');
  expect(replay.body).toEqual(first.body);
  const other = await send('a different body');
  expect(other.status).toBe(422);
  expect(other.body).toMatchObject({ type: expect.stringMatching(/idempotency-key-reused$/) });
  const state = await call(h.url, 'GET', `/api/prospects/${id}`, { as: admin });
  expect(state.body.contacts).toHaveLength(1);
});

test('bad bodies each get one problem JSON naming the field, and change nothing', async () => {
  const id = `bad-${uniq}`;
  expect((await call(h.url, 'POST', '/api/prospects', { as: admin, body: { id, name: 'Bad Body', rep: 'ravi', definition: processDefinition } })).status).toBe(201);
  const path = `/api/prospects/${id}/log-contact`;
  const wrongType = await call(h.url, 'POST', path, { as: admin, body: { channel: 5 } });
  expect(wrongType.status).toBe(400);
  expect(wrongType.body).toMatchObject({ status: 400, field: 'channel' });
  const unknownField = await call(h.url, 'POST', path, { as: admin, body: { channel: 'call', by: 'someone-else' } });
  expect(unknownField.status).toBe(400);
  expect(unknownField.body).toMatchObject({ field: 'by', detail: expect.stringMatching(/by: is not a known field/) });
  const huge = await call(h.url, 'POST', path, { as: admin, raw: JSON.stringify({ channel: 'call', note: 'x'.repeat(2 * 1024 * 1024) }) });
  expect(huge.status).toBe(413);
  const invalidJson = await call(h.url, 'POST', path, { as: admin, raw: '{"channel": "phone",' });
  expect(invalidJson.status).toBe(400);
  expect(invalidJson.body.type).toMatch(/invalid-json$/);
  // A refusal by the business rules: 422 with the message the CLI prints.
  const refused = await call(h.url, 'POST', `/api/prospects/${id}/accept-quote`, { as: admin, body: {} });
  expect(refused.status).toBe(422);
  expect(refused.body.detail).toMatch(/quot/i);
  for (const r of [wrongType, unknownField, huge, invalidJson, refused]) {
    expect(r.contentType).toMatch(/^application\/problem\+json/);
    expect(Object.keys(r.body)).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail']));
  }
  const state = await call(h.url, 'GET', `/api/prospects/${id}`, { as: admin });
  expect(state.body.contacts).toHaveLength(0);
  expect(state.body.stage).toBe('contact');
});

test('a POST that takes nothing accepts no body at all, an empty JSON body and {}; one that needs fields names them', async () => {
  // As curl sends it: a token, and no body (nor content-type) unless given.
  const token = (await call(h.url, 'POST', '/api/tokens', { as: admin, body: { name: `bare-${uniq}` } })).body.token as string;
  const as = { token };
  for (const sent of [{}, { raw: '' }, { body: {} }]) {
    const rebuilt = await call(h.url, 'POST', '/api/reports/rebuild', { as, ...sent });
    expect([rebuilt.status, rebuilt.body.detail]).toEqual([200, undefined]);
    // No such account or run: the answer is about that, not about the body.
    const disable = await call(h.url, 'POST', '/api/users/00000000-0000-4000-8000-000000000000/disable', { as, ...sent });
    expect([disable.status, disable.body.detail]).toEqual([404, 'no user 00000000-0000-4000-8000-000000000000']);
    const pause = await call(h.url, 'POST', `/api/campaigns/none-${uniq}/pause`, { as, ...sent });
    expect([pause.status, pause.body.detail]).toEqual([404, `no campaign "none-${uniq}"`]);
  }
  const id = `bare-${uniq}`;
  expect((await call(h.url, 'POST', '/api/prospects', { as, body: { id, name: 'Bea Bare', rep: 'ravi', definition: processDefinition } })).status).toBe(201);
  // A command without parameters reaches its business rule; one with required fields names them.
  const send = await call(h.url, 'POST', `/api/prospects/${id}/send-quote`, { as });
  expect([send.status, send.body.detail]).toEqual([422, (await call(h.url, 'POST', `/api/prospects/${id}/send-quote`, { as, body: {} })).body.detail]);
  const contact = await call(h.url, 'POST', `/api/prospects/${id}/log-contact`, { as });
  expect(contact).toMatchObject({ status: 400, body: { field: 'channel' } });
});

test('the unsubscribe link works on the server at its old path: GET asks, POST (one-click) suppresses', async () => {
  const email = `leave-${uniq}@example.test`;
  const token = signUnsubscribeToken(UNSUBSCRIBE_SECRET, { email, campaign: 'spring' }, Date.now() + 3_600_000);
  const ask = await call(h.url, 'GET', `/unsubscribe?token=${encodeURIComponent(token)}`);
  expect(ask.status).toBe(200);
  expect(String(ask.body)).toContain('<form method="post"');
  // A page for a phone (viewport), sending no Referer (its address has the token), and no
  // upgrade of its form post to HTTPS on a deployment served over plain HTTP.
  expect(String(ask.body)).toContain('<meta name="viewport" content="width=device-width,initial-scale=1">');
  expect(ask.headers.get('referrer-policy')).toBe('no-referrer');
  expect(ask.headers.get('content-security-policy')).not.toMatch(/upgrade-insecure-requests/);
  const done = await call(h.url, 'POST', `/unsubscribe?token=${encodeURIComponent(token)}`, { raw: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(done.status).toBe(200);
  expect(String(done.body)).toContain('will get no more campaign mail');
  const campaigns = CampaignClient.fromClient(h.stack.raw, h.stack.config);
  expect((await campaigns.suppressed()).find((e) => e.email === email)).toMatchObject({ reason: 'unsubscribed', source: 'spring' });
  // The campaigns report counts it, once however often the link is followed.
  const again = await call(h.url, 'POST', `/unsubscribe?token=${encodeURIComponent(token)}`, { raw: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(again.status).toBe(200);
  const outcomes = await h.database.db.selectFrom('report_campaign_outcomes').select(['run', 'campaign', 'outcome']).where('email', '=', email).execute();
  expect(outcomes).toEqual([{ run: 'spring', campaign: 'spring', outcome: 'unsubscribed' }]);
  const forged = await call(h.url, 'POST', `/unsubscribe?token=${encodeURIComponent(token.slice(0, -2) + 'xx')}`, { raw: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(forged.status).toBe(400);
});

test('processes and tasks over HTTP: publish, list, show, diff, migrate dry run; an inbox, a task shown and completed', async () => {
  const ops = await accountFor(h, `ops2-${uniq}`, 'ops');
  const ravi = await accountFor(h, `ravi3-${uniq}`, 'rep', { personId: 'ravi' });
  const rita = await accountFor(h, `rita3-${uniq}`, 'rep', { personId: 'rita' });
  const name = `flow-${uniq}`;
  const v1 = {
    ...processDefinition,
    name,
    tasks: { qualified: [{ kind: 'call', title: 'First call with {{name}}', due: '1d', escalateAfter: '1d' }] },
  };
  const v2 = { ...v1, version: 2, quotePolicy: { ...processDefinition.quotePolicy, validity: '10d' } };
  expect((await call(h.url, 'POST', '/api/processes/validate', { as: ravi, body: { definition: v1 } })).body).toMatchObject({ valid: true, definition: { name } });
  const invalid = await call(h.url, 'POST', '/api/processes/validate', { as: ravi, body: { definition: { ...v1, teams: [] } } });
  expect(invalid.status).toBe(422);
  expect(invalid.body.field).toBe('teams');
  expect((await call(h.url, 'POST', '/api/processes', { as: ops, body: { definition: v1 } })).status).toBe(201);
  expect((await call(h.url, 'POST', '/api/processes', { as: ops, body: { definition: v2 } })).body).toMatchObject({ version: 2 });
  const listed = await eventually(async () => {
    const r = await call(h.url, 'GET', '/api/processes', { as: ravi });
    const row = r.body.processes.find((p: { name: string }) => p.name === name);
    if (!row) throw new Error('not listed yet');
    return row;
  });
  expect(listed).toMatchObject({ name, versions: 2 });
  expect((await call(h.url, 'GET', `/api/processes/${name}?version=1`, { as: ravi })).body).toMatchObject({ version: 1, definition: { name } });
  const diff = await call(h.url, 'GET', `/api/processes/${name}/diff?from=1&to=2`, { as: ravi });
  expect(diff.body.changes).toContainEqual({ path: 'quotePolicy.validity', from: '30d', to: '10d' });
  // A version that was never published is the rule's refusal, not a server error.
  for (const path of [`/api/processes/${name}?version=5`, `/api/processes/${name}/diff?from=1&to=5`]) {
    const missing = await call(h.url, 'GET', path, { as: ravi });
    expect({ path, status: missing.status, detail: missing.body.detail }).toEqual({ path, status: 422, detail: `process "${name}" has no version 5 (1..2)` });
  }

  // A rep's prospect on the published process (v2, the latest); qualifying it makes a call task.
  const id = `flow-${uniq}`;
  const made = await call(h.url, 'POST', '/api/prospects', { as: ravi, body: { id, name: 'Flo W', process: name } });
  expect(made.body).toMatchObject({ created: true, prospect: { info: { rep: 'ravi' }, process: { name, version: 2 } } });
  await call(h.url, 'POST', `/api/prospects/${id}/qualify`, { as: ravi, body: { answers: {}, outcome: 'qualified' } });
  const task = await eventually(async () => {
    const inbox = await call(h.url, 'GET', '/api/tasks', { as: ravi });
    const row = inbox.body.tasks.find((t: { prospectId: string }) => t.prospectId === id);
    if (!row) throw new Error(`not in the inbox yet: ${JSON.stringify(inbox.body)}`);
    return row;
  });
  expect(task).toMatchObject({ kind: 'call', title: 'First call with Flo W', rep: 'ravi' });
  expect((await call(h.url, 'GET', '/api/tasks', { as: rita })).body.tasks.some((t: { prospectId: string }) => t.prospectId === id)).toBe(false);
  // An account that acts as no person (the admin) names whose inbox; the problem names the field.
  const noRep = await call(h.url, 'GET', '/api/tasks?due=today', { as: admin });
  expect(noRep).toMatchObject({ status: 422, body: { field: 'rep', detail: 'name a rep (?rep=...): this account acts as no person' } });
  expect((await call(h.url, 'GET', `/api/tasks/${task.id}`, { as: rita })).status).toBe(404);
  expect((await call(h.url, 'POST', `/api/tasks/${task.id}/complete`, { as: rita, body: { outcome: 'done' } })).status).toBe(404);
  const done = await call(h.url, 'POST', `/api/tasks/${task.id}/complete`, { as: ravi, body: { outcome: 'reached them' } });
  expect(done.status).toBe(200);
  expect((await call(h.url, 'GET', `/api/tasks/${task.id}`, { as: ravi })).body).toMatchObject({ state: 'done', outcome: 'reached them' });
  const again = await call(h.url, 'POST', `/api/tasks/${task.id}/complete`, { as: ravi, body: { outcome: 'again' } });
  expect([again.status, again.body.detail]).toEqual([422, `task ${task.id} is already done`]);

  // Migration is ops's; a dry run says what would move and changes nothing.
  expect((await call(h.url, 'POST', `/api/processes/${name}/migrate`, { as: ravi, body: { to: 1, dryRun: true } })).status).toBe(403);
  const dry = await eventually(async () => {
    const r = await call(h.url, 'POST', `/api/processes/${name}/migrate`, { as: ops, body: { to: 1, dryRun: true } });
    if (!r.body.results?.some((x: { prospectId: string }) => x.prospectId === id)) throw new Error(`not seen yet: ${JSON.stringify(r.body)}`);
    return r.body;
  });
  expect(dry.results.find((x: { prospectId: string }) => x.prospectId === id)).toMatchObject({ from: 2 });
  expect((await call(h.url, 'GET', `/api/prospects/${id}`, { as: ravi })).body.process.version).toBe(2);
});

test('campaigns and the suppression list over HTTP are ops and admin only', async () => {
  const ops = await accountFor(h, `ops3-${uniq}`, 'ops');
  const rep = await accountFor(h, `ravi4-${uniq}`, 'rep', { personId: 'ravi' });
  const id = `camp-${uniq}`;
  expect((await call(h.url, 'POST', '/api/prospects', { as: ops, body: { id, name: 'Cam Paign', email: `cam-${uniq}@customer.test`, rep: 'ravi', definition: processDefinition } })).status).toBe(201);
  const definition = { id: `offer-${uniq}`, name: 'Offer', template: { subject: 'Hello {{name}}', text: 'Dear {{name}}, an offer.' }, audience: { prospects: [id] } };
  expect((await call(h.url, 'POST', '/api/campaigns/validate', { as: rep, body: { definition } })).status).toBe(403);
  expect((await call(h.url, 'POST', '/api/campaigns', { as: rep, body: { definition } })).status).toBe(403);
  expect((await call(h.url, 'GET', '/api/suppressions', { as: rep })).status).toBe(403);
  expect((await call(h.url, 'POST', '/api/campaigns/validate', { as: ops, body: { definition } })).body).toMatchObject({ valid: true });
  const bad = await call(h.url, 'POST', '/api/campaigns/validate', { as: ops, body: { definition: { ...definition, id: 'no spaces' } } });
  expect(bad.status).toBe(422);
  expect(bad.body.field).toBe('id');
  // A template variable its CSV lacks is refused at the template's line of the YAML sent.
  const yaml = `id: city-${uniq}\nname: City offer\ntemplate:\n  subject: "Hello {{name}}"\n  text: "Delivered to {{city}}"\naudience:\n  csv: people.csv\n`;
  const noCity = await call(h.url, 'POST', '/api/campaigns/validate', { as: ops, body: { yaml, csv: 'email,name\na@x.test,A\n' } });
  expect(noCity.status).toBe(422);
  expect(noCity.body.errors).toEqual([{ field: 'template.text', line: 5, message: 'template uses {{city}} but the CSV (columns: email, name) does not provide it' }]);
  expect(noCity.body.detail).toBe('invalid campaign: line 5: template.text: template uses {{city}} but the CSV (columns: email, name) does not provide it');
  const started = await call(h.url, 'POST', '/api/campaigns', { as: ops, body: { definition } });
  expect(started.status).toBe(201);
  await h.stack.sink.waitFor((m) => m.recipients.includes(`cam-${uniq}@customer.test`) && m.subject === 'Hello Cam Paign');
  const progress = await eventually(async () => {
    const r = await call(h.url, 'GET', `/api/campaigns/${definition.id}`, { as: ops });
    if (r.body.sent !== 1) throw new Error(JSON.stringify(r.body));
    return r.body;
  });
  expect(progress).toMatchObject({ sent: 1 });

  const email = `gone-${uniq}@customer.test`;
  await CampaignClient.fromClient(h.stack.raw, h.stack.config).suppress({ email, reason: 'unsubscribed', source: 'test', detail: 'test' });
  expect((await call(h.url, 'GET', '/api/suppressions', { as: ops })).body.suppressed).toContainEqual(expect.objectContaining({ email }));
  const removed = await call(h.url, 'POST', '/api/suppressions/unsuppress', { as: ops, body: { email, reason: 'asked to be mailed again' } });
  expect(removed.status).toBe(200);
  // Who took it off is the account, not a string the client sent.
  expect(removed.body).toMatchObject({ by: `ops3-${uniq}` });
  expect((await call(h.url, 'GET', '/api/suppressions', { as: ops })).body.suppressed).not.toContainEqual(expect.objectContaining({ email }));
});

test('the JSON log has every request and no password, session cookie or token', async () => {
  const lines = logLines.map((l) => JSON.parse(l) as { req?: { url?: string }; msg?: string });
  expect(lines.some((l) => l.req?.url === '/api/session')).toBe(true);
  const text = logLines.join('\n');
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(admin.cookie!.split('=')[1]!);
  expect(text).not.toContain(admin.csrf!);
  expect(text).not.toMatch(/sft_[A-Za-z0-9_-]{10,}/);
});

test('large payloads are stored in Temporal compressed; the codec endpoint decodes them for an admin only', async () => {
  const rep = await accountFor(h, `codec-rep-${uniq}`, 'rep', { personId: 'ravi', team: 'north' });
  const id = `codec-${uniq}`;
  // A sales floor of 30 reps: the start input (info and process) is well over 1 KiB.
  const reps = Array.from({ length: 30 }, (_, i) => ({ id: `rep${i}`, email: `rep${i}@sales.test` }));
  const definition = { ...processDefinition, name: `codec-${uniq}`, teams: processDefinition.teams.map((t) => (t.name === 'north' ? { ...t, reps: [...t.reps, ...reps] } : t)) };
  expect((await call(h.url, 'POST', '/api/prospects', { as: admin, body: { id, name: 'Cora Codec', email: 'cora@codec.test', rep: 'ravi', definition } })).status).toBe(201);
  // The start input carries the process definition: over the threshold, so it is stored deflated.
  const history = await h.stack.raw.workflow.getHandle(prospectWorkflowId(id)).fetchHistory();
  const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  expect(Buffer.from(input?.metadata?.encoding ?? new Uint8Array()).toString()).toBe(COMPRESSED_ENCODING);
  const wire = { payloads: [{ metadata: { encoding: Buffer.from(input!.metadata!.encoding!).toString('base64') }, data: Buffer.from(input!.data!).toString('base64') }] };
  // A rep may not read every prospect's payloads.
  expect((await call(h.url, 'POST', '/api/temporal-codec/decode', { as: rep, body: wire })).status).toBe(403);
  const decoded = await call(h.url, 'POST', '/api/temporal-codec/decode', { as: admin, body: wire });
  expect(decoded.status).toBe(200);
  const payload = decoded.body.payloads[0];
  expect(Buffer.from(payload.metadata.encoding, 'base64').toString()).toBe('json/plain');
  const start = JSON.parse(Buffer.from(payload.data, 'base64').toString());
  expect(start.info.id).toBe(id);
  expect(start.process.name).toBe(`codec-${uniq}`);
  // Encoding it again gives a payload the decoder turns back into the same JSON.
  const again = await call(h.url, 'POST', '/api/temporal-codec/encode', { as: admin, body: decoded.body });
  const round = await call(h.url, 'POST', '/api/temporal-codec/decode', { as: admin, body: again.body });
  expect(round.body).toEqual(decoded.body);
  // Malformed input is refused by the schema, with nothing decoded.
  expect((await call(h.url, 'POST', '/api/temporal-codec/decode', { as: admin, body: { payloads: [{ data: 'not base64!' }] } })).status).toBe(400);
});
