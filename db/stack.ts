import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createUser, countUsers } from './accounts';
import { openDatabase, type SalesflowDb } from './database';
import { startEmbeddedPostgres } from './embedded';
import { migrateToLatest } from './migrations';
import { generatePassword } from './passwords';

/**
 * The database as a running salesflow sees it: an external PostgreSQL when DATABASE_URL is
 * set, else the embedded one under `<data dir>/postgres`. Migrated on open.
 */

export interface StackDatabase {
  db: SalesflowDb;
  /** For people: the URL without its password. */
  displayUrl: string;
  embedded: boolean;
  /** The embedded server's end without `stop()` (see EmbeddedPostgresServer.died); never for DATABASE_URL. */
  died: Promise<string>;
  /** Set once, on the start that created the first account. */
  admin?: { login: string; password: string };
  stop(): Promise<void>;
}

export const LOCAL_ADMIN_LOGIN = 'admin';

export async function openStackDatabase(options: { databaseUrl?: string; dataDir: string; port: number; queryTimeoutMs?: number }): Promise<StackDatabase> {
  const embedded = options.databaseUrl ? undefined : await startEmbeddedPostgres({ dir: localPostgresDir(options.dataDir), port: options.port });
  const url = options.databaseUrl ?? embedded!.url;
  const db = openDatabase(url, { ...(options.queryTimeoutMs !== undefined ? { queryTimeoutMs: options.queryTimeoutMs } : {}) });
  const stop = async () => {
    await db.destroy();
    await embedded?.stop();
  };
  try {
    await migrateToLatest(db);
    const admin = await createFirstAdmin(db);
    return { db, displayUrl: withoutPassword(url), embedded: embedded !== undefined, admin, stop, died: embedded?.died ?? new Promise<string>(() => undefined) };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * On a database without accounts, an `admin` with a random password that the caller shows
 * once; only its scrypt hash is stored. Never a fixed default password.
 */
export async function createFirstAdmin(db: SalesflowDb): Promise<{ login: string; password: string } | undefined> {
  if ((await countUsers(db)) > 0) return undefined;
  const password = generatePassword();
  try {
    await createUser(db, { login: LOCAL_ADMIN_LOGIN, role: 'admin', displayName: 'Local administrator', password });
  } catch (err) {
    // Another process created it between the count and the insert: that one prints it.
    if ((await countUsers(db)) > 0) return undefined;
    throw err;
  }
  return { login: LOCAL_ADMIN_LOGIN, password };
}

export function localPostgresDir(dataDir: string): string {
  return resolve(dataDir, 'postgres');
}

/**
 * The URL of the local stack's embedded database (running or not), for tools on the same
 * machine such as `salesflow admin`; undefined if `npm start` never ran in this data folder.
 */
export function localDatabaseUrl(dataDir: string, port: number): string | undefined {
  const passwordFile = join(localPostgresDir(dataDir), 'password');
  if (!existsSync(passwordFile)) return undefined;
  const password = readFileSync(passwordFile, 'utf8').trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/salesflow`;
}

export function withoutPassword(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** The lines `npm start` prints about the database, the first admin's password among them (once). */
export function describeStackDatabase(database: StackDatabase, dataDir: string): string[] {
  const where = database.embedded ? `embedded PostgreSQL, state in ${localPostgresDir(dataDir)}` : 'DATABASE_URL';
  const lines = [`  database      ${database.displayUrl} (${where})`];
  if (database.admin) {
    lines.push(`  first login   ${database.admin.login} / ${database.admin.password}   (created now and shown only this once; only its hash is stored)`);
  }
  return lines;
}
