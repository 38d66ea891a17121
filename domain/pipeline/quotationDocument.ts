import { fallbackSeller, taxRateOf, type Seller } from '../process/seller';
import { findRep, mailTimeZone } from '../process/process';
import { formatTime } from '../shared/timeZone';
import { formatBasisPoints, formatCents } from '../shared/money';
import { discountBasisPointsOf, type QuoteRevision } from './quotation';
import type { ProspectState } from './prospect';
import { DomainError } from '../shared/errors';

/**
 * A quotation as a document: everything the PDF, the public quotation page and the mail
 * show, computed once here from the prospect and one revision, so the three never disagree
 * on a number. Amounts are integer cents; the `text` fields are formatted for the seller's
 * locale and the process's time zone.
 */

export interface DocumentLine {
  product: string;
  quantity: number;
  unitPriceCents: number;
  discountBasisPoints: number;
  /** After the discount, before tax. */
  netCents: number;
  taxBasisPoints: number;
  taxCents: number;
  /** Net plus tax (unlike a stored QuoteLine's grossCents, which is before the discount and tax). */
  grossCents: number;
  text: { unitPrice: string; discount: string; net: string; taxRate: string; tax: string; gross: string };
}

export interface QuotationDocument {
  /** `Q-<prospect>-<revision>`. */
  number: string;
  prospectId: string;
  revision: number;
  /** The revision this one replaces, when it does. */
  replaces?: number;
  status: QuoteRevision['status'];
  supersededBy?: number;
  currency: string;
  locale: string;
  timeZone: string;
  /** When it was sent (the document's date); fixed, so rendering it again gives the same bytes. */
  issuedAt: string;
  validTo: string;
  seller: Seller;
  customer: { name: string; company?: string; email?: string };
  rep: { id: string; name: string; email?: string };
  lines: DocumentLine[];
  totals: { netCents: number; taxCents: number; grossCents: number; discountCents: number; text: { net: string; tax: string; gross: string; discount: string } };
  note: string;
  text: { issuedAt: string; validTo: string };
}

export function quotationNumber(prospectId: string, revision: number): string {
  return `Q-${prospectId}-${revision}`;
}

/** Formatters by locale and currency: building one costs more than formatting many amounts. */
const moneyFormats = new Map<string, Intl.NumberFormat>();

/** 199990 EUR in de-DE → `1.999,90 €`; exact (the decimal goes in as text, never a float). */
export function formatMoney(cents: number, currency: string, locale: string): string {
  const key = `${locale}|${currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    moneyFormats.set(key, format);
  }
  // Intl takes a decimal string exactly (NumberFormat v3); older engines read it as a number.
  return format.format(formatCents(cents) as unknown as number);
}

/** Tax per line rounds half up to the cent, like discounts. */
function taxOf(netCents: number, basisPoints: number): number {
  return Math.floor((netCents * basisPoints + 5_000) / 10_000);
}

export function sellerOf(state: Pick<ProspectState, 'process'>): Seller {
  // Without a seller section: the process's name ("the sales team" for a process named sales, not "the sales sales team").
  return state.process.seller ?? fallbackSeller(/sales$/i.test(state.process.name) ? `the ${state.process.name} team` : `the ${state.process.name} sales team`);
}

export function quotationDocument(state: ProspectState, revision: number): QuotationDocument {
  const quote = state.quotes.find((q) => q.revision === revision);
  if (!quote) throw new DomainError(`prospect ${state.info.id} has no quotation revision ${revision}`);
  if (!quote.sentAt || !quote.validTo) throw new DomainError(`revision ${revision} of ${state.info.id} has not been sent`);
  const seller = sellerOf(state);
  const { locale } = seller;
  const zone = mailTimeZone(state.process);
  const money = (cents: number) => formatMoney(cents, quote.currency, locale);
  const lines = quote.lines.map((l): DocumentLine => {
    const taxBasisPoints = taxRateOf(seller, l.product);
    const taxCents = taxOf(l.netCents, taxBasisPoints);
    const discountBasisPoints = discountBasisPointsOf(l);
    return {
      product: l.product,
      quantity: l.quantity,
      unitPriceCents: l.unitPriceCents,
      discountBasisPoints,
      netCents: l.netCents,
      taxBasisPoints,
      taxCents,
      grossCents: l.netCents + taxCents,
      text: {
        unitPrice: money(l.unitPriceCents),
        discount: discountBasisPoints > 0 ? `${formatBasisPoints(discountBasisPoints)} %` : '',
        net: money(l.netCents),
        taxRate: `${formatBasisPoints(taxBasisPoints)} %`,
        tax: money(taxCents),
        gross: money(l.netCents + taxCents),
      },
    };
  });
  const netCents = lines.reduce((s, l) => s + l.netCents, 0);
  const taxCents = lines.reduce((s, l) => s + l.taxCents, 0);
  const rep = findRep(state.process, state.info.rep);
  const replaced = state.quotes.find((q) => q.supersededBy === revision);
  return {
    number: quotationNumber(state.info.id, revision),
    prospectId: state.info.id,
    revision,
    ...(replaced ? { replaces: replaced.revision } : revision > 1 ? { replaces: revision - 1 } : {}),
    status: quote.status,
    ...(quote.supersededBy ? { supersededBy: quote.supersededBy } : {}),
    currency: quote.currency,
    locale,
    timeZone: zone,
    issuedAt: quote.sentAt,
    validTo: quote.validTo,
    seller,
    customer: { name: state.info.name, ...(state.info.company ? { company: state.info.company } : {}), ...(state.info.email ? { email: state.info.email } : {}) },
    rep: { id: state.info.rep, name: rep?.name ?? state.info.rep, ...(rep?.email ? { email: rep.email } : {}) },
    lines,
    totals: {
      netCents,
      taxCents,
      grossCents: netCents + taxCents,
      discountCents: quote.totals.discountCents,
      text: { net: money(netCents), tax: money(taxCents), gross: money(netCents + taxCents), discount: money(quote.totals.discountCents) },
    },
    note: quote.note,
    text: { issuedAt: formatTime(quote.sentAt, zone), validTo: formatTime(quote.validTo, zone) },
  };
}

/** The document's content without its status: what the PDF shows (a status changes later, the bytes never do). */
export function documentForPdf(doc: QuotationDocument): QuotationDocument {
  return { ...doc, status: 'sent', supersededBy: undefined };
}
