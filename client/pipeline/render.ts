import { formatDuration } from '../../domain/shared/duration';
import { currentInquiry, type InquiryVersion } from '../../domain/pipeline/inquiry';
import { nextDueAt } from '../../domain/pipeline/deadlines';
import type { ProspectState } from '../../domain/pipeline/prospect';
import { staleReference } from '../../domain/pipeline/lifecycle';
import { formatCents, formatDiscount, type QuoteRevision } from '../../domain/pipeline/quotation';
import { formatTime, formatTimesIn } from '../../domain/shared/timeZone';
import type { ProspectSummary } from './salesflowClient';
import { textTable } from '../shared/textTable';

/** Plain-text views for the terminal; `--json` prints the state itself instead. */

export function renderList(rows: ProspectSummary[], zone?: string): string {
  if (rows.length === 0) return 'no prospects match';
  return textTable(
    ['ID', 'NAME', 'STAGE', 'REP', 'QUOTE', 'NEXT DUE'],
    rows.map((r) => [
      r.id,
      r.company ? `${r.name} (${r.company})` : r.name,
      r.stage ?? '',
      r.rep ?? '',
      r.quoteTotal === undefined ? '' : r.quoteTotal.toFixed(2),
      formatTime(r.nextDue, zone),
    ]),
  );
}

export function renderInquiry(version: InquiryVersion, of: number, zone?: string): string {
  return [
    `Inquiry version ${version.version} of ${of}, by ${version.changedBy} at ${formatTime(version.changedAt, zone)}`,
    ...(version.note ? [`  note: ${version.note}`] : []),
    textTable(
      ['  PRODUCT', 'QTY', 'WANTED BY'],
      version.items.map((i) => [`  ${i.product}`, String(i.quantity), i.wantedDeliveryDate ?? '']),
    ),
  ].join('\n');
}

/** `inquiryVersion`: the inquiry's current version, so a draft made for an older one says so. */
export function renderQuote(quote: QuoteRevision, of: number, inquiryVersion?: number, zone?: string): string {
  const t = (iso: string | undefined) => formatTime(iso, zone);
  const stale = quote.status === 'draft' && inquiryVersion !== undefined && quote.inquiryVersion < inquiryVersion;
  const head = [
    `Quotation revision ${quote.revision} of ${of}: ${quote.status.toUpperCase()} (refers to inquiry version ${quote.inquiryVersion})`,
    ...(stale ? [`  ${staleReference(quote, inquiryVersion)}`] : []),
    `  created ${t(quote.createdAt)} by ${quote.createdBy}`,
    ...(quote.sentAt ? [`  sent ${t(quote.sentAt)}, valid until ${t(quote.validTo)}`] : []),
    ...(quote.requestedValidTo && !quote.sentAt ? [`  valid until ${t(quote.requestedValidTo)} once sent`] : []),
    ...(quote.remindedAt ? [`  rep reminded ${t(quote.remindedAt)}`] : []),
    ...(quote.escalatedAt ? [`  escalated ${t(quote.escalatedAt)}`] : []),
    ...(quote.respondedAt ? [`  customer answered ${t(quote.respondedAt)}${quote.reason ? `: ${quote.reason}` : ''}`] : []),
    ...(quote.answeredOnline
      ? [
          `  ${quote.answeredOnline.decision} online${quote.answeredOnline.signer ? ` by ${quote.answeredOnline.signer} (typed signature "${quote.answeredOnline.signature ?? ''}")` : ''} from ${quote.answeredOnline.ip}, ${quote.answeredOnline.userAgent || 'no user agent'}`,
        ]
      : []),
    ...(quote.documentSha256 ? [`  document SHA-256 ${quote.documentSha256}`] : []),
    ...(quote.supersededBy ? [`  superseded by revision ${quote.supersededBy}`] : []),
    ...(quote.note ? [`  note: ${quote.note}`] : []),
  ];
  const lines = textTable(
    ['  PRODUCT', 'QTY', 'UNIT', 'DISC%', 'NET'],
    quote.lines.map((l) => [
      `  ${l.product}`,
      String(l.quantity),
      formatCents(l.unitPriceCents),
      formatDiscount(l).replace(/%$/, ''),
      formatCents(l.netCents),
    ]),
  );
  // Net of discounts, before tax: what the pipeline counts. (The document's "gross" is net plus VAT.)
  const discount = quote.totals.discountCents > 0 ? ` (${formatCents(quote.totals.grossCents)} before the discount of ${formatCents(quote.totals.discountCents)})` : '';
  const totals = `  total ${formatCents(quote.totals.netCents)} ${quote.currency} net, before tax${discount}`;
  return [...head, lines, totals].join('\n');
}

