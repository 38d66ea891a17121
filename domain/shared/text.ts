import { z } from 'zod';

/**
 * Text that people type ends up in tables, mails and calendar invitations. A control
 * character there breaks a table row, forges a mail header line or rings a terminal bell,
 * so every schema that reads names, notes, topics and the like uses these two helpers and
 * nothing else: one rule, one message, everywhere.
 */

// C0 controls, DEL, C1 controls and the Unicode line/paragraph separators.
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// The same without tab (U+0009) and newline (U+000A).
const CONTROL_BUT_TAB_NEWLINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

function codePoint(text: string, re: RegExp): string {
  const found = re.exec(text)?.[0] ?? '';
  return `U+${(found.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Why `text` is not clean single-line text, or undefined when it is. */
export function singleLineProblem(text: string): string | undefined {
  return ANY_CONTROL.test(text) ? `must be one line without control characters (found ${codePoint(text, ANY_CONTROL)})` : undefined;
}

/** Why `text` is not clean multi-line text, or undefined when it is. */
export function multiLineProblem(text: string): string | undefined {
  return CONTROL_BUT_TAB_NEWLINE.test(text)
    ? `must not contain control characters other than tab and newline (found ${codePoint(text, CONTROL_BUT_TAB_NEWLINE)})`
    : undefined;
}

function report(ctx: z.RefinementCtx, problem: string | undefined): void {
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
}

/**
 * `lenient` is for update handlers replaying commands accepted before the rule existed
 * (see domain/shared/inputRules.ts); everywhere else the rule holds.
 */
export function singleLineText(max: number, lenient = false) {
  const base = z.string().trim().max(max, `must be at most ${max} characters`);
  return lenient ? base : base.superRefine((t, ctx) => report(ctx, singleLineProblem(t)));
}

export function multiLineText(max: number, lenient = false) {
  const base = z.string().trim().max(max, `must be at most ${max} characters`);
  return lenient ? base : base.superRefine((t, ctx) => report(ctx, multiLineProblem(t)));
}

/**
 * Whether `text` holds every word of `query`, in any case (a search box's rule: "ann acme"
 * finds "Ann Buyer, ACME Corp"). An empty query matches everything.
 */
export function holdsEveryWord(text: string, query: string): boolean {
  const haystack = text.toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .every((w) => haystack.includes(w));
}
