import { sql } from 'kysely';
import {
  appendAudit,
  changePassword,
  createApiToken,
  createSession,
  createUser,
  deleteExpiredSessions,
  deleteSession,
  disableUser,
  findApiToken,
  findSession,
  findUserByLogin,
  getIdempotentResponse,
  listApiTokens,
  listAudit,
  listUsers,
  putIdempotentResponse,
  revokeApiToken,
  touchSession,
  verifyLogin,
} from '../../db/accounts';
import { migrateToLatest, MIGRATIONS } from '../../db/migrations';
import { secretHash } from '../../db/passwords';
import { freshDatabase, type TestDatabase } from '../helpers/database';

/** The account store against the run's real PostgreSQL, in a database of this file's own. */

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase({ migrate: false });
});
afterAll(async () => {
  await t?.drop();
});

const PASSWORD = 'correct horse battery';

test('migrations create the tables once; running them again applies nothing', async () => {
  const first = await migrateToLatest(t.db);
  expect(first.map((r) => [r.migrationName, r.status])).toEqual(Object.keys(MIGRATIONS).map((name) => [name, 'Success']));
  expect(Object.keys(MIGRATIONS)).toEqual(expect.arrayContaining(['001_accounts', '002_documents_inbound', '003_rate_limits']));
  expect(await migrateToLatest(t.db)).toEqual([]);
  const { rows } = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public' order by table_name`.execute(t.db);
  expect(rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(['api_tokens', 'audit_log', 'idempotency_keys', 'sessions', 'users', 'quotation_documents', 'inbound_mail']));
});

test('a user is stored with an scrypt hash, never the password, and logs in only with the right one', async () => {
  const user = await createUser(t.db, { login: 'Alice', role: 'rep', personId: 'alice', team: 'north', displayName: 'Alice Adams', password: PASSWORD });
  expect(user).toMatchObject({ login: 'alice', role: 'rep', personId: 'alice', team: 'north', disabledAt: null });

  const { password_hash } = await t.db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow();
  expect(password_hash).not.toContain(PASSWORD);
  expect(password_hash).toMatch(/^scrypt\$N=32768,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);

  expect(await verifyLogin(t.db, 'alice', PASSWORD)).toMatchObject({ id: user.id });
  expect(await verifyLogin(t.db, 'ALICE', PASSWORD)).toMatchObject({ id: user.id });
  expect(await verifyLogin(t.db, 'alice', PASSWORD + '!')).toBeUndefined();
  expect(await verifyLogin(t.db, 'nobody', PASSWORD)).toBeUndefined();
  expect(await findUserByLogin(t.db, 'alice')).toMatchObject({ id: user.id });
});

test('two users with the same password get different hashes (per-user salt)', async () => {
  await createUser(t.db, { login: 'salt-a', role: 'ops', password: PASSWORD });
  await createUser(t.db, { login: 'salt-b', role: 'ops', password: PASSWORD });
  const rows = await t.db.selectFrom('users').select('password_hash').where('login', 'in', ['salt-a', 'salt-b']).execute();
  expect(rows[0].password_hash).not.toBe(rows[1].password_hash);
});

test('bad input is refused with the field and the rule, and stores nothing', async () => {
  const before = (await listUsers(t.db)).length;
  await expect(createUser(t.db, { login: 'bob', role: 'rep', password: 'short' })).rejects.toThrow('invalid user: password: must be at least 12 characters');
  await expect(createUser(t.db, { login: 'bob', role: 'boss' as never, password: PASSWORD })).rejects.toThrow(
    'invalid user: role: must be one of admin, ops, manager, rep, support',
  );
  await expect(createUser(t.db, { login: 'alice', role: 'rep', password: PASSWORD })).rejects.toThrow('login "alice" is already taken');
  expect((await listUsers(t.db)).length).toBe(before);
});

test('the database itself refuses a role outside the list', async () => {
  await expect(
    t.db.insertInto('users').values({ login: 'raw', role: 'root' as never, password_hash: 'x' }).execute(),
  ).rejects.toThrow(/check constraint/);
});

test('a password change replaces the hash and ends the sessions', async () => {
  const user = await createUser(t.db, { login: 'carol', role: 'manager', team: 'north', password: PASSWORD });
  const session = await createSession(t.db, user.id, 60_000);
  await changePassword(t.db, user.id, 'another long password');
  expect(await verifyLogin(t.db, 'carol', PASSWORD)).toBeUndefined();
  expect(await verifyLogin(t.db, 'carol', 'another long password')).toMatchObject({ id: user.id });
  expect(await findSession(t.db, session.token)).toBeUndefined();
  await expect(changePassword(t.db, user.id, 'too short')).rejects.toThrow('password: must be at least 12 characters');
});