export function renderProspect(state: ProspectState & { customerId?: string }, zone?: string): string {
  const t = (iso: string | number | undefined) => formatTime(iso, zone);
  const { info } = state;
  const due = nextDueAt(state);
  const out: string[] = [
    `${info.name}${info.company ? ` (${info.company})` : ''}  [${info.id}]`,
    `  stage:    ${state.stage}${state.lostReason ? ` (${state.lostReason})` : ''}`,
    // A won deal's account, as the API answers it: where `customer show` finds it.
    ...(state.customerId ? [`  customer: ${state.customerId}`] : []),
    `  rep:      ${info.rep}`,
    `  process:  ${state.process.name} v${state.process.version} (quotes valid ${formatDuration(state.process.quotePolicy.validity)}, stale after ${formatDuration(state.process.quotePolicy.staleAfter)}, escalate after ${formatDuration(state.process.quotePolicy.escalateAfter)})`,
    ...(info.email ? [`  email:    ${info.email}`] : []),
    ...(info.phone ? [`  phone:    ${info.phone}`] : []),
    `  source:   ${info.source}`,
    ...(due !== undefined ? [`  next due: ${t(due)}`] : []),
  ];
  if (state.qualification) {
    const q = state.qualification;
    const answers = Object.entries(q.answers)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ');
    out.push('', `Qualification: ${q.outcome ?? 'in progress'}${q.reason ? ` (${q.reason})` : ''}`, `  ${answers || 'no answers yet'}`);
    if (q.score) {
      out.push(
        `  score ${q.score.score} (threshold ${q.score.threshold})${q.score.knockout ? `, knock-out: ${q.score.knockout.rule}` : ''}`,
        ...q.score.contributions.map((c) => `    ${c.matched ? '+' : ' '} ${String(c.points).padStart(4)}  ${c.rule}`),
      );
    }
  }
  if (state.inquiry) out.push('', renderInquiry(currentInquiry(state.inquiry), state.inquiry.versions.length, zone));
  const quote = state.quotes[state.quotes.length - 1];
  if (quote) out.push('', renderQuote(quote, state.quotes.length, state.inquiry ? currentInquiry(state.inquiry).version : undefined, zone));
  if (state.tasks.length > 0) {
    out.push('', 'Tasks:', ...state.tasks.map((task) => `  ${task.id}  ${task.state.padEnd(9)} due ${t(task.dueAt)}  ${formatTimesIn(task.title, zone)}${task.outcome ? ` -> ${task.outcome}` : ''}`));
  }
  if ((state.calls ?? []).length > 0) {
    out.push('', 'Calls:', ...state.calls!.map((c) => `  ${c.id}  ${c.status.padEnd(9)} ${t(c.at)} (${Math.round(c.durationMs / 60_000)} min)${c.outcome ? ` -> ${c.outcome}` : ''}`));
  }
  if ((state.supportQueries ?? []).length > 0) {
    out.push(
      '',
      'Support queries:',
      ...state.supportQueries!.map((q) => `  ${q.id}  ${q.answeredAt ? 'answered' : 'open    '} ${q.topic}: ${q.question}${q.answer ? ` -> ${q.answer}` : ''} (${q.rep})`),
    );
  }
  if (state.escalations.length > 0) {
    out.push(
      '',
      `Escalations${older(state.archived?.escalations)}:`,
      ...state.escalations.map(
        (e) =>
          `  ${t(e.at)}  ${e.kind} (${e.taskId ? `task ${e.taskId}` : `revision ${e.quoteRevision}`}) -> ${e.to}` +
          (e.dueAt && e.dueAt !== e.at ? ` (due ${t(e.dueAt)})` : '') +
          (e.skipped ? ` skipped: ${formatTimesIn(e.skipped, zone)}` : ''),
      ),
    );
  }
  if (state.contacts.length > 0) {
    out.push(
      '',
      `Contact log${older(state.archived?.contacts)}:`,
      ...state.contacts.map((c) => `  ${t(c.at)}  ${c.direction.padEnd(8)} ${c.channel.padEnd(11)} ${c.by}: ${c.note}`),
    );
  }
  out.push('', `History${older(state.archived?.changes)}:`, ...state.changes.map((c) => `  ${t(c.at)}  ${c.by}: ${formatTimesIn(c.what, zone)}`));
  return out.join('\n');
}

/** The workflow keeps a window of the record; say how much came before it. */
function older(count: number | undefined): string {
  return count ? ` (the latest; ${count} older in earlier runs' histories)` : '';
}
