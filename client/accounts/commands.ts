import { hostname } from 'node:os';
import { Option, type Command } from 'commander';
import { read } from 'read';
import { ROLES } from '../../domain/accounts/accounts';
import { DomainError } from '../../domain/shared/errors';
import { ApiClient, ApiRefusal } from '../shared/apiClient';
import { apiFor, type CliContext } from '../shared/cliContext';
import { credentialsPath, currentCredentials, DEFAULT_API_URL, parseApiUrl, readCredentialsFile, removeCredentialsFile, writeCredentialsFile } from '../shared/credentials';
import { readFirstLine, readLines } from '../shared/stdin';
import { textTable } from '../shared/textTable';

/**
 * Who the CLI acts as (login, logout, whoami, password) and, for admins, user accounts and
 * API tokens, all through the server's API. `admin create-user` (db/adminCommands.ts) is the
 * one exception: it makes the first account, before anyone can log in.
 */

async function promptLine(prompt: string, silent: boolean): Promise<string> {
  if (!process.stdin.isTTY) throw new DomainError(`${silent ? 'no password: give it with --password-stdin' : 'no login: give it with --login'} (stdin is not a terminal)`);
  const answer = await read({ prompt, silent, replace: silent ? '' : undefined, output: process.stderr });
  if (!answer) throw new DomainError(`${silent ? 'password' : 'login'}: nothing was typed`);
  return answer;
}

/** How long `login` tries to revoke the token it replaces. */
const REVOKE_PREVIOUS_TIMEOUT_MS = 5_000;

