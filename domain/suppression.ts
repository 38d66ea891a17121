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
 * One suppression list per deployment, i.e. per task queue: `suppression-list-salesflow`
 * for the default queue. (Test runs use their own queues and so their own lists.)
 */
export function suppressionWorkflowId(taskQueue: string): string {
  return `suppression-list-${taskQueue}`;
}
