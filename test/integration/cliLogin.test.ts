import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUser } from '../../db/accounts';
import { freePort } from '../../scripts/freePort';
import { runCli, type CliTarget } from '../helpers/cli';
import { startServer, type ServerHarness } from '../helpers/server';

/**
 * The CLI as a client of the API, as a new user meets it: `salesflow login` with a password,
 * a token stored 0600, accounts made through the API, a rep driving a prospect to won as
 * themself, and the server refusing what a rep may not do.
 */

let h: ServerHarness;
let configDir: string;
/** The CLI with only its config folder: who it is comes from `salesflow login`. */
let as: CliTarget;
const run = Date.now().toString(36);
const ADMIN_PASSWORD = 'first admin password 1';
const REP_PASSWORD = 'alice rep password 22';

beforeAll(async () => {
  h = await startServer();
  // What `npm start` (or `salesflow admin create-user`) makes on a fresh database.
  await createUser(h.database.db, { login: `root-${run}`, role: 'admin', password: ADMIN_PASSWORD });
  configDir = mkdtempSync(join(tmpdir(), 'salesflow-login-'));
  as = { url: '', token: '', login: '', configDir };
});
afterAll(async () => {
  await h?.close();
});

/** No SALESFLOW_URL or SALESFLOW_TOKEN: the stored credentials decide. */
const salesflow = (args: string[], stdin?: string) => runCli(as, args, { SALESFLOW_URL: undefined, SALESFLOW_TOKEN: undefined }, stdin);
const credentials = () => join(configDir, 'credentials.json');

test('a new user logs in with the CLI, creates a rep, and the rep drives a prospect to won; the rep sees only their own and cannot publish', async () => {
  expect(await salesflow(['list'])).toMatchObject({ code: 1, stderr: 'salesflow: not logged in: run `salesflow login` (or set SALESFLOW_TOKEN to an API token)\n' });

  const wrong = await salesflow(['login', '--url', h.url, '--login', `root-${run}`, '--password-stdin'], 'not the password\n');
  expect(wrong).toMatchObject({ code: 1, stdout: '', stderr: 'salesflow: wrong login or password, or the account is disabled\n' });
  expect(existsSync(credentials())).toBe(false);

  const admin = await salesflow(['login', '--url', h.url, '--login', `root-${run}`, '--password-stdin'], `${ADMIN_PASSWORD}\n`);
  expect(admin.stderr).toBe('');
  expect(admin.stdout).toBe(`logged in to ${h.url} as root-${run} (role admin); token stored in ${credentials()}\n`);
  // Only the user may read it, and it holds a revocable token, never the password.
  expect(statSync(credentials()).mode & 0o777).toBe(0o600);
  const stored = JSON.parse(readFileSync(credentials(), 'utf8'));
  expect(stored).toMatchObject({ url: h.url, login: `root-${run}`, token: expect.stringMatching(/^sft_/) });
  expect(readFileSync(credentials(), 'utf8')).not.toContain(ADMIN_PASSWORD);
  expect((await salesflow(['whoami'])).stdout).toBe(`root-${run} (role admin) at ${h.url}\n`);

  const rep = await salesflow(['user', 'create', '--login', `rita-${run}`, '--role', 'rep', '--person', 'alice', '--team', 'north', '--password-stdin'], `${REP_PASSWORD}\n`);
  // Created, with a word on what would leave it seeing nothing: no process has a team north (the built-in one's is sales).
  expect(rep).toMatchObject({ code: 0, stdout: `created user rita-${run} (role rep, person alice, team north)\nwarning: team "north" is in no published process (teams: sales)\n` });
  const other = await salesflow(['user', 'create', '--login', `rob-${run}`, '--role', 'rep', '--person', 'bob']);
  expect(other.stdout).toMatch(/^created user rob-\w+ \(role rep, person bob\)\npassword: \S{24} {3}\(shown only this once; only its hash is stored\)\n$/);
  // An account's person and team change later (an admin who takes on a rep's inbox, a move of team).
  expect(await salesflow(['user', 'update', `rob-${run}`, '--person', 'carl', '--team', 'south'])).toMatchObject({
    code: 0,
    stdout: `updated rob-${run} (role rep, person carl, team south)\nwarning: team "south" is in no published process (teams: sales)\nwarning: person "carl" is no rep or manager of a published process\n`,
  });
  expect(await salesflow(['user', 'update', `rob-${run}`, '--no-team', '--person', 'bob'])).toMatchObject({ code: 0, stdout: `updated rob-${run} (role rep, person bob, team -)\n` });
  expect(await salesflow(['user', 'update', `rob-${run}`])).toMatchObject({ code: 1, stderr: 'salesflow: say what to change: --person, --no-person, --team, --no-team or --name\n' });
  expect(await salesflow(['user', 'update', `nobody-${run}`, '--person', 'x'])).toMatchObject({ code: 1, stderr: `salesflow: no user "nobody-${run}"\n` });
  expect((await salesflow(['user', 'update', `rob-${run}`, '--person', 'two words'])).stderr).toMatch(/^salesflow: .*personId.*may hold only letters, digits and \. _ @ -\n$/);
  // The admin's prospect for bob, which alice must not see.
  expect((await salesflow(['create', `bobs-${run}`, '--name', 'Bea Bob', '--rep', 'bob'])).code).toBe(0);

  // The rep logs in on the same machine: the admin's token there is revoked, the rep's stored.
  const adminToken = stored.token as string;
  expect((await salesflow(['login', '--login', `rita-${run}`, '--password-stdin'], `${REP_PASSWORD}\n`)).stdout).toBe(
    `logged in to ${h.url} as rita-${run} (role rep, person alice); token stored in ${credentials()}; it replaces root-${run} at ${h.url}, whose token was revoked\n`,
  );
  const adminAgain = await fetch(`${h.url}/api/me`, { headers: { authorization: `Bearer ${adminToken}` } });
  expect(adminAgain.status).toBe(401);

  const id = `won-${run}`;
  const steps: string[][] = [
    // No --rep: a rep's prospect is their own.
    ['create', id, '--name', 'Wanda Won', '--email', 'wanda@won.test'],
    ['contact', id, '--channel', 'call', '--note', 'intro'],
    ['qualify', id, '--budget', '5000', '--outcome', 'qualified'],
    ['inquiry', 'create', id, '--item', 'PUMP-X:2'],
    ['quote', 'create', id, '--price', 'PUMP-X=1000'],
    ['quote', 'send', id],
    ['quote', 'accept', id, '--note', 'PO 1'],
  ];
  for (const step of steps) {
    const out = await salesflow(step);
    expect({ step, ...out }).toMatchObject({ step, code: 0, stderr: '' });
  }
  const won = JSON.parse((await salesflow(['show', id, '--json'])).stdout);
  expect(won).toMatchObject({ stage: 'won', info: { rep: 'alice' } });
  // Every command is recorded as the logged-in person, never a string the client chose.
  const people = won.changes.map((c: { by: string }) => c.by).filter((by: string) => by !== 'system');
  expect(people.length).toBeGreaterThanOrEqual(steps.length - 1); // every command after create
  expect(new Set(people)).toEqual(new Set(['alice']));

  const list = JSON.parse((await salesflow(['list', '--json'])).stdout) as { id: string }[];
  expect(list.map((r) => r.id)).not.toContain(`bobs-${run}`);
  expect(await salesflow(['show', `bobs-${run}`])).toMatchObject({ code: 1, stdout: '', stderr: `salesflow: no prospect "bobs-${run}"\n` });
  expect(await salesflow(['contact', `bobs-${run}`, '--channel', 'call'])).toMatchObject({ code: 1, stderr: `salesflow: no prospect "bobs-${run}"\n` });
  const publish = await salesflow(['process', 'publish', join(__dirname, '..', '..', 'examples', 'process-fast.yaml')]);
  expect(publish).toMatchObject({ code: 1, stdout: '', stderr: 'salesflow: only ops or an admin may publish processes\n' });
  expect(await salesflow(['user', 'list'])).toMatchObject({ code: 1, stderr: 'salesflow: only an admin manages user accounts\n' });
  // A rep's own tokens, under a header row.
  const tokens = (await salesflow(['token', 'list'])).stdout.split('\n');
  expect(tokens[0]).toMatch(/^TOKEN +ROLE +STATUS +NAME +LAST USED$/);
  expect(tokens.slice(1).some((l) => /^\S+ +rep +active +/.test(l))).toBe(true);

  // Logging out revokes the token and forgets it.
  const repToken = JSON.parse(readFileSync(credentials(), 'utf8')).token as string;
  expect((await salesflow(['logout'])).stdout).toBe(`logged out of ${h.url}; the token is revoked\n`);
  expect(existsSync(credentials())).toBe(false);
  expect((await fetch(`${h.url}/api/me`, { headers: { authorization: `Bearer ${repToken}` } })).status).toBe(401);
  expect((await salesflow(['show', id])).stderr).toContain('not logged in');
}, 120_000);

