import { formatDuration } from '../shared/duration';
import { fieldRefusal } from '../shared/errors';
import type { InquiryItem } from './inquiry';
import type { ProcessDefinition } from '../process/process';

/**
 * Times that cannot be true are refused, each with the rule it breaks. "Now" is always the
 * time the command is accepted (the workflow's clock), never the caller's.
 */

/** A contact may be logged this far ahead of now: the caller's clock may run a little fast. */
export const CONTACT_CLOCK_SKEW_MS = 5 * 60_000;

/** A call longer than a working day is a typo (`10d` for `10m`); processes may set their own. */
export const DEFAULT_MAX_CALL_DURATION_MS = 10 * 3_600_000;

export function maxCallDuration(process: ProcessDefinition): number {
  // Definitions published before the setting existed carry no value.
  return process.calls.maxDuration ?? DEFAULT_MAX_CALL_DURATION_MS;
}

export function checkCallDuration(process: ProcessDefinition, durationMs: number): void {
  const max = maxCallDuration(process);
  if (durationMs > max) {
    throw fieldRefusal(
      'call',
      ['duration'],
      `a call of ${formatDuration(durationMs)} is longer than ${formatDuration(max)} (rule: a call lasts at most calls.maxDuration of process "${process.name}")`,
    );
  }
}

export function checkContactTime(at: string | undefined, now: string): void {
  if (at !== undefined && Date.parse(at) > Date.parse(now) + CONTACT_CLOCK_SKEW_MS) {
    throw fieldRefusal('contact', ['at'], `${at} is in the future (rule: a contact is logged when it has happened; at most 5 minutes of clock skew)`);
  }
}

/** Wanted delivery dates are calendar days; today (UTC) is still a possible wish. */
export function checkWantedDates(items: readonly InquiryItem[], now: string, field = 'items'): void {
  const today = now.slice(0, 10);
  items.forEach((item, i) => {
    if (item.wantedDeliveryDate !== undefined && item.wantedDeliveryDate < today) {
      throw fieldRefusal(
        'inquiry',
        [field, i, 'wantedDeliveryDate'],
        `${item.wantedDeliveryDate} (${item.product}) is in the past (rule: a wanted delivery date is today, ${today}, or later)`,
      );
    }
  });
}
