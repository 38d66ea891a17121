import type { Selectable } from 'kysely';
import { NewApiTokenSchema, NewUserSchema, LoginSchema, PasswordSchema, type Account, type NewUser, type Role } from '../domain/accounts/accounts';
import { DomainError, parseOrThrow } from '../domain/shared/errors';
import type { SalesflowDb } from './database';
import { hashPassword, newSecret, secretHash, verifyPassword } from './passwords';
import type { ApiTokensTable, AuditLogTable, UsersTable } from './schema';

/**
 * Typed queries over accounts, sessions, API tokens, the audit log and idempotency keys.
 * Secrets (passwords, session and API tokens) never reach the database in clear: passwords
 * as scrypt hashes, tokens as SHA-256, each token returned to the caller once.
 */

function toAccount(row: Selectable<UsersTable>): Account {
  return {
    id: row.id,
    login: row.login,
    displayName: row.display_name,
    role: row.role,
    personId: row.person_id,
    team: row.team,
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
  };
}

const UNIQUE_VIOLATION = '23505';

export async function createUser(db: SalesflowDb, input: NewUser): Promise<Account> {
  const user = parseOrThrow(NewUserSchema, input, 'user');
  const passwordHash = await hashPassword(user.password);
  try {
    const row = await db
      .insertInto('users')
      .values({
        login: user.login,
        display_name: user.displayName ?? null,
        role: user.role,
        person_id: user.personId ?? null,
        team: user.team ?? null,
        password_hash: passwordHash,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toAccount(row);
  } catch (err) {
    // Named at the login field too, so the Users page marks the field that needs another value.
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw new DomainError(`login "${user.login}" is already taken`, [{ path: ['login'], message: `"${user.login}" is already taken` }]);
    throw err;
  }
}

export async function findUserByLogin(db: SalesflowDb, login: string): Promise<Account | undefined> {
  const parsed = LoginSchema.safeParse(login);
  if (!parsed.success) return undefined;
  const row = await db.selectFrom('users').selectAll().where('login', '=', parsed.data).executeTakeFirst();
  return row && toAccount(row);
}

export async function findUserById(db: SalesflowDb, id: string): Promise<Account | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toAccount(row);
}

/**
 * The account when the password is right and the account enabled, else undefined. An
 * unknown login costs as much as a wrong password, so timing does not reveal which logins exist.
 */
export async function verifyLogin(db: SalesflowDb, login: string, password: string): Promise<Account | undefined> {
  const parsed = LoginSchema.safeParse(login);
  const row = parsed.success ? await db.selectFrom('users').selectAll().where('login', '=', parsed.data).executeTakeFirst() : undefined;
  const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
  return row && ok && row.disabled_at === null ? toAccount(row) : undefined;
}

// A valid hash of a random password, verified against when the login is unknown.
const DUMMY_HASH = 'scrypt$N=32768,r=8,p=1$c2FsZXNmbG93LWR1bW15$' + Buffer.alloc(64, 1).toString('base64');

/** Sets a new password and ends the user's sessions, so a stolen cookie stops working. */
export async function changePassword(db: SalesflowDb, userId: string, newPassword: string): Promise<void> {
  const password = parseOrThrow(PasswordSchema, newPassword, 'password');
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (tx) => {
    const updated = await tx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).executeTakeFirst();
    if (updated.numUpdatedRows === 0n) throw new DomainError(`no user with id ${userId}`);
    await tx.deleteFrom('sessions').where('user_id', '=', userId).execute();
  });
}

export async function listUsers(db: SalesflowDb): Promise<Account[]> {
  const rows = await db.selectFrom('users').selectAll().orderBy('login').execute();
  return rows.map(toAccount);
}

/** Changes what an admin may change on an account (domain/accounts UserChangeSchema, parsed); undefined when there is none. */
export async function updateUser(db: SalesflowDb, userId: string, change: { personId?: string | null; team?: string | null; displayName?: string | null }): Promise<Account | undefined> {
  const set = {
    ...(change.personId !== undefined ? { person_id: change.personId } : {}),
    ...(change.team !== undefined ? { team: change.team } : {}),
    ...(change.displayName !== undefined ? { display_name: change.displayName } : {}),
  };
  const row = await db.updateTable('users').set(set).where('id', '=', userId).returningAll().executeTakeFirst();
  return row ? toAccount(row) : undefined;
}

