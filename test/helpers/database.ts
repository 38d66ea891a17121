import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { ensureDatabase, openDatabase, withDatabaseName, type SalesflowDb } from '../../db/database';
import { migrateToLatest } from '../../db/migrations';

export interface TestDatabase {
  url: string;
  name: string;
  db: SalesflowDb;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** The run's PostgreSQL (started by globalSetup). */
export function testServerUrl(): string {
  const url = process.env.SALESFLOW_TEST_DATABASE_URL;
  if (!url) throw new Error('SALESFLOW_TEST_DATABASE_URL is not set: run the tests through jest, whose globalSetup starts PostgreSQL');
  return url;
}

/**
 * A fresh database of its own for one test file, so files running in parallel never see
 * each other's rows; migrated unless `migrate: false`.
 */
export async function freshDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const serverUrl = testServerUrl();
  await ensureDatabase(serverUrl, name);
  const url = withDatabaseName(serverUrl, name);
  const db = openDatabase(url, { maxConnections: 4 });
  if (options.migrate !== false) await migrateToLatest(db);
  return {
    url,
    name,
    db,
    async drop() {
      await db.destroy();
      const admin = openDatabase(withDatabaseName(serverUrl, 'postgres'), { maxConnections: 1 });
      try {
        await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
      } finally {
        await admin.destroy();
      }
    },
  };
}