export function registerAccountCommands(program: Command, ctx: CliContext): void {
  const { print, json } = ctx;

  program
    .command('login')
    .description('log in to a salesflow server; an API token for this machine is stored in your config (mode 0600)')
    .option('--url <url>', `the server (default: SALESFLOW_URL, the last one logged in to, or ${DEFAULT_API_URL})`)
    .option('--login <login>', 'your login (asked when not given)')
    .option('--password-stdin', 'read the password from the first line of stdin (for scripts)')
    .addOption(json())
    .action(async (opts) => {
      const stored = readCredentialsFile();
      const url = opts.url ? parseApiUrl(opts.url, '--url') : process.env.SALESFLOW_URL ? parseApiUrl(process.env.SALESFLOW_URL, 'SALESFLOW_URL') : (stored?.url ?? DEFAULT_API_URL);
      const login: string = opts.login ?? (await promptLine('login: ', false));
      const password = opts.passwordStdin ? await readFirstLine(process.stdin) : await promptLine(`password for ${login} at ${url}: `, true);
      const accounts = apiFor(new ApiClient(url, undefined)).accounts;
      const { token, info, me } = await accounts.loginForToken(login, password, `cli ${login}@${hostname()}`.slice(0, 100));
      // The token this machine held before is revoked on its server: one login, one live
      // token. Logging in as someone else, or elsewhere, says whose login it replaced.
      let replaced: { login?: string; url: string; revoked: boolean } | undefined;
      if (stored?.token && stored.tokenId) {
        // A few seconds at most: the old server may be gone, and this login is done already.
        const revoked = await apiFor(new ApiClient(stored.url, stored.token, REVOKE_PREVIOUS_TIMEOUT_MS))
          .accounts.revokeToken(stored.tokenId)
          .then(
            () => true,
            // Refused as unknown (401: revoked or expired already; 404: deleted): gone all the same.
            (err: unknown) => err instanceof ApiRefusal && (err.status === 401 || err.status === 404),
          );
        if (stored.url !== url || stored.login !== me.account.login) replaced = { ...(stored.login ? { login: stored.login } : {}), url: stored.url, revoked };
      }
      writeCredentialsFile({ url, token, tokenId: info.id, login: me.account.login });
      const who = `${me.account.login} (role ${me.role}${me.account.personId ? `, person ${me.account.personId}` : ''})`;
      const before = replaced
        ? `; it replaces ${replaced.login ?? 'the login'} at ${replaced.url}, ${replaced.revoked ? 'whose token was revoked' : 'whose token could not be revoked there: revoke it with `salesflow token revoke` when you can reach it'}`
        : '';
      print({ url, account: me.account, role: me.role, tokenId: info.id, credentials: credentialsPath(), ...(replaced ? { replaced } : {}) }, opts.json, () => `logged in to ${url} as ${who}; token stored in ${credentialsPath()}${before}`);
    });

  program
    .command('logout')
    .description("revoke this machine's token and forget it")
    .action(async () => {
      const stored = readCredentialsFile();
      if (!stored) {
        console.log('not logged in');
        return;
      }
      let revoked = false;
      if (stored.tokenId) {
        try {
          await apiFor(new ApiClient(stored.url, stored.token)).accounts.revokeToken(stored.tokenId);
          revoked = true;
        } catch (err) {
          console.error(`salesflow: the token could not be revoked on ${stored.url} (${(err as Error).message.split('\n')[0]}); revoke it there with \`salesflow token revoke\``);
        }
      }
      removeCredentialsFile();
      console.log(`logged out of ${stored.url}${revoked ? '; the token is revoked' : ''}`);
    });

  program
    .command('whoami')
    .description('the account and role the CLI acts as')
    .addOption(json())
    .action(async (opts) => {
      const me = await ctx.api().accounts.me();
      const url = currentCredentials()?.url;
      print(me, opts.json, () => `${me.account.login} (role ${me.role}${me.account.personId ? `, person ${me.account.personId}` : ''}${me.account.team ? `, team ${me.account.team}` : ''}) at ${url}`);
    });

  program
    .command('password')
    .description('change your password (ends your browser sessions; tokens stay valid)')
    .option('--password-stdin', 'read the current and the new password from the first two lines of stdin')
    .action(async (opts) => {
      let current: string;
      let next: string;
      if (opts.passwordStdin) {
        [current = '', next = ''] = await readLines(process.stdin, 2);
        if (!current || !next) throw new DomainError('--password-stdin: give the current password on the first line and the new one on the second');
      } else {
        current = await promptLine('current password: ', true);
        next = await promptLine('new password: ', true);
        if ((await promptLine('new password again: ', true)) !== next) throw new DomainError('the new passwords differ; nothing changed');
      }
      await ctx.api().accounts.changePassword(current, next);
      console.log('password changed');
    });

  const user = program.command('user').description('user accounts (admin)');
  user
    .command('create')
    .description('create an account; without --password-stdin a password is generated and printed once')
    .requiredOption('--login <login>', 'what the person logs in with')
    .addOption(new Option('--role <role>', 'what the account may do').choices([...ROLES]).makeOptionMandatory())
    .option('--person <id>', 'the rep or manager id the process definitions use for this person')
    .option('--team <team>', "the team (a manager's, or a rep's)")
    .option('--name <name>', 'display name')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .addOption(json())
    .action(async (opts) => {
      const password = opts.passwordStdin ? await readFirstLine(process.stdin) : undefined;
      const created = await ctx.api().accounts.createUser({
        login: opts.login,
        role: opts.role,
        ...(opts.person ? { personId: opts.person } : {}),
        ...(opts.team ? { team: opts.team } : {}),
        ...(opts.name ? { displayName: opts.name } : {}),
        ...(password ? { password } : {}),
      });
      print(created, opts.json, () =>
        [
          `created user ${created.login} (role ${created.role}${created.personId ? `, person ${created.personId}` : ''}${created.team ? `, team ${created.team}` : ''})`,
          ...(created.generatedPassword ? [`password: ${created.generatedPassword}   (shown only this once; only its hash is stored)`] : []),
          ...created.warnings.map((w) => `warning: ${w}`),
        ].join('\n'),
      );
    });
  user
    .command('list')
    .description('every account')
    .addOption(json())
    .action(async (opts) => {
      const users = await ctx.api().accounts.users();
      print(users, opts.json, () =>
        textTable(
          ['LOGIN', 'ROLE', 'PERSON', 'TEAM', 'STATUS'],
          users.map((u) => [u.login, u.role, u.personId ?? '-', u.team ?? '-', u.disabledAt ? `disabled ${ctx.time(u.disabledAt)}` : u.warnings.length > 0 ? `active; ${u.warnings.join('; ')}` : 'active']),
        ),
      );
    });
  user
    .command('update')
    .description("change an account's person id (who it acts as: a rep's task inbox, `by` in the history), team or display name")
    .argument('<login>')
    .option('--person <id>', 'the rep or manager id the process definitions use for this person')
    .option('--no-person', 'clear the person id (the account then acts under its login)')
    .option('--team <team>', "the team (a manager's, or a rep's)")
    .option('--no-team', 'clear the team')
    .option('--name <name>', 'display name')
    .addOption(json())
    .action(async (login: string, opts) => {
      // Commander gives `person`/`team` as a string, false for --no-..., true when neither was given.
      const change = {
        ...(typeof opts.person === 'string' ? { personId: opts.person } : opts.person === false ? { personId: null } : {}),
        ...(typeof opts.team === 'string' ? { team: opts.team } : opts.team === false ? { team: null } : {}),
        ...(opts.name !== undefined ? { displayName: opts.name } : {}),
      };
      if (Object.keys(change).length === 0) throw new DomainError('say what to change: --person, --no-person, --team, --no-team or --name');
      const u = await ctx.api().accounts.updateUser(login, change);
      print(u, opts.json, () =>
        [`updated ${u.login} (role ${u.role}, person ${u.personId ?? '-'}, team ${u.team ?? '-'}${u.displayName ? `, name ${u.displayName}` : ''})`, ...u.warnings.map((w) => `warning: ${w}`)].join('\n'),
      );
    });
  user
    .command('disable')
    .description('disable an account: its sessions end and its tokens stop working')
    .argument('<login>')
    .action(async (login: string) => {
      const u = await ctx.api().accounts.disableUser(login);
      console.log(`disabled ${u.login}`);
    });

  const token = program.command('token').description('API tokens for integrations (shown once, stored hashed, revocable)');
  token
    .command('create')
    .description('create a token; its secret is printed only this once')
    .requiredOption('--name <name>', 'what it is for, e.g. "web form"')
    .addOption(new Option('--role <role>', 'act with less than your own role').choices([...ROLES]))
    .addOption(json())
    .action(async (opts) => {
      const made = await ctx.api().accounts.createToken(opts.name, opts.role);
      print(made, opts.json, () => `token ${made.info.id} (${made.info.name}, role ${made.info.role}):\n${made.token}\n(shown only this once; send it as "Authorization: Bearer <token>")`);
    });
  token
    .command('list')
    .description('your tokens (never their secrets)')
    .addOption(json())
    .action(async (opts) => {
      const tokens = await ctx.api().accounts.tokens();
      print(tokens, opts.json, () =>
        tokens.length === 0
          ? 'no tokens'
          : textTable(
              ['TOKEN', 'ROLE', 'STATUS', 'NAME', 'LAST USED'],
              tokens.map((t) => [t.id, t.role, t.revokedAt ? 'revoked' : 'active', t.name, t.lastUsedAt ? ctx.time(t.lastUsedAt) : '-']),
              // A token id is digits: left-aligned as an id, not a number.
              { numeric: [false, false, false, false, false] },
            ),
      );
    });
  token
    .command('revoke')
    .argument('<id>')
    .action(async (id: string) => {
      await ctx.api().accounts.revokeToken(id);
      console.log(`revoked token ${id}`);
    });
}
