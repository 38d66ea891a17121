import type { ContractRecord, SupportCase } from './customer';

/**
 * The account's states as a person reads them, one wording for the CLI and the web app. This
 * module imports types only, so the web app bundles these few words and nothing else of the
 * domain.
 */

/**
 * What happens at the end of a contract's term, beside its status: an auto-renewing one
 * "auto-renews" only until the customer declines; declined, it lapses at its end like any
 * other, and "auto-renews" beside "ending" would say the opposite of what will happen.
 */
export function renewalNote(k: Pick<ContractRecord, 'autoRenew' | 'declined'>): 'declined' | 'auto-renews' | undefined {
  if (k.declined) return 'declined';
  return k.autoRenew ? 'auto-renews' : undefined;
}

/**
 * What the profile suggests for a support query (`suggestionFor` in `profile.ts`), in the
 * words its answer offers: the CLI's `customer show` and `support query`, the task's title and
 * the web's badge all say "replacement quote", not the code `replace`.
 */
export const SUGGESTION_WORDS: Record<SupportCase['suggestion'], string> = { repair: 'repair', replace: 'replacement quote', answer: 'answer' };

/** What an answered query became, in words: the code `new_deal` is the API's and the CLI flag's, not a person's. */
export const SUPPORT_OUTCOME_WORDS: Record<NonNullable<SupportCase['outcome']>, string> = { answered: 'answered', repair: 'repair', new_deal: 'replacement deal' };

/** The answer that carries out each suggestion, which the answer form offers first. */
export const OUTCOME_FOR_SUGGESTION: Record<SupportCase['suggestion'], NonNullable<SupportCase['outcome']>> = { repair: 'repair', replace: 'new_deal', answer: 'answered' };
