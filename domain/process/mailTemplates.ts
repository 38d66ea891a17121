import { z } from 'zod';
import { DomainError } from '../shared/errors';
import { escapeHtml } from '../campaign/template';
import { shareable } from '../shared/shareable';

/**
 * The customer-facing mails of a process, each a subject and a body with `{{variable}}`
 * placeholders that sales ops can override per process. Every kind has a fixed set of
 * variables; a template naming any other is refused when the process is validated or
 * published, never discovered when a customer's mail is due. The HTML part is built from
 * the body (escaped, paragraph by paragraph) around the parts salesflow owns: the quotation's
 * lines and the button to the acceptance page.
 */

export const MAIL_KINDS = ['quotation', 'revision', 'callInvitation', 'acceptanceConfirmation'] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

const COMMON = ['customerName', 'company', 'prospectId', 'repName', 'repEmail', 'sellerName', 'signature'] as const;
/** `{{lines}}` on a paragraph of its own is where the quotation's lines (a table in HTML) go. */
const QUOTE = ['quotationNumber', 'revision', 'total', 'validUntil', 'acceptUrl', 'note', 'lines'] as const;

/** The variables each kind of mail may use. */
export const MAIL_VARIABLES: Readonly<Record<MailKind, readonly string[]>> = {
  quotation: [...COMMON, ...QUOTE],
  revision: [...COMMON, ...QUOTE, 'replacesRevision'],
  callInvitation: [...COMMON, 'callTime', 'duration'],
  acceptanceConfirmation: [...COMMON, 'quotationNumber', 'revision', 'total', 'signer', 'acceptedAt'],
};

const VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const MALFORMED = /\{\{(?!\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\})[^}]*\}\}/;

const part = (max: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((t) => !MALFORMED.test(t), { message: 'has a malformed {{placeholder}} (names are letters, digits and _)' });

export const MailTemplateSchema = shareable(z.object({
  subject: part(300).refine((t) => !/[\r\n]/.test(t), { message: 'must be one line' }),
  body: part(20_000),
}));
export type MailTemplate = z.infer<typeof MailTemplateSchema>;

export const MailTemplatesSchema = shareable(z.partialRecord(z.enum(MAIL_KINDS), MailTemplateSchema));
export type MailTemplates = z.infer<typeof MailTemplatesSchema>;

export const DEFAULT_MAIL_TEMPLATES: Readonly<Record<MailKind, MailTemplate>> = {
  quotation: {
    subject: 'Quotation {{quotationNumber}} from {{sellerName}}',
    body: 'Dear {{customerName}},\n\nthank you for your inquiry. We are pleased to offer you the following; the quotation {{quotationNumber}} is attached as a PDF.\n\n{{lines}}\n\n{{note}}\n\nThe offer is binding until {{validUntil}}. You can accept it, decline it or ask us a question online:\n{{acceptUrl}}\n\nKind regards,\n{{repName}}\n{{signature}}',
  },
  revision: {
    subject: 'Revised quotation {{quotationNumber}} from {{sellerName}}',
    body: 'Dear {{customerName}},\n\nplease find our revised offer {{quotationNumber}} attached; it replaces revision {{replacesRevision}}.\n\n{{lines}}\n\n{{note}}\n\nThe offer is binding until {{validUntil}}. You can accept it, decline it or ask us a question online:\n{{acceptUrl}}\n\nKind regards,\n{{repName}}\n{{signature}}',
  },
  callInvitation: {
    subject: 'Call with {{repName}} on {{callTime}}',
    body: 'Dear {{customerName}},\n\nthis is an invitation to a call with {{repName}} on {{callTime}} ({{duration}}).\n\nKind regards,\n{{repName}}\n{{signature}}',
  },
  acceptanceConfirmation: {
    subject: 'Your order: quotation {{quotationNumber}} accepted',
    body: 'Dear {{customerName}},\n\nthank you for accepting our quotation {{quotationNumber}} ({{total}}), signed by {{signer}} on {{acceptedAt}}. The accepted document is attached for your records.\n\nKind regards,\n{{repName}}\n{{signature}}',
  },
};

export function variablesIn(text: string): string[] {
  return [...new Set([...text.matchAll(VARIABLE)].map((m) => m[1]!))];
}

/** Every variable of `template` the kind does not provide, with the field it is in. */
export function unknownVariables(kind: MailKind, template: MailTemplate): { field: 'subject' | 'body'; variable: string }[] {
  const known = new Set(MAIL_VARIABLES[kind]);
  return (['subject', 'body'] as const).flatMap((field) => variablesIn(template[field]).filter((v) => !known.has(v)).map((variable) => ({ field, variable })));
}

/** Issues for a process's `mailTemplates` section: each unknown variable where it is. */
export function templateIssues(templates: unknown): { path: (string | number)[]; message: string }[] {
  const parsed = MailTemplatesSchema.safeParse(templates);
  if (!parsed.success) return [];
  return Object.entries(parsed.data).flatMap(([kind, template]) =>
    unknownVariables(kind as MailKind, template!).map(({ field, variable }) => ({
      path: ['mailTemplates', kind, field],
      message: `unknown variable {{${variable}}}; a ${kind} mail knows ${MAIL_VARIABLES[kind as MailKind].map((v) => `{{${v}}}`).join(', ')}`,
    })),
  );
}

export function templateFor(templates: MailTemplates | undefined, kind: MailKind): MailTemplate {
  return templates?.[kind] ?? DEFAULT_MAIL_TEMPLATES[kind];
}

/**
 * A header value from anything: line breaks and other control characters become spaces,
 * so no variable (a customer's name, a note) can start a header line of its own.
 */
export function headerSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
}

