import { z } from 'zod';
import { IsoTimeSchema } from './contact';
import { normalizeEmail } from './csv';
import { parseOrThrow } from './errors';

/**
 * Consent: addresses that must never be mailed again by a campaign, and why. An
 * unsubscribe or a bounce is a fact, not a request, so adding is idempotent and the first
 * reason recorded stays.
 */

export const SUPPRESSION_REASONS = ['unsubscribed', 'bounced', 'manual'] as const;

export const SuppressSchema = z.object({
  email: z.email('must be an email address').transform(normalizeEmail),
  reason: z.enum(SUPPRESSION_REASONS),
  /** Which campaign run the opt-out or bounce came from, or who added it. */
  source: z.string().trim().max(200).default(''),
  detail: z.string().trim().max(1000).default(''),
  at: IsoTimeSchema.optional(),
});
export type SuppressInput = z.input<typeof SuppressSchema>;

export interface SuppressionEntry {
  email: string;
  reason: (typeof SUPPRESSION_REASONS)[number];
  source: string;
  detail: string;
  at: string;
}

export type SuppressionList = Record<string, SuppressionEntry>;

export function suppress(list: SuppressionList, raw: unknown, now: string): { list: SuppressionList; added: boolean } {
  const cmd = parseOrThrow(SuppressSchema, raw, 'suppression');
  if (list[cmd.email]) return { list, added: false };
  return { list: { ...list, [cmd.email]: { email: cmd.email, reason: cmd.reason, source: cmd.source, detail: cmd.detail, at: cmd.at ?? now } }, added: true };
}

/** The entries among the given addresses; what a campaign batch asks before sending. */
export function suppressedAmong(list: SuppressionList, emails: readonly string[]): SuppressionEntry[] {
  const out: SuppressionEntry[] = [];
  for (const email of emails) {
    const entry = list[normalizeEmail(email)];
    if (entry) out.push(entry);
  }
  return out;
}

/**
 * The suppression list of a deployment (one per task queue) is split over a fixed number
 * of shard workflows by a hash of the address, so it can grow to hundreds of thousands of
 * entries while each shard's state stays well inside Temporal's 2 MB payload limit
 * (about 20,000 entries a shard). Never change the count: addresses would move shards.
 */
export const SUPPRESSION_SHARDS = 16;

/** FNV-1a over the normalised address: stable across processes and versions. */
export function suppressionShard(email: string): number {
  let hash = 0x811c9dc5;
  for (const ch of normalizeEmail(email)) {
    hash ^= ch.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % SUPPRESSION_SHARDS;
}

/** `suppression-list-salesflow-7` for shard 7 of the default queue. */
export function suppressionWorkflowId(taskQueue: string, shard: number): string {
  return `suppression-list-${taskQueue}-${shard}`;
}

/** Addresses grouped by the shard that holds them. */
export function byShard(emails: readonly string[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const email of emails) {
    const shard = suppressionShard(email);
    out.set(shard, [...(out.get(shard) ?? []), email]);
  }
  return out;
}
