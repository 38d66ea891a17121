import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/freePort';

/**
 * `npm start` (the built scripts/devStack.js, on ports and a data folder of its own): when
 * its Temporal dev server dies under it, the stack stops and says why, instead of running on
 * with a worker polling nothing and an API answering 503, and leaves nothing running.
 */

/** The pid of the process whose command line holds `needle` (Linux /proc). */
function pidWith(needle: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(needle)) return Number(entry);
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

test('the Temporal dev server killed under npm start: the stack stops, says why and exits 1, PostgreSQL stopped too', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'salesflow-devstack-'));
  // As root, the embedded PostgreSQL runs as `postgres` and must traverse to its folder.
  chmodSync(dataDir, 0o711);
  const ports = { temporal: await freePort(), ui: await freePort(), smtp: await freePort(), http: await freePort(), postgres: await freePort() };
  // Its own embedded PostgreSQL, as a new user's `npm start` has.
  const { DATABASE_URL: _external, ...inherited } = process.env;
  const child = spawn(process.execPath, [join(__dirname, '..', '..', 'dist', 'scripts', 'devStack.js')], {
    env: {
      ...inherited,
      TEMPORAL_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      SMTP_PORT: String(ports.smtp),
      SALESFLOW_HTTP_PORT: String(ports.http),
      SALESFLOW_POSTGRES_PORT: String(ports.postgres),
      SALESFLOW_DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not come up within 120 s:\n${out}`)), 120_000);
      const check = () => {
        if (out.includes('salesflow is running:')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', check);
      void exited.then((code) => reject(new Error(`npm start exited (${code}) before it was running:\n${out}`)));
    });
    expect(await listening(ports.postgres)).toBe(true);
    const temporal = pidWith(join(dataDir, 'temporal.db'));
    expect(temporal).toBeDefined();
    process.kill(temporal!, 'SIGKILL');

    expect(await exited).toBe(1);
    expect(out).toContain('salesflow: the Temporal dev server stopped unexpectedly (killed by SIGKILL); shutting down.');
    expect(out).toContain(`its state is kept in ${join(dataDir, 'temporal.db')}`);
    // It shut the rest down on its way out.
    expect(await listening(ports.postgres)).toBe(false);
    expect(await listening(ports.http)).toBe(false);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 180_000);
