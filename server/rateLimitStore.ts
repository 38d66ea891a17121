import { countAttempt, peekAttempts } from '../db/housekeeping';
import type { SalesflowDb } from '../db/database';

type Callback = (err: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * A store for @fastify/rate-limit that counts in the salesflow database instead of the
 * process's memory: every API process sees the same count, and restarting one does not
 * reset a password guesser's window. Keys are prefixed with the route they limit.
 */
export function postgresRateLimitStore(db: SalesflowDb): new (options: unknown) => object {
  class PostgresRateLimitStore {
    constructor(readonly prefix = '') {}

    incr(key: string, cb: Callback, timeWindow: number): void {
      countAttempt(db, `${this.prefix}${key}`, timeWindow).then(
        (result) => cb(null, result),
        (err: Error) => cb(err),
      );
    }

    read(key: string, cb: Callback, timeWindow: number): void {
      peekAttempts(db, `${this.prefix}${key}`, timeWindow).then(
        (result) => cb(null, result),
        (err: Error) => cb(err),
      );
    }

    child(routeOptions: { routeInfo?: { method?: string; url?: string } }): PostgresRateLimitStore {
      const route = routeOptions.routeInfo;
      return new PostgresRateLimitStore(route ? `${route.method} ${route.url}|` : this.prefix);
    }
  }
  return class extends PostgresRateLimitStore {
    constructor(_options: unknown) {
      super('');
    }
  };
}
