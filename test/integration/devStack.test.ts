import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { freePort } from '../../scripts/freePort';

/**
 * `npm start` (the built scripts/devStack.js, on ports and a data folder of its own): when
 * its Temporal dev server or its embedded PostgreSQL dies under it, the stack stops and says
 * why, instead of running on with a worker and an API failing at every turn; Ctrl-C still
 * stops it quietly. Either way nothing is left running.
 */

/** The pid of the process whose command line holds `needle` as an argument (Linux /proc). */
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

interface RunningStack {
  child: ChildProcess;
  dataDir: string;
  ports: { temporal: number; ui: number; smtp: number; http: number; postgres: number };
  output(): string;
  exited: Promise<number | null>;
}

const stacks: RunningStack[] = [];
afterEach(() => {
  for (const s of stacks.splice(0)) {
    if (s.child.exitCode === null) s.child.kill('SIGKILL');
    rmSync(s.dataDir, { recursive: true, force: true });
  }
});

/** Starts the stack as a terminal would: a process group of its own (so a Ctrl-C can reach it all). */
async function startStack(): Promise<RunningStack> {
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
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stack = { child, dataDir, ports, output: () => out, exited };
  stacks.push(stack);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up within 120 s:\n${out}`)), 120_000);
    child.stdout!.on('data', () => {
      if (out.includes('salesflow is running:')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => reject(new Error(`npm start exited (${code}) before it was running:\n${out}`)));
  });
  expect(await listening(ports.postgres)).toBe(true);
  expect(await listening(ports.temporal)).toBe(true);
  return stack;
}

test('the Temporal dev server killed under npm start: the stack stops, says why and exits 1, PostgreSQL stopped too', async () => {
  const stack = await startStack();
  const temporal = pidWith(join(stack.dataDir, 'temporal.db'));
  expect(temporal).toBeDefined();
  process.kill(temporal!, 'SIGKILL');

  expect(await stack.exited).toBe(1);
  expect(stack.output()).toContain('salesflow: the Temporal dev server stopped unexpectedly (killed by SIGKILL); shutting down.');
  expect(stack.output()).toContain(`its state is kept in ${join(stack.dataDir, 'temporal.db')}`);
  // It shut the rest down on its way out.
  expect(await listening(stack.ports.postgres)).toBe(false);
  expect(await listening(stack.ports.http)).toBe(false);
}, 180_000);

test('the embedded PostgreSQL killed under npm start: the stack stops, says why and exits 1, Temporal stopped too', async () => {
  const stack = await startStack();
  const postmaster = Number(readFileSync(join(stack.dataDir, 'postgres', 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  process.kill(postmaster, 'SIGKILL');

  expect(await stack.exited).toBe(1);
  expect(stack.output()).toContain('salesflow: PostgreSQL stopped unexpectedly (killed by SIGKILL');
  expect(stack.output()).toContain(`its state is kept in ${join(stack.dataDir, 'postgres')}`);
  expect(await listening(stack.ports.temporal)).toBe(false);
  expect(await listening(stack.ports.http)).toBe(false);
}, 180_000);

test('Ctrl-C (SIGINT to the terminal\'s process group) stops npm start quietly, exit 0, nothing left running', async () => {
  const stack = await startStack();
  // Its sink bounces mail to @bounce.example (a user watching a campaign handle a bounce) and says so.
  expect(stack.output()).toContain('(mail to any address @bounce.example bounces: 550)');
  const transport = createTransport({ host: '127.0.0.1', port: stack.ports.smtp, secure: false, ignoreTLS: true });
  await expect(transport.sendMail({ from: 'a@salesflow.test', to: 'nobody@bounce.example', subject: 'x', text: 'x' })).rejects.toMatchObject({ responseCode: 550 });
  await expect(transport.sendMail({ from: 'a@salesflow.test', to: 'somebody@customer.example', subject: 'x', text: 'x' })).resolves.toMatchObject({ accepted: ['somebody@customer.example'] });
  transport.close();
  process.kill(-stack.child.pid!, 'SIGINT');

  expect(await stack.exited).toBe(0);
  expect(stack.output()).not.toContain('unexpectedly');
  expect(stack.output()).toContain('salesflow: worker stopped (Ctrl-C: SIGINT); shutting down the mail sink, PostgreSQL and Temporal ...');
  expect(await listening(stack.ports.postgres)).toBe(false);
  expect(await listening(stack.ports.temporal)).toBe(false);
  expect(await listening(stack.ports.http)).toBe(false);
}, 180_000);