test('sessions: only the token hash is stored; expired, deleted and disabled-account sessions are refused', async () => {
  const user = await createUser(t.db, { login: 'dave', role: 'support', password: PASSWORD });
  const now = new Date();
  const session = await createSession(t.db, user.id, 60 * 60_000, now);
  const stored = await t.db.selectFrom('sessions').selectAll().where('user_id', '=', user.id).execute();
  expect(stored).toHaveLength(1);
  expect(stored[0].token_hash).toBe(secretHash(session.token));
  expect(JSON.stringify(stored)).not.toContain(session.token);

  expect(await findSession(t.db, session.token)).toMatchObject({ account: { id: user.id }, csrfSecret: session.csrfSecret });
  expect(await findSession(t.db, session.token + 'x')).toBeUndefined();
  expect(await findSession(t.db, session.token, new Date(now.getTime() + 61 * 60_000))).toBeUndefined();

  const later = new Date(now.getTime() + 30 * 60_000);
  await touchSession(t.db, session.token, later, new Date(later.getTime() + 60 * 60_000));
  expect(await findSession(t.db, session.token, new Date(now.getTime() + 61 * 60_000))).toBeDefined();

  const expired = await createSession(t.db, user.id, -1);
  expect(await findSession(t.db, expired.token)).toBeUndefined();
  expect(await deleteExpiredSessions(t.db)).toBeGreaterThanOrEqual(1);
  expect(await t.db.selectFrom('sessions').select('token_hash').where('token_hash', '=', secretHash(expired.token)).executeTakeFirst()).toBeUndefined();

  await deleteSession(t.db, session.token);
  expect(await findSession(t.db, session.token)).toBeUndefined();

  const again = await createSession(t.db, user.id, 60_000);
  await disableUser(t.db, user.id);
  expect(await findSession(t.db, again.token)).toBeUndefined();
  expect(await verifyLogin(t.db, 'dave', PASSWORD)).toBeUndefined();
});

test('API tokens: shown once, stored hashed, listed without the secret, refused once revoked', async () => {
  const user = await createUser(t.db, { login: 'erp', role: 'ops', password: PASSWORD });
  const { token, info } = await createApiToken(t.db, user.id, { name: 'ERP sync', role: 'rep' });
  expect(token).toMatch(/^sft_/);
  const rows = await t.db.selectFrom('api_tokens').selectAll().execute();
  expect(JSON.stringify(rows)).not.toContain(token);
  expect(rows.find((r) => r.id === info.id)?.token_hash).toBe(secretHash(token));

  const found = await findApiToken(t.db, token);
  expect(found).toMatchObject({ account: { id: user.id }, token: { id: info.id, role: 'rep' } });
  expect(found?.token.lastUsedAt).toBeInstanceOf(Date);
  expect(await listApiTokens(t.db, user.id)).toEqual([expect.objectContaining({ id: info.id, name: 'ERP sync', revokedAt: null })]);

  expect(await revokeApiToken(t.db, info.id)).toBe(true);
  expect(await revokeApiToken(t.db, info.id)).toBe(false);
  expect(await findApiToken(t.db, token)).toBeUndefined();
  await expect(createApiToken(t.db, user.id, { name: '', role: 'rep' })).rejects.toThrow('invalid API token: name: must not be empty');
});

test('audit entries append and list newest first, filtered by user and paged', async () => {
  const user = await createUser(t.db, { login: 'auditor', role: 'admin', password: PASSWORD });
  const first = await appendAudit(t.db, { userId: user.id, action: 'prospect.create', target: 'acme', detail: { rep: 'alice' }, requestId: 'req-1' });
  const second = await appendAudit(t.db, { userId: user.id, action: 'prospect.qualify', target: 'acme' });
  await appendAudit(t.db, { userId: null, action: 'login.failed', detail: { login: 'ghost' } });

  const mine = await listAudit(t.db, { userId: user.id });
  expect(mine.map((e) => e.action)).toEqual(['prospect.qualify', 'prospect.create']);
  expect(mine[1]).toMatchObject({ target: 'acme', detail: { rep: 'alice' }, requestId: 'req-1' });
  expect(await listAudit(t.db, { userId: user.id, before: second.id })).toEqual([expect.objectContaining({ id: first.id })]);
  expect((await listAudit(t.db, { limit: 1 }))[0].action).toBe('login.failed');
});

test('an idempotency key is unique per user: the first response is kept, another user has their own', async () => {
  const a = await createUser(t.db, { login: 'idem-a', role: 'rep', password: PASSWORD });
  const b = await createUser(t.db, { login: 'idem-b', role: 'rep', password: PASSWORD });
  expect(await getIdempotentResponse(t.db, a.id, 'k1')).toBeUndefined();

  const first = await putIdempotentResponse(t.db, a.id, 'k1', { requestHash: 'h1', status: 201, body: { created: true } });
  expect(first).toMatchObject({ stored: true, response: { status: 201, body: { created: true } } });
  const retry = await putIdempotentResponse(t.db, a.id, 'k1', { requestHash: 'h1', status: 409, body: { created: false } });
  expect(retry).toMatchObject({ stored: false, response: { requestHash: 'h1', status: 201, body: { created: true } } });

  expect(await putIdempotentResponse(t.db, b.id, 'k1', { requestHash: 'h2', status: 200, body: null })).toMatchObject({ stored: true });
  await expect(
    t.db.insertInto('idempotency_keys').values({ user_id: a.id, key: 'k1', request_hash: 'h3', response_status: 200, response_body: '{}' }).execute(),
  ).rejects.toThrow(/duplicate key/);
});
