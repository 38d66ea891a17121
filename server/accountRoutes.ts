import { z } from 'zod';
import { can } from '../domain/accounts/access';
import { LoginSchema, NewUserSchema, PasswordSchema, RoleSchema, ApiTokenNameSchema, UserChangeSchema, accountWarnings, type Account, type KnownPeople } from '../domain/accounts/accounts';
import { DomainError } from '../domain/shared/errors';
import {
  changePassword,
  createApiToken,
  createSession,
  deleteSession,
  disableUser,
  listApiTokens,
  listUsers,
  revokeApiToken,
  verifyLogin,
  createUser,
  findUserById,
  updateUser,
} from '../db/accounts';
import { generatePassword } from '../db/passwords';
import { forgetAttempts } from '../db/housekeeping';
import type { FastifyRequest } from 'fastify';
import { actorOf, requirePrincipal, SESSION_COOKIE, type Principal } from './auth';
import type { App, ServerDeps } from './app';
import { publishedTeams } from './publishedTeams';
import { forbidden, HttpProblem, notFound, ProblemSchema } from './problem';

/** Login, logout, the caller's own account, API tokens, and (for admins) user accounts. */

export const AccountSchema = z
  .object({
    id: z.string(),
    login: z.string(),
    displayName: z.string().nullable(),
    role: RoleSchema,
    personId: z.string().nullable(),
    team: z.string().nullable(),
    createdAt: z.string(),
    disabledAt: z.string().nullable(),
  })
  .meta({ id: 'Account' });

/** An account as the Users page lists it: with what would leave it seeing nothing (accountWarnings). */
const UserSchema = AccountSchema.extend({ warnings: z.array(z.string()) }).meta({ id: 'User' });

/** The teams and people (reps and managers) of the published processes and the built-in one. */
async function knownPeople(deps: ServerDeps): Promise<KnownPeople | undefined> {
  // Accounts are managed while Temporal is away too: then only what needs no process is said.
  const teams = await publishedTeams(deps);
  if (!teams) return undefined;
  return { teams: new Set(teams.map((t) => t.name)), people: new Set(teams.flatMap((t) => [t.manager.id, ...t.reps.map((r) => r.id)])) };
}

const MeSchema = z.object({ account: AccountSchema, role: RoleSchema, via: z.enum(['session', 'token']), csrfToken: z.string().optional() });

const TokenInfoSchema = z
  .object({ id: z.string(), name: z.string(), role: RoleSchema, createdAt: z.string(), lastUsedAt: z.string().nullable(), revokedAt: z.string().nullable() })
  .meta({ id: 'ApiToken' });

const iso = (d: Date | null) => (d ? d.toISOString() : null);
export function accountView(a: Account): z.infer<typeof AccountSchema> {
  return { ...a, createdAt: a.createdAt.toISOString(), disabledAt: iso(a.disabledAt) };
}

function meView(p: Principal) {
  return { account: accountView(p.account), role: p.role, via: p.via, ...(p.csrfToken ? { csrfToken: p.csrfToken } : {}) };
}

const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 422: ProblemSchema, 429: ProblemSchema };

const DEFAULT_SESSION_TTL_MS = 12 * 3_600_000;

/** Login attempts are counted per client address and login (lower case). */
function loginAttemptKey(request: FastifyRequest): string {
  return `${request.ip}|${String((request.body as { login?: unknown } | undefined)?.login ?? '').toLowerCase()}`;
}

function requireAdmin(p: Principal): void {
  if (!can(actorOf(p), 'manage', { kind: 'users' })) throw forbidden('only an admin manages user accounts');
}