function fill(text: string, vars: Readonly<Record<string, string>>, escape: (s: string) => string, own: Readonly<Record<string, string>> = {}): string {
  return text.replace(VARIABLE, (_all, name: string) => {
    if (own[name] !== undefined) return own[name];
    const value = vars[name];
    if (value === undefined) throw new DomainError(`mail variable {{${name}}} has no value`);
    return escape(value);
  });
}

export interface RenderedCustomerMail {
  subject: string;
  text: string;
  html: string;
}

export interface HtmlExtras {
  /** What `{{lines}}` stands for: the quotation's lines as text and as an HTML table. */
  tableHtml?: string;
  tableText?: string;
  /** A button to this link replaces the line that holds only the link. */
  button?: { url: string; label: string };
  /** Colour of the button and the heading line. */
  accent?: string;
}

// Stands for the lines while the template is filled; no value can contain it (NUL is refused in text).
const LINES_SLOT = '\u0000lines\u0000';

/**
 * Renders a customer mail: the subject header-safe, the text as written, and a responsive
 * HTML part (one column, at most 600 px wide, readable on a phone) with every value escaped.
 * A paragraph that is only `{{lines}}` becomes the lines table; a template without one gets
 * the table after its second paragraph (after the greeting and the opening).
 */
export function renderCustomerMail(template: MailTemplate, vars: Readonly<Record<string, string>>, extras: HtmlExtras = {}): RenderedCustomerMail {
  const subject = headerSafe(fill(template.subject, vars, headerSafe));
  const body = fill(template.body, vars, (s) => s.replace(/\u0000/g, ''), { lines: LINES_SLOT })
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  let paragraphs = body.split(/\n\n/).map((p) => p.trim()).filter((p) => p !== '');
  if (extras.tableText !== undefined && !paragraphs.includes(LINES_SLOT)) paragraphs.splice(Math.min(2, paragraphs.length), 0, LINES_SLOT);
  if (extras.tableText === undefined) paragraphs = paragraphs.filter((p) => p !== LINES_SLOT);
  const text = paragraphs.map((p) => (p === LINES_SLOT ? extras.tableText! : p.split(LINES_SLOT).join(''))).join('\n\n');
  const accent = extras.accent ?? '#1f5fa8';
  const html =
    '<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<title>${escapeHtml(subject)}</title></head>` +
    '<body style="margin:0;padding:0;background:#f4f4f4">' +
    `<div style="max-width:600px;margin:0 auto;padding:24px 16px;background:#fff;font-family:Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#222;border-top:4px solid ${accent}">` +
    paragraphs.map((p) => htmlParagraph(p, extras, accent)).join('') +
    '</div></body></html>';
  return { subject, text, html };
}

function htmlParagraph(p: string, extras: HtmlExtras, accent: string): string {
  if (p === LINES_SLOT) return extras.tableHtml ?? '';
  const clean = p.split(LINES_SLOT).join('');
  if (extras.button && clean.endsWith(extras.button.url)) {
    const before = clean.slice(0, -extras.button.url.length).trim();
    return (
      (before ? `<p style="margin:0 0 12px">${escapeHtml(before).replace(/\n/g, '<br>')}</p>` : '') +
      `<p style="margin:0 0 16px"><a href="${escapeHtml(extras.button.url)}" style="display:inline-block;background:${accent};color:#fff;text-decoration:none;padding:10px 18px;border-radius:4px">${escapeHtml(extras.button.label)}</a></p>`
    );
  }
  return `<p style="margin:0 0 16px">${escapeHtml(clean).replace(/\n/g, '<br>')}</p>`;
}
