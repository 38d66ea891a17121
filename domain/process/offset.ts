import { z } from 'zod';
import { parseDuration } from '../shared/duration';
import { shareable } from '../shared/shareable';

/**
 * When something is due relative to an event. Sales SLAs are usually counted in business
 * days ("first call within 1 business day of qualification"), so besides plain durations
 * (`4h`, `2d`, `30s`) an offset may be `1bd`: that many weekdays later, same time of day.
 * Weekends are Saturday and Sunday in UTC; holidays are not modelled.
 */
export type Offset = { ms: number } | { businessDays: number };


// The parsed form is accepted too, so a validated definition can be validated again
// (workflow inputs and continue-as-new carry parsed definitions).
const ParsedOffsetSchema = z.union([
  z.object({ ms: z.number().nonnegative() }).strict(),
  z.object({ businessDays: z.number().int().nonnegative() }).strict(),
]);

export const OffsetSchema = shareable(z.union([z.string(), z.number(), ParsedOffsetSchema]).transform((value, ctx): Offset => {
  if (typeof value === 'object') return value;
  if (typeof value === 'string') {
    const bd = /^\s*(\d+)\s*bd\s*$/.exec(value);
    if (bd) return { businessDays: Number(bd[1]) };
  }
  const ms = typeof value === 'number' ? value : parseDuration(value);
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
    ctx.addIssue({ code: 'custom', continue: true, message: `must be a duration such as 30s, 4h, 2d or business days such as 1bd (got ${JSON.stringify(value)})` });
    // Not z.NEVER, which would hide the file's other problems until this one is fixed.
    return { ms: Number.NaN };
  }
  return { ms };
}));

export function addOffset(fromIso: string, offset: Offset): string {
  const from = Date.parse(fromIso);
  if ('ms' in offset) return new Date(from + offset.ms).toISOString();
  const d = new Date(from);
  let left = offset.businessDays;
  // A start on a weekend counts from the next Monday, as a person would.
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) left--;
  }
  return d.toISOString();
}

export function formatOffset(offset: Offset): string {
  if ('businessDays' in offset) return `${offset.businessDays}bd`;
  const units: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]];
  for (const [unit, size] of units) if (offset.ms >= size && offset.ms % size === 0) return `${offset.ms / size}${unit}`;
  return `${offset.ms}ms`;
}
