import { Option, type Command } from 'commander';
import { DatabaseConfigSchema } from '../domain/shared/config';
import { ROLES } from '../domain/accounts/accounts';
import { DomainError, describeIssues } from '../domain/shared/errors';
import { PROJECT_ROOT } from '../scripts/temporalBinaries';
import { readFirstLine } from '../client/shared/stdin';

/**
 * `salesflow admin ...`: bootstrap on the server's machine, straight to the database
 * (DATABASE_URL, else the local `npm start` stack's embedded PostgreSQL), not through
 * Temporal or the API, so the first accounts can exist before anyone can log in.
 */
export function registerAdminCommands(program: Command): void {
  const admin = program.command('admin').description('server administration with direct database access (on the server machine)');
  admin
    .command('create-user')
    .description('create an account; the password comes from stdin with --password-stdin, else one is generated and printed once')
    .requiredOption('--login <login>', 'what the person logs in with')
    .addOption(new Option('--role <role>', 'what the account may do').choices([...ROLES]).makeOptionMandatory())
    .option('--person <id>', 'the rep or manager id the process definitions use for this person')
    .option('--team <team>', "the team (a manager's, or a rep's)")
    .option('--name <name>', 'display name')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .option('--json', 'print JSON instead of text')
    .action(async (opts) => {
      const password: string | undefined = opts.passwordStdin ? await readFirstLine(process.stdin) : undefined;
      const { openDatabase } = await import('./database');
      const { migrateToLatest } = await import('./migrations');
      const { createUser } = await import('./accounts');
      const { generatePassword } = await import('./passwords');
      const { withoutPassword } = await import('./stack');
      const url = await databaseUrl();
      const db = openDatabase(url, { maxConnections: 1 });
      try {
        try {
          await migrateToLatest(db);
        } catch (err) {
          throw new DomainError(`cannot use the database at ${withoutPassword(url)}: ${(err as Error).message}`);
        }
        const chosen = password ?? generatePassword();
        const user = await createUser(db, { login: opts.login, role: opts.role, personId: opts.person, team: opts.team, displayName: opts.name, password: chosen });
        const generated = password === undefined ? chosen : undefined;
        if (opts.json) {
          console.log(JSON.stringify({ user, ...(generated ? { password: generated } : {}) }, null, 2));
        } else {
          console.log(`created user ${user.login} (role ${user.role}${user.personId ? `, person ${user.personId}` : ''}${user.team ? `, team ${user.team}` : ''})`);
          if (generated) console.log(`password: ${generated}   (shown only this once; only its hash is stored)`);
        }
      } finally {
        await db.destroy();
      }
    });
}

async function databaseUrl(): Promise<string> {
  const parsed = DatabaseConfigSchema.safeParse(process.env);
  if (!parsed.success) throw new DomainError(`bad configuration: ${describeIssues(parsed.error).join('; ')}`);
  if (parsed.data.DATABASE_URL) return parsed.data.DATABASE_URL;
  const { localDatabaseUrl } = await import('./stack');
  const { resolve } = await import('node:path');
  const local = localDatabaseUrl(resolve(PROJECT_ROOT, parsed.data.SALESFLOW_DATA_DIR), parsed.data.SALESFLOW_POSTGRES_PORT);
  if (!local) throw new DomainError('no database: set DATABASE_URL, or run `npm start` once so the local stack has its own');
  return local;
}
