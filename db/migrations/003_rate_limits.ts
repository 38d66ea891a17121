import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Rate-limit counters (login attempts) in the database, so every API process behind a load
 * balancer counts the same attempts and a restart does not forgive a guesser.
 */
export const rateLimits: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('rate_limits')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('window_start', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('count', 'integer', (c) => c.notNull())
      .execute();
    // The purge of old keys reads this (sessions_expires_at exists since 001).
    await db.schema.createIndex('idempotency_keys_created_at').on('idempotency_keys').column('created_at').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('idempotency_keys_created_at').execute();
    await db.schema.dropTable('rate_limits').execute();
  },
};