test('a token that was revoked elsewhere is refused with how to log in again', async () => {
  expect((await salesflow(['login', '--url', h.url, '--login', `root-${run}`, '--password-stdin'], `${ADMIN_PASSWORD}\n`)).code).toBe(0);
  const { tokenId } = JSON.parse(readFileSync(credentials(), 'utf8'));
  expect((await salesflow(['token', 'revoke', tokenId])).stdout).toBe(`revoked token ${tokenId}\n`);
  expect(await salesflow(['list'])).toMatchObject({ code: 1, stderr: 'salesflow: this API token is unknown, revoked, or its account disabled (run `salesflow login` again)\n' });
});

test('a login that replaces one on another server says so, and whether that token could be revoked there', async () => {
  // This machine was logged in to a server that is gone now (a closed port on loopback).
  const gone = `http://127.0.0.1:${await freePort()}`;
  writeFileSync(credentials(), JSON.stringify({ url: gone, token: 'sft_gone', tokenId: 'tok-gone', login: 'old-me' }), { mode: 0o600 });
  const out = await salesflow(['login', '--url', h.url, '--login', `root-${run}`, '--password-stdin'], `${ADMIN_PASSWORD}\n`);
  expect(out).toMatchObject({
    code: 0,
    stdout: `logged in to ${h.url} as root-${run} (role admin); token stored in ${credentials()}; it replaces old-me at ${gone}, whose token could not be revoked there: revoke it with \`salesflow token revoke\` when you can reach it\n`,
  });
  // Logging in again as the same person on the same server replaces nothing worth a word.
  const again = await salesflow(['login', '--login', `root-${run}`, '--password-stdin'], `${ADMIN_PASSWORD}\n`);
  expect(again.stdout).toBe(`logged in to ${h.url} as root-${run} (role admin); token stored in ${credentials()}\n`);
});
