import { z } from 'zod';
import { shareable } from './shareable';

/**
 * Durations in process files are written the way people say them: `5s`, `90m`, `2h30m`,
 * `3d`, `1w`. Tiny values must work so that escalation can be watched live, so seconds are
 * first-class; milliseconds (`500ms`) exist for tests.
 */
const UNIT_MS = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const;

const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/;

/** Parses `2h30m` into milliseconds; returns undefined for anything that is not a duration. */
export function parseDuration(text: string): number | undefined {
  let rest = text.trim();
  if (rest === '') return undefined;
  let total = 0;
  while (rest.length > 0) {
    const m = DURATION_RE.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}

/** Formats milliseconds back into the largest exact units, e.g. 90_000 → `1m30s`, 30 days → `30d`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  // Weeks only when whole: people write 30d, not 4w2d.
  const order: (keyof typeof UNIT_MS)[] = ms % UNIT_MS.w === 0 ? ['w'] : ['d', 'h', 'm', 's', 'ms'];
  let rest = ms;
  let out = '';
  for (const unit of order) {
    const size = UNIT_MS[unit];
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

/**
 * Months and years have no fixed length, so durations have no such units; a value written
 * with one (`1y`, `6mo`, `3M`) is told what to write instead.
 */
function calendarHint(value: unknown): string {
  if (typeof value !== 'string') return '';
  if (/^\s*\d+(\.\d+)?\s*(y|yr|yrs|year|years)\s*$/i.test(value)) return '; there is no year unit: write 365d or 52w';
  if (/^\s*\d+(\.\d+)?\s*(M|mo|mon|month|months)\s*$/.test(value)) return '; there is no month unit: write 30d or 4w';
  return '';
}

/** A duration written as text (`5s`, `3d`) or as a number of milliseconds; parsed to ms. */
export const DurationSchema = shareable(z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const ms = typeof value === 'number' ? value : parseDuration(value);
    if (ms === undefined || !Number.isFinite(ms) || ms <= 0) {
      ctx.addIssue({
        code: 'custom',
        continue: true,
        message: `must be a positive duration such as 5s, 30m, 2h, 3d or 2w (got ${JSON.stringify(value)})${calendarHint(value)}`,
      });
      // NaN rather than z.NEVER: z.NEVER aborts the parse, and the file's other problems
      // (an unknown team, say) would only show after this one is fixed.
      return Number.NaN;
    }
    return ms;
  }));
