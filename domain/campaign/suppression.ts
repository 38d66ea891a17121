import { z } from 'zod';
import { IsoTimeSchema } from '../pipeline/contact';
import { normalizeEmail } from '../shared/email';
import { DomainError, parseOrThrow } from '../shared/errors';
import { shareable, emailSchema } from '../shared/shareable';

/**
 * Consent: addresses that must never be mailed again by a campaign, and why. An
 * unsubscribe or a bounce is a fact, not a request, so adding is idempotent and the first
 * reason recorded stays.
 */

export const SUPPRESSION_REASONS = ['unsubscribed', 'bounced', 'manual'] as const;

/**
 * Each entry's size is bounded, so a shard's capacity can be stated: the address as
 * RFC 5321 allows it, and the source and detail cut (not refused: a bounce or an opt-out
 * must never be lost because the relay's words were long).
 */
export const MAX_SOURCE_LENGTH = 100;
export const MAX_DETAIL_LENGTH = 200;
const clipped = (max: number) => z.string().trim().default('').transform((text) => text.slice(0, max));

export const SuppressSchema = shareable(z.object({
  email: emailSchema('must be an email address').max(254, 'must be at most 254 characters').transform(normalizeEmail),
  reason: z.enum(SUPPRESSION_REASONS),
  /** Which campaign run the opt-out or bounce came from, or who added it. */
  source: clipped(MAX_SOURCE_LENGTH),
  detail: clipped(MAX_DETAIL_LENGTH),
  at: IsoTimeSchema.optional(),
}));
export type SuppressInput = z.input<typeof SuppressSchema>;

/** Taking an address off the list (a mistake, a bounce that was not one): who and why. */
export const UnsuppressSchema = shareable(z.object({
  email: emailSchema('must be an email address').max(254, 'must be at most 254 characters').transform(normalizeEmail),
  by: z.string().trim().min(1, 'is required').max(MAX_SOURCE_LENGTH),
  reason: z.string().trim().min(1, 'is required: say why the address may be mailed again').max(MAX_DETAIL_LENGTH, `must be at most ${MAX_DETAIL_LENGTH} characters`),
  at: IsoTimeSchema.optional(),
}));
export type UnsuppressInput = z.input<typeof UnsuppressSchema>;

export interface SuppressionRemoval {
  /** The entry as it was on the list. */
  entry: SuppressionEntry;
  by: string;
  reason: string;
  at: string;
}

export interface SuppressionEntry {
  email: string;
  reason: (typeof SUPPRESSION_REASONS)[number];
  source: string;
  detail: string;
  at: string;
}

export type SuppressionList = Record<string, SuppressionEntry>;

/**
 * What one shard may hold, in bytes of its JSON: the list rides in the continue-as-new
 * input and answers `listSuppressed`, both under Temporal's 2 MB payload limit. Half of
 * it leaves room for the record of removals and for the envelope, with room to spare.
 * About 7,000 typical entries (some 140 bytes each), at least 1,000 of the largest.
 */
export const SHARD_BUDGET_BYTES = 1_000_000;
/** Removals kept on a shard's record (the most recent); each is bounded like an entry. */
export const MAX_REMOVALS_KEPT = 200;

/** An entry's share of the shard's JSON (`"key":{...},`). */
export function entryBytes(entry: SuppressionEntry): number {
  return JSON.stringify(entry).length + entry.email.length + 4;
}

export function listBytes(list: SuppressionList): number {
  let total = 2;
  for (const entry of Object.values(list)) total += entryBytes(entry);
  return total;
}

/**
 * Adds an entry unless the address is there already (the first reason stays). A shard
 * already holding `usedBytes` refuses a new entry that would take it past the budget.
 */
export function suppress(list: SuppressionList, raw: unknown, now: string, usedBytes = 0): { list: SuppressionList; added: boolean; bytes: number } {
  const cmd = parseOrThrow(SuppressSchema, raw, 'suppression');
  if (list[cmd.email]) return { list, added: false, bytes: 0 };
  const entry: SuppressionEntry = { email: cmd.email, reason: cmd.reason, source: cmd.source, detail: cmd.detail, at: cmd.at ?? now };
  const bytes = entryBytes(entry);
  if (usedBytes + bytes > SHARD_BUDGET_BYTES) {
    throw new DomainError(
      `the suppression list's shard for ${cmd.email} is full (${Object.keys(list).length} entries, ${usedBytes} of ${SHARD_BUDGET_BYTES} bytes); ` +
        'take stale entries off with `campaign unsuppress`, or move the list to storage outside Temporal',
    );
  }
  return { list: { ...list, [cmd.email]: entry }, added: true, bytes };
}

/** Takes an address off the list, keeping the removal (who, why, what was there) on record. */
export function unsuppress(
  list: SuppressionList,
  removals: readonly SuppressionRemoval[],
  raw: unknown,
  now: string,
): { list: SuppressionList; removals: SuppressionRemoval[]; removal: SuppressionRemoval } {
  const cmd = parseOrThrow(UnsuppressSchema, raw, 'unsuppression');
  const entry = list[cmd.email];
  if (!entry) throw new DomainError(`${cmd.email} is not on the suppression list`);
  const { [cmd.email]: _removed, ...rest } = list;
  const removal: SuppressionRemoval = { entry, by: cmd.by, reason: cmd.reason, at: cmd.at ?? now };
  return { list: rest, removals: [...removals, removal].slice(-MAX_REMOVALS_KEPT), removal };
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
 * (SHARD_BUDGET_BYTES a shard). Never change the count: addresses would move shards.
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


/** Addresses grouped by the shard that holds them. */
export function byShard(emails: readonly string[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const email of emails) {
    const shard = suppressionShard(email);
    out.set(shard, [...(out.get(shard) ?? []), email]);
  }
  return out;
}