export async function registerAccountRoutes(api: App, deps: ServerDeps): Promise<void> {
  const ttl = deps.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;

  api.post(
    '/session',
    {
      config: {
        public: true,
        // Per IP and login, after the body is parsed: guessing one account's password is slow,
        // and one person's typos do not lock out their office.
        rateLimit: {
          max: deps.loginAttempts ?? 5,
          timeWindow: deps.loginWindowMs ?? 60_000,
          hook: 'preHandler',
          keyGenerator: loginAttemptKey,
        },
      },
      schema: {
        tags: ['session'],
        summary: 'log in: sets the session cookie and returns the CSRF token for writes',
        security: [],
        body: z.strictObject({ login: LoginSchema, password: z.string().min(1).max(1024) }),
        response: { 200: MeSchema, ...problems },
      },
    },
    async (request, reply) => {
      const account = await verifyLogin(deps.db, request.body.login, request.body.password);
      if (!account) throw new HttpProblem(401, 'login-failed', 'Login failed', 'wrong login or password, or the account is disabled');
      // Only failures add up: a person logging in from several tabs or mail links is not a guesser.
      await forgetAttempts(deps.db, loginAttemptKey(request));
      const session = await createSession(deps.db, account.id, ttl);
      reply.setCookie(SESSION_COOKIE, session.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.secureCookies,
        expires: session.expiresAt,
      });
      request.principal = { account, role: account.role, via: 'session', csrfToken: session.csrfSecret };
      return meView(request.principal);
    },
  );

  api.delete(
    '/session',
    { schema: { tags: ['session'], summary: 'log out: ends this session', response: { 204: z.null(), ...problems } } },
    async (request, reply) => {
      const p = requirePrincipal(request);
      if (p.sessionToken) await deleteSession(deps.db, p.sessionToken);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  api.get('/me', { schema: { tags: ['session'], summary: 'who is logged in, with the CSRF token of the session', response: { 200: MeSchema, ...problems } } }, async (request) =>
    meView(requirePrincipal(request)),
  );

  api.post(
    '/me/password',
    {
      schema: {
        tags: ['session'],
        summary: 'change the password; ends every session of the account',
        body: z.strictObject({ currentPassword: z.string().min(1).max(1024), newPassword: PasswordSchema }),
        response: { 204: z.null(), ...problems },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      if (!(await verifyLogin(deps.db, p.account.login, request.body.currentPassword))) {
        throw new HttpProblem(422, 'refused', 'Refused', 'the current password is wrong', [{ path: ['currentPassword'], message: 'is wrong' }]);
      }
      await changePassword(deps.db, p.account.id, request.body.newPassword);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  // API tokens: for integrations; the secret is in the answer once, the database keeps its hash.
  api.post(
    '/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'create an API token (its secret is shown only in this answer)',
        body: z.strictObject({ name: ApiTokenNameSchema, role: RoleSchema.optional() }),
        response: { 201: z.object({ token: z.string(), info: TokenInfoSchema }), ...problems },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const role = request.body.role ?? p.role;
      // A token acts with at most its owner's role: only an admin hands out another one.
      if (role !== p.role && p.role !== 'admin') throw forbidden(`a ${p.role} can create tokens with role ${p.role} only`);
      const { token, info } = await createApiToken(deps.db, p.account.id, { name: request.body.name, role });
      return reply.code(201).send({ token, info: tokenView(info) });
    },
  );
  api.get('/tokens', { schema: { tags: ['tokens'], summary: "the caller's API tokens (never their secrets)", response: { 200: z.array(TokenInfoSchema), ...problems } } }, async (request) => {
    const p = requirePrincipal(request);
    return (await listApiTokens(deps.db, p.account.id)).map(tokenView);
  });
  api.delete(
    '/tokens/:id',
    { schema: { tags: ['tokens'], summary: 'revoke an API token', params: z.object({ id: z.uuid() }), response: { 204: z.null(), ...problems } } },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const mine = (await listApiTokens(deps.db, p.account.id)).some((t) => t.id === request.params.id);
      if (!mine && p.role !== 'admin') throw notFound(`no API token ${request.params.id}`);
      await revokeApiToken(deps.db, request.params.id);
      return reply.code(204).send(null);
    },
  );

  // User accounts (admins).
  api.post(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'create a user account (admin); without a password one is generated and returned once, as generatedPassword',
        body: NewUserSchema.extend({ password: NewUserSchema.shape.password.optional() }).strict(),
        response: { 201: UserSchema.extend({ generatedPassword: z.string().optional() }), ...problems },
      },
    },
    async (request, reply) => {
      requireAdmin(requirePrincipal(request));
      const generated = request.body.password === undefined ? generatePassword() : undefined;
      const account = await createUser(deps.db, { ...request.body, password: request.body.password ?? generated! });
      const warnings = accountWarnings(account, await knownPeople(deps));
      return reply.code(201).send({ ...accountView(account), warnings, ...(generated ? { generatedPassword: generated } : {}) });
    },
  );
  api.get('/users', { schema: { tags: ['users'], summary: "list user accounts, each with what would leave it seeing nothing (admin)", response: { 200: z.array(UserSchema), ...problems } } }, async (request) => {
    requireAdmin(requirePrincipal(request));
    const known = await knownPeople(deps);
    return (await listUsers(deps.db)).map((a) => ({ ...accountView(a), warnings: a.disabledAt ? [] : accountWarnings(a, known) }));
  });
  api.patch(
    '/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'change an account: its person id (who it acts as in the processes: a rep has a task inbox by it), team or display name; null clears one (admin)',
        params: z.object({ id: z.uuid() }),
        body: UserChangeSchema,
        response: { 200: UserSchema, ...problems },
      },
    },
    async (request) => {
      requireAdmin(requirePrincipal(request));
      const updated = await updateUser(deps.db, request.params.id, request.body);
      if (!updated) throw notFound(`no user ${request.params.id}`);
      return { ...accountView(updated), warnings: accountWarnings(updated, await knownPeople(deps)) };
    },
  );
  api.post(
    '/users/:id/disable',
    {
      schema: { tags: ['users'], summary: 'disable an account: its sessions end and its tokens stop working (admin)', params: z.object({ id: z.uuid() }), body: z.strictObject({}).optional(), response: { 200: AccountSchema, ...problems } },
    },
    async (request) => {
      const p = requirePrincipal(request);
      requireAdmin(p);
      if (request.params.id === p.account.id) throw new DomainError('an admin cannot disable their own account');
      const user = await findUserById(deps.db, request.params.id);
      if (!user) throw notFound(`no user ${request.params.id}`);
      await disableUser(deps.db, user.id);
      return accountView((await findUserById(deps.db, user.id))!);
    },
  );
}

function tokenView(t: { id: string; name: string; role: z.infer<typeof RoleSchema>; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }) {
  return { id: t.id, name: t.name, role: t.role, createdAt: t.createdAt.toISOString(), lastUsedAt: iso(t.lastUsedAt), revokedAt: iso(t.revokedAt) };
}
