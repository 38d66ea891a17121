import { z } from 'zod';
import { DomainError } from '../shared/errors';
import { shareable } from '../shared/shareable';

/**
 * Campaign mail templates: a subject, a text body and an optional HTML body with
 * `{{variable}}` placeholders. Which variables a template needs is known before anything
 * is sent, so a campaign whose audience lacks one is refused at validation time.
 */

const VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
/** Anything that looks like a placeholder but is not a valid one (`{{ first name }}`, `{{}}`). */
const MALFORMED = /\{\{(?!\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\})[^}]*\}\}/;

/**
 * Braces a placeholder left open or closed without opening: `{{company}` or a stray `}}` would
 * otherwise reach every recipient as written. `}}` is checked in the subject and text only,
 * since an HTML body's CSS may close two blocks in a row (`@media (...) { p { ... }}`).
 */
function unbalanced(text: string, strayClose: boolean): string | undefined {
  const rest = text.replace(VARIABLE, ' ');
  const open = /\{\{[^\s]{0,20}/.exec(rest);
  if (open) return `has ${JSON.stringify(open[0])} without its closing }} (a placeholder is {{name}})`;
  const close = strayClose ? /\S{0,20}\}\}/.exec(rest) : null;
  if (close) return `has ${JSON.stringify(close[0])}: a }} with no {{ before it (a placeholder is {{name}})`;
  return undefined;
}

const TemplatePart = (max: number, strayClose = true) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max)
    .refine((t) => !MALFORMED.test(t), { message: 'has a malformed {{placeholder}} (names are letters, digits and _)' })
    .superRefine((t, ctx) => {
      if (MALFORMED.test(t)) return; // said once, above
      const problem = unbalanced(t, strayClose);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    });

/** Strict like the rest of a campaign file: `htm:` for `html:` would drop the HTML part unseen. */
export const TemplateSchema = shareable(z.strictObject({
  subject: TemplatePart(500),
  text: TemplatePart(100_000),
  html: TemplatePart(500_000, false).optional(),
}));
export type Template = z.infer<typeof TemplateSchema>;

/**
 * Variables salesflow fills in itself for every recipient, whatever the audience:
 * the address, and the signed unsubscribe link (`unsubscribeUrl`).
 */
export const BUILT_IN_VARIABLES = ['email', 'unsubscribeUrl'] as const;

export function variablesOf(text: string): string[] {
  return [...new Set([...text.matchAll(VARIABLE)].map((m) => m[1]!))];
}

/** Every variable the template uses, in order of first appearance. */
export function templateVariables(template: Template): string[] {
  return [...new Set([...variablesOf(template.subject), ...variablesOf(template.text), ...variablesOf(template.html ?? '')])];
}

/** The variables a template needs that the audience does not provide; empty when it can be sent. */
export function missingVariables(template: Template, provided: Iterable<string>): string[] {
  const have = new Set<string>([...BUILT_IN_VARIABLES, ...provided]);
  return templateVariables(template).filter((v) => !have.has(v));
}

export function requireVariables(template: Template, provided: Iterable<string>, source: string): void {
  const columns = [...provided];
  const missing = missingVariables(template, columns);
  if (missing.length > 0) {
    // A column that differs only in case (`Name` for {{name}}) is named, so the fix is plain.
    const near = missing.flatMap((v) => columns.filter((c) => c.toLowerCase() === v.toLowerCase()).map((c) => `{{${v}}} is not the column "${c}": a variable names its column exactly as written`));
    const message = `template uses ${missing.map((v) => `{{${v}}}`).join(', ')} but ${source} does not provide ${missing.length === 1 ? 'it' : 'them'}${near.length > 0 ? ` (${near.join('; ')})` : ''}`;
    // At the part that uses the first of them, so a definition's editor marks its line.
    const part = (['subject', 'text', 'html'] as const).find((p) => variablesOf(template[p] ?? '').includes(missing[0]!)) ?? 'text';
    throw new DomainError(message, [{ path: ['template', part], message }]);
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function fill(text: string, vars: Readonly<Record<string, string>>, escape: (s: string) => string): string {
  return text.replace(VARIABLE, (_all, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new DomainError(`template variable {{${name}}} has no value`);
    return escape(value);
  });
}

export interface RenderedMail {
  subject: string;
  text: string;
  html?: string;
}

/**
 * Fills in every placeholder; values are HTML-escaped in the HTML body, and line breaks
 * are removed from the subject (a header cannot carry them).
 */
export function renderTemplate(template: Template, vars: Readonly<Record<string, string>>): RenderedMail {
  return {
    subject: fill(template.subject, vars, (s) => s.replace(/[\r\n]+/g, ' ')),
    text: fill(template.text, vars, (s) => s),
    ...(template.html === undefined ? {} : { html: fill(template.html, vars, escapeHtml) }),
  };
}