/** Disables the account and ends its sessions; its tokens stop working too (see findApiToken). */
export async function disableUser(db: SalesflowDb, userId: string, now = new Date()): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('users').set({ disabled_at: now }).where('id', '=', userId).where('disabled_at', 'is', null).execute();
    await tx.deleteFrom('sessions').where('user_id', '=', userId).execute();
  });
}

export async function countUsers(db: SalesflowDb): Promise<number> {
  const { n } = await db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(n);
}

// Sessions

export interface NewSession {
  /** The cookie value: handed out once, only its hash is stored. */
  token: string;
  csrfSecret: string;
  expiresAt: Date;
}

export async function createSession(db: SalesflowDb, userId: string, ttlMs: number, now = new Date()): Promise<NewSession> {
  const token = newSecret();
  const csrfSecret = newSecret();
  const expiresAt = new Date(now.getTime() + ttlMs);
  await db
    .insertInto('sessions')
    .values({ token_hash: secretHash(token), user_id: userId, created_at: now, expires_at: expiresAt, last_seen_at: now, csrf_secret: csrfSecret })
    .execute();
  return { token, csrfSecret, expiresAt };
}

export interface ActiveSession {
  account: Account;
  csrfSecret: string;
  expiresAt: Date;
}

/** The session's account, unless the token is unknown, expired, or its account disabled. */
export async function findSession(db: SalesflowDb, token: string, now = new Date()): Promise<ActiveSession | undefined> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select(['sessions.csrf_secret', 'sessions.expires_at'])
    .where('sessions.token_hash', '=', secretHash(token))
    .where('sessions.expires_at', '>', now)
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const { csrf_secret, expires_at, ...user } = row;
  return { account: toAccount(user), csrfSecret: csrf_secret, expiresAt: expires_at };
}

/** Records activity and, with `extendTo`, slides the expiry (sliding sessions). */
export async function touchSession(db: SalesflowDb, token: string, now = new Date(), extendTo?: Date): Promise<void> {
  await db
    .updateTable('sessions')
    .set(extendTo ? { last_seen_at: now, expires_at: extendTo } : { last_seen_at: now })
    .where('token_hash', '=', secretHash(token))
    .execute();
}

export async function deleteSession(db: SalesflowDb, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', secretHash(token)).execute();
}

/** Removes expired sessions; returns how many. */
export async function deleteExpiredSessions(db: SalesflowDb, now = new Date()): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

// API tokens

