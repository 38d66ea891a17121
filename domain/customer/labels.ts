import type { ContractRecord } from './customer';

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

