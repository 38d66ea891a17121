import { z } from 'zod';
import { DatabaseConfigSchema } from '../domain/shared/config';
import { describeIssues } from '../domain/shared/errors';
import { ensureDatabase, openDatabase } from './database';
import { migrateToLatest } from './migrations';
import { withoutPassword } from './stack';

/**
 * `npm run db:migrate` (compose's one-shot `salesflow-db` service): creates the database
 * DATABASE_URL names if the server lacks it, then applies pending migrations. Safe to run
 * on every deploy and from several hosts at once.
 */
async function main(): Promise<void> {
  const parsed = DatabaseConfigSchema.extend({ DATABASE_URL: DatabaseConfigSchema.shape.DATABASE_URL.unwrap() }).safeParse(process.env);
  if (!parsed.success) throw new Error(`bad configuration: ${describeIssues(parsed.error as z.ZodError).join('; ')}`);
  const url = parsed.data.DATABASE_URL;
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (name === '') throw new Error('DATABASE_URL names no database (expected postgres://user:password@host:port/salesflow)');
  await ensureDatabase(url, name);
  const db = openDatabase(url, { maxConnections: 1 });
  try {
    const applied = await migrateToLatest(db);
    console.log(`salesflow database ${withoutPassword(url)}: ${applied.length === 0 ? 'up to date' : `applied ${applied.map((m) => m.migrationName).join(', ')}`}`);
  } finally {
    await db.destroy();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`salesflow: ${(err as Error).message}`);
    process.exit(1);
  },
);