export interface ApiTokenInfo {
  id: string;
  userId: string;
  name: string;
  role: Role;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

function toTokenInfo(row: Selectable<ApiTokensTable>): ApiTokenInfo {
  return { id: row.id, userId: row.user_id, name: row.name, role: row.role, createdAt: row.created_at, lastUsedAt: row.last_used_at, revokedAt: row.revoked_at };
}

export const API_TOKEN_PREFIX = 'sft_';

/** The token is returned here once; the database keeps only its SHA-256. */
export async function createApiToken(db: SalesflowDb, userId: string, input: { name: string; role: Role }): Promise<{ token: string; info: ApiTokenInfo }> {
  const { name, role } = parseOrThrow(NewApiTokenSchema, input, 'API token');
  const token = newSecret(API_TOKEN_PREFIX);
  const row = await db
    .insertInto('api_tokens')
    .values({ user_id: userId, name, role, token_hash: secretHash(token) })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { token, info: toTokenInfo(row) };
}

export async function listApiTokens(db: SalesflowDb, userId: string): Promise<ApiTokenInfo[]> {
  const rows = await db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
  return rows.map(toTokenInfo);
}

/** Revoking twice keeps the first time. Returns whether the token was active before. */
export async function revokeApiToken(db: SalesflowDb, tokenId: string, now = new Date()): Promise<boolean> {
  const result = await db.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', tokenId).where('revoked_at', 'is', null).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The token's account and role, unless unknown, revoked, or its account disabled; marks it used. */
export async function findApiToken(db: SalesflowDb, token: string, now = new Date()): Promise<{ account: Account; token: ApiTokenInfo } | undefined> {
  const row = await db
    .updateTable('api_tokens')
    .set({ last_used_at: now })
    .from('users')
    .whereRef('users.id', '=', 'api_tokens.user_id')
    .where('api_tokens.token_hash', '=', secretHash(token))
    .where('api_tokens.revoked_at', 'is', null)
    .where('users.disabled_at', 'is', null)
    .returningAll('api_tokens')
    .executeTakeFirst();
  if (!row) return undefined;
  const user = await db.selectFrom('users').selectAll().where('id', '=', row.user_id).executeTakeFirstOrThrow();
  return { account: toAccount(user), token: toTokenInfo(row) };
}

// Audit log

export interface AuditEntry {
  id: string;
  at: Date;
  userId: string | null;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
  requestId: string | null;
}

function toAuditEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return { id: row.id, at: row.at, userId: row.user_id, action: row.action, target: row.target, detail: row.detail, requestId: row.request_id };
}

export async function appendAudit(
  db: SalesflowDb,
  entry: { userId: string | null; action: string; target?: string; detail?: Record<string, unknown>; requestId?: string },
): Promise<AuditEntry> {
  const row = await db
    .insertInto('audit_log')
    .values({
      user_id: entry.userId,
      action: entry.action,
      target: entry.target ?? null,
      detail: JSON.stringify(entry.detail ?? {}),
      request_id: entry.requestId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toAuditEntry(row);
}

/** Newest first; `before` (an entry id) pages further back. */
export async function listAudit(db: SalesflowDb, filter: { userId?: string; limit?: number; before?: string } = {}): Promise<AuditEntry[]> {
  let query = db.selectFrom('audit_log').selectAll();
  if (filter.userId) query = query.where('user_id', '=', filter.userId);
  if (filter.before) query = query.where('id', '<', filter.before);
  const rows = await query.orderBy('id', 'desc').limit(Math.min(Math.max(filter.limit ?? 100, 1), 1000)).execute();
  return rows.map(toAuditEntry);
}

// Idempotency keys

export interface IdempotentResponse {
  requestHash: string;
  status: number;
  body: unknown;
  createdAt: Date;
}

export async function getIdempotentResponse(db: SalesflowDb, userId: string, key: string): Promise<IdempotentResponse | undefined> {
  const row = await db.selectFrom('idempotency_keys').selectAll().where('user_id', '=', userId).where('key', '=', key).executeTakeFirst();
  return row && { requestHash: row.request_hash, status: row.response_status, body: row.response_body, createdAt: row.created_at };
}

/**
 * Stores the response to (user, key) unless one is there already; returns the stored one
 * either way, and whether this call stored it. A caller that gets someone else's
 * (stored: false) replays it instead of answering anew.
 */
export async function putIdempotentResponse(
  db: SalesflowDb,
  userId: string,
  key: string,
  response: { requestHash: string; status: number; body: unknown },
): Promise<{ stored: boolean; response: IdempotentResponse }> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({ user_id: userId, key, request_hash: response.requestHash, response_status: response.status, response_body: JSON.stringify(response.body ?? null) })
    .onConflict((oc) => oc.columns(['user_id', 'key']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) {
    return { stored: true, response: { requestHash: inserted.request_hash, status: inserted.response_status, body: inserted.response_body, createdAt: inserted.created_at } };
  }
  const existing = await getIdempotentResponse(db, userId, key);
  if (!existing) throw new Error(`idempotency key ${key} vanished while being stored`);
  return { stored: false, response: existing };
}

/** Forgets keys older than `before` (clients retry within minutes, not weeks). */
export async function deleteIdempotencyKeysBefore(db: SalesflowDb, before: Date): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys').where('created_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
