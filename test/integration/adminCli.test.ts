import { spawn } from 'node:child_process';
import { findUserByLogin, verifyLogin } from '../../db/accounts';
import { CLI } from '../helpers/cli';
import { freshDatabase, type TestDatabase } from '../helpers/database';

/** `salesflow admin create-user` as an operator runs it: the built bin, DATABASE_URL, stdin. */

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase({ migrate: false });
});
afterAll(async () => {
  await t?.drop();
});

function salesflow(args: string[], stdin?: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, DATABASE_URL: t.url, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

test('creates accounts on a fresh database (migrating it): a generated password printed once, or one read from stdin', async () => {
  const out = await salesflow(['admin', 'create-user', '--login', 'Root', '--role', 'admin', '--name', 'Rita Root'], undefined);
  // Without --password-stdin a password is generated and printed once.
  expect(out).toMatchObject({ code: 0, stderr: '' });
  expect(out.stdout).toContain('created user root (role admin)');
  const generated = /password: (\S+)/.exec(out.stdout)?.[1];
  expect(generated).toHaveLength(24);
  expect(await verifyLogin(t.db, 'root', generated!)).toMatchObject({ login: 'root', role: 'admin', displayName: 'Rita Root' });

  const rep = await salesflow(['admin', 'create-user', '--login', 'alice', '--role', 'rep', '--person', 'alice', '--team', 'north', '--password-stdin', '--json'], 'a long enough secret\n');
  expect(rep.code).toBe(0);
  const printed = JSON.parse(rep.stdout) as { user: { login: string; personId: string; team: string }; password?: string };
  expect(printed.user).toMatchObject({ login: 'alice', personId: 'alice', team: 'north' });
  expect(printed.password).toBeUndefined();
  expect(rep.stdout).not.toContain('a long enough secret');
  expect(await verifyLogin(t.db, 'alice', 'a long enough secret')).toMatchObject({ role: 'rep' });
});

test('refuses a short password, a taken login and a bad DATABASE_URL with one line each, creating nothing', async () => {
  const short = await salesflow(['admin', 'create-user', '--login', 'bob', '--role', 'rep', '--password-stdin'], 'short\n');
  expect(short).toMatchObject({ code: 1, stdout: '' });
  expect(short.stderr).toBe('salesflow: password: must be at least 12 characters\n');
  expect(await findUserByLogin(t.db, 'bob')).toBeUndefined();

  const taken = await salesflow(['admin', 'create-user', '--login', 'alice', '--role', 'ops', '--password-stdin'], 'another long secret\n');
  expect(taken).toMatchObject({ code: 1, stderr: 'salesflow: --login: "alice" is already taken\n' });
  expect(await findUserByLogin(t.db, 'alice')).toMatchObject({ role: 'rep' });

  const badUrl = await salesflow(['admin', 'create-user', '--login', 'carl', '--role', 'rep'], undefined, { DATABASE_URL: 'mysql://x' });
  expect(badUrl).toMatchObject({ code: 1, stderr: 'salesflow: bad configuration: DATABASE_URL: must be a postgres:// or postgresql:// URL\n' });
});
