import { sql } from 'kysely';
import type { SalesflowDb } from './database';

/**
 * What the database may forget: sessions past their end, idempotency records older than any
 * client's retry, and rate-limit windows that have closed. Run by the server every few
 * minutes; each delete is bounded by its index, so a purge is cheap however long it waited.
 */

/** A client retries a command within minutes; a day covers a laptop that slept. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 3_600_000;

export interface PurgeReport {
  sessions: number;
  idempotencyKeys: number;
  rateLimits: number;
}

export async function purgeExpired(db: SalesflowDb, now = new Date(), rateLimitWindowMs = 60_000): Promise<PurgeReport> {
  const sessions = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
  const keys = await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<=', new Date(now.getTime() - IDEMPOTENCY_KEY_TTL_MS))
    .executeTakeFirst();
  const limits = await db
    .deleteFrom('rate_limits')
    .where('window_start', '<=', new Date(now.getTime() - rateLimitWindowMs))
    .executeTakeFirst();
  return { sessions: Number(sessions.numDeletedRows), idempotencyKeys: Number(keys.numDeletedRows), rateLimits: Number(limits.numDeletedRows) };
}

/**
 * One more attempt under `key` in a window of `windowMs`: the count in the current window
 * and the milliseconds until it closes. One statement, so two servers counting the same key
 * at once both count (the row is locked by the upsert).
 */
export async function countAttempt(db: SalesflowDb, key: string, windowMs: number): Promise<{ current: number; ttl: number }> {
  const windowEnded = sql<boolean>`rate_limits.window_start + make_interval(secs => ${windowMs / 1000}) <= now()`;
  const row = await db
    .insertInto('rate_limits')
    .values({ key, count: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql<number>`case when ${windowEnded} then 1 else rate_limits.count + 1 end`,
        window_start: sql<Date>`case when ${windowEnded} then now() else rate_limits.window_start end`,
      }),
    )
    .returning(['count', sql<number>`greatest(0, ${windowMs} - extract(epoch from (now() - window_start)) * 1000)`.as('ttl')])
    .executeTakeFirstOrThrow();
  return { current: row.count, ttl: Math.ceil(Number(row.ttl)) };
}

/**
 * Forgets the attempts counted under every key ending in `|<suffix>` (each route's prefix
 * before it): a successful login starts its count afresh, so only failures add up.
 */
export async function forgetAttempts(db: SalesflowDb, suffix: string): Promise<void> {
  const tail = `|${suffix}`;
  await db.deleteFrom('rate_limits').where(sql<boolean>`right(key, ${tail.length}) = ${tail}`).execute();
}

/** The count in the current window without counting (0 when it has closed). */
export async function peekAttempts(db: SalesflowDb, key: string, windowMs: number): Promise<{ current: number; ttl: number }> {
  const row = await db
    .selectFrom('rate_limits')
    .select(['count', sql<number>`greatest(0, ${windowMs} - extract(epoch from (now() - window_start)) * 1000)`.as('ttl')])
    .where('key', '=', key)
    .executeTakeFirst();
  const ttl = row ? Math.ceil(Number(row.ttl)) : 0;
  return ttl > 0 && row ? { current: row.count, ttl } : { current: 0, ttl: 0 };
}
