import { findRep, mailTimeZone, teamOf } from '../process/process';
import { taskWorkflowId } from '../tasks/ids';
import { prospectWorkflowId, type OutboundMail, type ProspectState, type RepTask } from './prospect';
import { formatCents, type OnlineAnswer, type QuoteRevision } from './quotation';
import { quotationDocument, sellerOf, type QuotationDocument } from './quotationDocument';
import { headerSafe, renderCustomerMail, templateFor } from '../process/mailTemplates';
import { escapeHtml } from '../campaign/template';
import { formatTime, formatTimesIn } from '../shared/timeZone';

/**
 * The mails the lifecycle sends, rendered as pure functions. A Message-ID is derived from
 * the workflow and what the mail is about, never from a clock or random number, so a
 * retried send carries the same id and a receiver can drop the repeat.
 */

export const MESSAGE_ID_DOMAIN = 'salesflow.invalid';

export function messageId(workflowId: string, key: string): string {
  return `<${workflowId}.${key}@${MESSAGE_ID_DOMAIN}>`;
}

function who(state: ProspectState): string {
  const { name, company } = state.info;
  return company ? `${name} (${company})` : name;
}

function quoteSummary(quote: QuoteRevision, zone: string): string {
  const lines = quote.lines.map(
    (l) =>
      `  ${l.product}  ${l.quantity} x ${formatCents(l.unitPriceCents)}` +
      (l.discountPercent > 0 ? ` -${l.discountPercent}%` : '') +
      `  = ${formatCents(l.netCents)} ${quote.currency}`,
  );
  return [
    ...lines,
    `  Total: ${formatCents(quote.totals.netCents)} ${quote.currency}`,
    quote.validTo ? `  Valid until: ${formatTime(quote.validTo, zone)}` : '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

function repAndManager(state: ProspectState): { rep?: string; manager?: string } {
  return {
    rep: findRep(state.process, state.info.rep)?.email,
    manager: teamOf(state.process, state.info.rep)?.manager.email,
  };
}

/**
 * Stands for the signed link to the quotation page in a queued mail: the signing key stays
 * with the worker (it never enters a workflow's history), which puts the link in its place.
 */
export const QUOTATION_LINK = 'https://salesflow.invalid/quotation-link';

/**
 * Stands for the web app's address (the worker's SALESFLOW_PUBLIC_URL) in a queued mail: a
 * workflow does not know where salesflow is served; the worker puts it in place, as it does
 * the quotation link.
 */
export const APP_LINK = 'https://salesflow.invalid/app';

/** The web app's page at `path` (`/prospects/<id>`), as a queued mail writes it. */
export function appLink(...segments: string[]): string {
  return `${APP_LINK}/${segments.map(encodeURIComponent).join('/')}`;
}

/** How a mail to salesflow's people ends: the page in the web app, and the command line's way. */
export function openLines(link: string, cli: string): string[] {
  return [`Open in salesflow: ${link}`, `On the command line: ${cli}`];
}

/** The mail with each attached revision naming its document's SHA-256, where `hashOf` knows it. */
export function withAttachmentHashes(mail: OutboundMail, hashOf: (revision: number) => string | undefined): OutboundMail {
  return {
    ...mail,
    attachments: mail.attachments?.map((ref) => {
      const sha256 = hashOf(ref.revision);
      return sha256 ? { ...ref, sha256 } : ref;
    }),
  };
}

/** The tag of a prospect's reply address (`replies+p.<id>@...`). */
export function prospectReplyTag(prospectId: string): string {
  return `p.${prospectId}`;
}

/** The variables every customer mail of a prospect has. */
function customerVars(state: ProspectState): Record<string, string> {
  const rep = findRep(state.process, state.info.rep);
  const seller = sellerOf(state);
  return {
    customerName: state.info.name,
    company: state.info.company ?? '',
    prospectId: state.info.id,
    repName: rep?.name ?? state.info.rep,
    repEmail: rep?.email ?? '',
    sellerName: seller.legalName,
    signature: seller.mailSignature,
  };
}

/** The rep's name on the company's address, when the process names the company. */
function customerFrom(state: ProspectState): OutboundMail['from'] {
  const rep = findRep(state.process, state.info.rep);
  return { name: rep?.name ?? state.info.rep, ...(state.process.seller ? { address: state.process.seller.email } : {}) };
}

/** The lines as a plain-text table and as an HTML table (values escaped). */
export function linesTables(doc: QuotationDocument): { text: string; html: string } {
  const text = [
    ...doc.lines.map((l) => `  ${l.product}  ${l.quantity} x ${l.text.unitPrice}${l.text.discount ? ` -${l.text.discount}` : ''}  net ${l.text.net}  ${doc.seller.tax.name} ${l.text.taxRate} ${l.text.tax}  = ${l.text.gross}`),
    `  Net total: ${doc.totals.text.net}`,
    `  ${doc.seller.tax.name}: ${doc.totals.text.tax}`,
    `  Total: ${doc.totals.text.gross}`,
    `  Valid until: ${doc.text.validTo}`,
  ].join('\n');
  const cell = 'padding:6px 4px;border-bottom:1px solid #ddd';
  const num = `${cell};text-align:right;white-space:nowrap`;
  const rows = doc.lines
    .map(
      (l) =>
        `<tr><td style="${cell}">${escapeHtml(l.product)}</td><td style="${num}">${l.quantity}</td><td style="${num}">${escapeHtml(l.text.unitPrice)}</td><td style="${num}">${escapeHtml(l.text.discount)}</td><td style="${num}">${escapeHtml(l.text.gross)}</td></tr>`,
    )
    .join('');
  const html =
    '<table role="presentation" style="width:100%;border-collapse:collapse;margin:0 0 16px;font-size:14px">' +
    `<tr><th style="${cell};text-align:left">Item</th><th style="${num}">Qty</th><th style="${num}">Unit price</th><th style="${num}">Discount</th><th style="${num}">Gross</th></tr>` +
    rows +
    `<tr><td colspan="4" style="${cell}">Net total</td><td style="${num}">${escapeHtml(doc.totals.text.net)}</td></tr>` +
    `<tr><td colspan="4" style="${cell}">${escapeHtml(doc.seller.tax.name)}</td><td style="${num}">${escapeHtml(doc.totals.text.tax)}</td></tr>` +
    `<tr><td colspan="4" style="${cell};font-weight:bold">Total</td><td style="${num};font-weight:bold">${escapeHtml(doc.totals.text.gross)}</td></tr>` +
    '</table>' +
    `<p style="margin:0 0 16px;font-size:13px;color:#555">Valid until ${escapeHtml(doc.text.validTo)}</p>`;
  return { text, html };
}

/**
 * The binding offer mailed to the customer (none without an email address): an HTML mail
 * with a text part from the rep on the company's address, the PDF attached (rendered and
 * stored when the mail is delivered) and a link to accept online. Replies route back.
 */
export function quoteSentMail(state: ProspectState, quote: QuoteRevision): OutboundMail | undefined {
  if (!state.info.email) return undefined;
  const id = prospectWorkflowId(state.info.id);
  const doc = quotationDocument(state, quote.revision);
  const kind = quote.revision > 1 ? 'revision' : 'quotation';
  const tables = linesTables(doc);
  const rendered = renderCustomerMail(
    templateFor(state.process.mailTemplates, kind),
    {
      ...customerVars(state),
      quotationNumber: doc.number,
      revision: String(quote.revision),
      replacesRevision: String(doc.replaces ?? ''),
      total: doc.totals.text.gross,
      validUntil: doc.text.validTo,
      acceptUrl: QUOTATION_LINK,
      note: quote.note,
    },
    { tableText: tables.text, tableHtml: tables.html, button: { url: QUOTATION_LINK, label: 'View, accept or ask a question' } },
  );
  return {
    messageId: messageId(id, `quote-r${quote.revision}-sent`),
    to: state.info.email,
    cc: repAndManager(state).rep,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    from: customerFrom(state),
    replyTag: prospectReplyTag(state.info.id),
    attachments: [{ prospectId: state.info.id, revision: quote.revision }],
    quotationLink: { prospectId: state.info.id, revision: quote.revision, validTo: quote.validTo ?? quote.sentAt ?? '' },
  };
}

/** The customer's copy of an online acceptance, with the accepted PDF. */
export function acceptanceConfirmationMail(state: ProspectState, quote: QuoteRevision, answer: OnlineAnswer): OutboundMail | undefined {
  if (!state.info.email) return undefined;
  const doc = quotationDocument(state, quote.revision);
  const rendered = renderCustomerMail(templateFor(state.process.mailTemplates, 'acceptanceConfirmation'), {
    ...customerVars(state),
    quotationNumber: doc.number,
    revision: String(quote.revision),
    total: doc.totals.text.gross,
    signer: answer.signer ?? state.info.name,
    acceptedAt: formatTime(answer.at, mailTimeZone(state.process)),
  });
  return {
    messageId: messageId(prospectWorkflowId(state.info.id), `quote-r${quote.revision}-accepted`),
    to: state.info.email,
    cc: repAndManager(state).rep,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    from: customerFrom(state),
    replyTag: prospectReplyTag(state.info.id),
    attachments: [{ prospectId: state.info.id, revision: quote.revision, ...(quote.documentSha256 ? { sha256: quote.documentSha256 } : {}) }],
  };
}

/** Tells the rep (and the team's manager) what the customer did on the quotation page or by mail. */
export function customerAnsweredMail(state: ProspectState, key: string, what: string, details: string[]): OutboundMail | undefined {
  const { rep, manager } = repAndManager(state);
  const to = rep ?? manager;
  if (!to) return undefined;
  return {
    messageId: messageId(prospectWorkflowId(state.info.id), key),
    to,
    cc: rep && manager ? manager : undefined,
    subject: headerSafe(`${who(state)} ${what}`),
    text: [`${who(state)} (${state.info.id}) ${what}.`, '', ...details, '', ...openLines(appLink('prospects', state.info.id), `salesflow show ${state.info.id}`)].join('\n'),
  };
}

export function quoteReminderMail(state: ProspectState, quote: QuoteRevision): OutboundMail | undefined {
  const { rep } = repAndManager(state);
  if (!rep) return undefined;
  return {
    messageId: messageId(prospectWorkflowId(state.info.id), `quote-r${quote.revision}-reminder`),
    to: rep,
    subject: `Reminder: quotation ${state.info.id}-${quote.revision} to ${who(state)} has no response`,
    text: [
      `The quotation sent to ${who(state)} on ${formatTime(quote.sentAt, mailTimeZone(state.process))} has had no customer response.`,
      'Please follow up with the customer.',
      '',
      quoteSummary(quote, mailTimeZone(state.process)),
      '',
      ...openLines(appLink('prospects', state.info.id), `salesflow show ${state.info.id}`),
    ].join('\n'),
  };
}

export function quoteEscalationMail(state: ProspectState, quote: QuoteRevision): OutboundMail | undefined {
  const { rep, manager } = repAndManager(state);
  if (!manager) return undefined;
  return {
    messageId: messageId(prospectWorkflowId(state.info.id), `quote-r${quote.revision}-escalation`),
    to: manager,
    cc: rep,
    subject: `Escalation: quotation ${state.info.id}-${quote.revision} to ${who(state)} is stale`,
    text: [
      `The quotation sent to ${who(state)} on ${formatTime(quote.sentAt, mailTimeZone(state.process))} by ${state.info.rep} still has no customer`,
      `response, although the rep was reminded. It is valid until ${formatTime(quote.validTo, mailTimeZone(state.process))}.`,
      '',
      quoteSummary(quote, mailTimeZone(state.process)),
      '',
      ...openLines(appLink('prospects', state.info.id), `salesflow show ${state.info.id}`),
    ].join('\n'),
  };
}

export function taskMail(state: ProspectState, task: RepTask, detail: readonly string[] = []): OutboundMail | undefined {
  const rep = findRep(state.process, task.rep)?.email;
  if (!rep) return undefined;
  return {
    messageId: messageId(prospectWorkflowId(state.info.id), `task-${task.id}`),
    to: rep,
    subject: `New task: ${formatTimesIn(task.title, mailTimeZone(state.process))}`,
    text: [
      formatTimesIn(task.title, mailTimeZone(state.process)),
      '',
      `Prospect: ${who(state)} (${state.info.id})`,
      `Due: ${formatTime(task.dueAt, mailTimeZone(state.process))}`,
      `Task id: ${task.id}`,
      ...(detail.length > 0 ? ['', ...detail] : []),
      '',
      ...openLines(appLink('prospects', state.info.id), `salesflow task done ${task.id} --outcome "..."`),
    ].join('\n'),
  };
}

/** A time as a Message-ID part: `2026-12-01T10:00:00.000Z` gives `20261201T100000000Z`. */
function idStamp(iso: string): string {
  return iso.replace(/[-:.]/g, '');
}

/**
 * The reminder a task workflow sends its rep when the task is past due. Its Message-ID
 * names the due time: a rescheduled task that falls overdue again is a new mail, not a
 * repeat a receiver would drop.
 */
export function taskOverdueMail(task: { id: string; title: string; dueAt: string; prospectId: string }, repEmail: string, zone?: string, customer?: TaskCustomer, prospect?: TaskProspect): OutboundMail {
  return {
    messageId: messageId(taskWorkflowId(task.id), `overdue-${idStamp(task.dueAt)}`),
    to: repEmail,
    subject: `Overdue: ${formatTimesIn(task.title, zone)}`,
    text: [
      `Task ${task.id} was due ${formatTime(task.dueAt, zone)} and is still open.`,
      taskAboutLine(task, customer, prospect),
      '',
      ...openLines(appLink('day'), `salesflow task done ${task.id} --outcome "..."`),
    ].join('\n'),
  };
}

/** The customer account a post-sales task belongs to (it has no prospect); its name when known. */
export interface TaskCustomer {
  id: string;
  name?: string;
}

/** A pipeline task's prospect as its mails name it (given by the prospect when it starts the task). */
export interface TaskProspect {
  name: string;
  company?: string;
}

/**
 * What a task's mail says it is about: its prospect (by name, when the prospect gave it), or,
 * for a post-sales task (whose prospect id is empty), its customer account.
 */
export function taskAboutLine(task: { prospectId: string }, customer?: TaskCustomer, prospect?: TaskProspect): string {
  if (task.prospectId && prospect) return `Prospect: ${prospect.company ? `${prospect.name} (${prospect.company})` : prospect.name} (${task.prospectId})`;
  if (task.prospectId || !customer) return `Prospect: ${task.prospectId}`;
  return customer.name && customer.name !== customer.id ? `Customer: ${customer.name} (${customer.id})` : `Customer: ${customer.id}`;
}

/** The escalation to the team's manager when an overdue task stays open. */
export function taskEscalationMail(
  task: { id: string; title: string; dueAt: string; escalateAt?: string; prospectId: string; rep: string },
  managerEmail: string,
  repEmail: string | undefined,
  zone?: string,
  customer?: TaskCustomer,
  prospect?: TaskProspect,
): OutboundMail {
  return {
    messageId: messageId(taskWorkflowId(task.id), `escalation-${idStamp(task.escalateAt ?? task.dueAt)}`),
    to: managerEmail,
    cc: repEmail,
    subject: `Escalation: ${task.rep}'s task is overdue: ${formatTimesIn(task.title, zone)}`,
    text: [
      `Task ${task.id} for ${task.rep} was due ${formatTime(task.dueAt, zone)}; the rep was reminded and it is still open.`,
      taskAboutLine(task, customer, prospect),
      '',
      ...openLines(appLink('team-tasks'), `salesflow tasks --rep ${task.rep} --due overdue`),
    ].join('\n'),
  };
}

/** Tells a rep that a prospect (and its open tasks) is now theirs. */
export function reassignedMail(state: ProspectState, from: string, tasks: readonly RepTask[], reason: string | undefined, changeNo: number): OutboundMail | undefined {
  const rep = findRep(state.process, state.info.rep)?.email;
  if (!rep) return undefined;
  const zone = mailTimeZone(state.process);
  return {
    // One mail per reassignment: the change's number keeps a later move back to this rep distinct.
    messageId: messageId(prospectWorkflowId(state.info.id), `reassigned-${changeNo}`),
    to: rep,
    subject: `Reassigned to you: ${who(state)} (${state.info.id})`,
    text: [
      `${who(state)} (${state.info.id}, stage ${state.stage}) is now yours; it was ${from}'s.`,
      ...(reason ? [`Reason: ${reason}`] : []),
      '',
      ...(tasks.length > 0 ? ['Open tasks now yours:', ...tasks.map((t) => `  ${t.id}  due ${formatTime(t.dueAt, zone)}  ${formatTimesIn(t.title, zone)}`)] : ['No open tasks came with it.']),
      '',
      ...openLines(appLink('prospects', state.info.id), `salesflow show ${state.info.id}`),
    ].join('\n'),
  };
}
