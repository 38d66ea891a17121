import { z } from 'zod';
import { singleLineText } from '../shared/text';
import { shareable } from '../shared/shareable';

/**
 * Accounts of the salesflow server: who may log in, with which role, and which person of the
 * process definitions (rep or manager id) the account acts as. Shared by the database layer,
 * the `salesflow admin` commands and the HTTP API, so every boundary refuses the same input
 * with the same message.
 */

export const ROLES = ['admin', 'ops', 'manager', 'rep', 'support'] as const;
export type Role = (typeof ROLES)[number];

export const RoleSchema = shareable(z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }));

/** Logins compare case-insensitively, so they are kept in lower case. */
export const LoginSchema = shareable(z
  .string()
  .trim()
  .toLowerCase()
  .min(3, 'must be at least 3 characters')
  .max(64, 'must be at most 64 characters')
  .regex(/^[a-z0-9][a-z0-9._@-]*$/, 'may hold only letters, digits and . _ @ - and must start with a letter or digit'));

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 1024;

/** Length is what makes a password strong; no composition rules that push people to patterns. */
export const PasswordSchema = shareable(z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`));

/** The rep or manager id the process definitions use for this person, e.g. `alice`. */
export const PersonIdSchema = shareable(z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'may hold only letters, digits and . _ @ -'));

export const TeamSchema = shareable(PersonIdSchema);

export const DisplayNameSchema = shareable(singleLineText(200));

export const NewUserSchema = shareable(z
  .object({
    login: LoginSchema,
    role: RoleSchema,
    displayName: DisplayNameSchema.optional(),
    personId: PersonIdSchema.optional(),
    team: TeamSchema.optional(),
    password: PasswordSchema,
  })
  .strict());
export type NewUser = z.input<typeof NewUserSchema>;

/**
 * What an admin may change on an existing account: who it acts as in the processes, its
 * team, its name (null clears one). Not its login (the audit trail names it) nor its role
 * (tokens were issued against it: disable the account and create another).
 */
export const UserChangeSchema = shareable(z
  .object({
    personId: PersonIdSchema.nullable().optional(),
    team: TeamSchema.nullable().optional(),
    displayName: DisplayNameSchema.nullable().optional(),
  })
  .strict()
  .refine((c) => c.personId !== undefined || c.team !== undefined || c.displayName !== undefined, 'say what to change: personId, team or displayName'));
export type UserChange = z.input<typeof UserChangeSchema>;

export const ApiTokenNameSchema = shareable(singleLineText(100).pipe(z.string().min(1, 'must not be empty')));

export const NewApiTokenSchema = shareable(z
  .object({
    name: ApiTokenNameSchema,
    /** A token acts with at most its owner's role; an integration usually needs less. */
    role: RoleSchema,
  })
  .strict());

/** What may be said about an account outside the database: never its password hash. */
export interface Account {
  id: string;
  login: string;
  displayName: string | null;
  role: Role;
  personId: string | null;
  team: string | null;
  createdAt: Date;
  disabledAt: Date | null;
}

/** The teams and people (reps and managers) of the processes an account can act in. */
export interface KnownPeople {
  teams: ReadonlySet<string>;
  people: ReadonlySet<string>;
}

/**
 * What would leave an account seeing nothing, said to the admin who made it (not refused: a
 * process naming the person may be published later): a rep acting as no person, a manager with
 * no team, a team or person id no published process has (a typo, `sout` for `south`).
 */
export function accountWarnings(account: { role: Role; personId: string | null; team: string | null }, known: KnownPeople | undefined): string[] {
  const out: string[] = [];
  if (account.role === 'rep' && !account.personId) out.push('a rep without a person id sees no prospects or tasks: set the id they have in the process');
  if (account.role === 'manager' && !account.team) out.push("a manager without a team sees no team's prospects, board or reports: set their team");
  if (!known) return out;
  if (account.team && !known.teams.has(account.team)) out.push(`team "${account.team}" is in no published process (teams: ${[...known.teams].sort().join(', ') || 'none'})`);
  if (account.personId && (account.role === 'rep' || account.role === 'manager') && !known.people.has(account.personId)) {
    out.push(`person "${account.personId}" is no rep or manager of a published process`);
  }
  return out;
}
