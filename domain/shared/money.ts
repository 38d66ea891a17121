import { z } from 'zod';

/**
 * Money is integer cents from the moment it is read: a price is written as decimal text
 * (`1999.90`, `45`, `0.5`) and never goes through a binary float, so `0.1 + 0.2` cannot
 * happen to a quotation. Hex, exponents, thousands separators and signs are refused rather
 * than guessed at (`1,999.90` is a thousand times off in half the world).
 */

/** 1,000,000,000.00: the largest unit price, and the largest line total, a quotation takes. */
export const MAX_AMOUNT_CENTS = 100_000_000_000;
export const MAX_AMOUNT_TEXT = '1000000000.00';
/** A quotation has at most this many lines, so its total (≤ 10^14 cents) stays an exact integer. */
export const MAX_QUOTE_LINES = 1000;

const DECIMAL_RE = /^(\d+)(?:\.(\d{1,2}))?$/;

export const PRICE_FORM = 'write digits with at most two decimals, like 1999.90';
export const PERCENT_FORM = 'write a number from 0 to 100 with at most two decimals, like 12.5';

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/** `"1999.90"` → 199990 cents; a problem that shows the accepted form otherwise. */
export function parsePriceText(text: string): Parsed<number> {
  const m = DECIMAL_RE.exec(text.trim());
  // An empty field asks for a price rather than calling "" no price.
  if (!m && text.trim() === '') return { ok: false, problem: `give a price: ${PRICE_FORM}` };
  if (!m) return { ok: false, problem: `${JSON.stringify(text)} is not a price: ${PRICE_FORM}` };
  const whole = m[1]!.replace(/^0+(?=\d)/, '');
  // Compare digits before converting: a 30-digit price must not round into range.
  if (whole.length > 10) return { ok: false, problem: `${JSON.stringify(text)} is above the limit of ${MAX_AMOUNT_TEXT}` };
  const cents = Number(whole) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  if (cents > MAX_AMOUNT_CENTS) return { ok: false, problem: `${JSON.stringify(text)} is above the limit of ${MAX_AMOUNT_TEXT}` };
  return { ok: true, value: cents };
}

/**
 * A discount is kept in basis points (hundredths of a percent, 0–10000): `"12.5"` → 1250.
 * Two decimals of a percent is finer than any price list needs and keeps the arithmetic
 * in integers.
 */
export function parsePercentText(text: string): Parsed<number> {
  const m = DECIMAL_RE.exec(text.trim());
  if (!m) return { ok: false, problem: `${JSON.stringify(text)} is not a discount: ${PERCENT_FORM}` };
  const whole = m[1]!.replace(/^0+(?=\d)/, '');
  const bp = whole.length > 3 ? Infinity : Number(whole) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  if (bp > 10_000) return { ok: false, problem: `${JSON.stringify(text)} is not a discount: ${PERCENT_FORM}` };
  return { ok: true, value: bp };
}

/** A number with at most two decimals, as commands recorded before prices were text carried them. */
function legacyHundredths(n: number): number | undefined {
  const scaled = Math.round(n * 100);
  return Number.isFinite(n) && n >= 0 && Math.abs(n * 100 - scaled) < 1e-6 ? scaled : undefined;
}

/**
 * A decimal amount in a command: text parsed to hundredths by `parseText`. With `legacy`,
 * also a number (commands recorded before amounts were text; see domain/shared/inputRules.ts),
 * accepted where `legacyLimit` allows it.
 */
function hundredthsSchema(
  legacy: boolean,
  parseText: (text: string) => { ok: true; value: number } | { ok: false; problem: string },
  example: string,
  legacyProblem: string,
  legacyLimit = Number.POSITIVE_INFINITY,
) {
  return z.union([z.string(), z.number()]).transform((value, ctx) => {
    if (typeof value === 'number') {
      const hundredths = legacy ? legacyHundredths(value) : undefined;
      if (hundredths !== undefined && hundredths <= legacyLimit) return hundredths;
      ctx.addIssue({ code: 'custom', message: legacy ? legacyProblem : `must be decimal text such as "${example}", not the number ${value}` });
      return z.NEVER;
    }
    const parsed = parseText(value);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: 'custom', message: parsed.problem });
    return z.NEVER;
  });
}

/** A unit price in a command: decimal text, parsed to cents. */
export function priceSchema(legacy: boolean) {
  return hundredthsSchema(legacy, parsePriceText, '1999.90', 'must not be negative and must have at most two decimals');
}

/** A discount percent in a command, as decimal text, parsed to basis points. */
export function percentSchema(legacy: boolean) {
  return hundredthsSchema(legacy, parsePercentText, '12.5', 'must be from 0 to 100', 10_000);
}

/** 123456 → "1234.56"; amounts are shown with their currency beside them. */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** 1250 → "12.5"; 1000 → "10". */
export function formatBasisPoints(bp: number): string {
  const whole = Math.floor(bp / 100);
  const rest = bp % 100;
  return rest === 0 ? String(whole) : `${whole}.${String(rest).padStart(2, '0').replace(/0$/, '')}`;
}
