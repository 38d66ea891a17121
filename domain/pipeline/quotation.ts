import { z } from 'zod';
import { ProductSchema, type InquiryItem } from './inquiry';
import type { InputRules } from '../shared/inputRules';
import { DomainError } from '../shared/errors';
import { MAX_AMOUNT_CENTS, MAX_AMOUNT_TEXT, MAX_QUOTE_LINES, formatBasisPoints, formatCents, percentSchema, priceSchema } from '../shared/money';
import { shareable } from '../shared/shareable';

export { formatCents } from '../shared/money';

/**
 * One line of a quotation as a command gives it. Prices and discounts are decimal text
 * (`"1999.90"`, `"12.5"`), read into integer cents and basis points; a unit price and a line
 * total are at most 1,000,000,000.00. A zero price is a free offer only when the line says
 * `free: true`, so a price left out or mistyped as 0 never gives goods away.
 */
export function quoteLineInputSchema(rules: InputRules = 'current') {
  const legacy = rules === 'recorded';
  return z
    .object({
      product: ProductSchema,
      quantity: z.number().int('must be a whole number').positive('must be at least 1').max(1_000_000_000, 'must be at most 1000000000'),
      unitPrice: priceSchema(legacy),
      discountPercent: percentSchema(legacy).default(0),
      free: z.boolean().optional(),
    })
    .superRefine((line, ctx) => {
      const gross = line.unitPrice * line.quantity;
      if (gross > MAX_AMOUNT_CENTS) {
        ctx.addIssue({ code: 'custom', path: ['quantity'], message: `the line total ${formatCents(gross)} is above the limit of ${MAX_AMOUNT_TEXT} per line` });
      }
      if (legacy) return;
      if (line.unitPrice === 0 && line.free !== true) {
        ctx.addIssue({ code: 'custom', path: ['unitPrice'], message: 'a zero price is a free offer: say so with free: true (--free)' });
      }
      if (line.unitPrice > 0 && line.free === true) {
        ctx.addIssue({ code: 'custom', path: ['free'], message: 'a free line has the unit price 0' });
      }
    });
}
export const QuoteLineInputSchema = shareable(quoteLineInputSchema());
export type QuoteLineInput = z.input<typeof QuoteLineInputSchema>;

export function quoteLinesSchema(rules: InputRules = 'current') {
  return z
    .array(quoteLineInputSchema(rules))
    .min(1, 'a quotation needs at least one item')
    .max(MAX_QUOTE_LINES, `a quotation has at most ${MAX_QUOTE_LINES} items`);
}
export const QuoteLinesSchema = shareable(quoteLinesSchema());

/** A line as the domain prices it: integer cents and basis points only. */
export interface QuoteLineSpec {
  product: string;
  quantity: number;
  unitPriceCents: number;
  discountBasisPoints: number;
  free?: boolean;
}

export function specOf(parsed: z.output<typeof QuoteLineInputSchema>): QuoteLineSpec {
  return {
    product: parsed.product,
    quantity: parsed.quantity,
    unitPriceCents: parsed.unitPrice,
    discountBasisPoints: parsed.discountPercent,
    ...(parsed.free ? { free: true } : {}),
  };
}

export interface QuoteLine extends QuoteLineSpec {
  /** For reading only (12.5 means 12.5 %); the arithmetic uses discountBasisPoints. */
  discountPercent: number;
  /**
   * Quantity × unit price, before the discount and without tax. Not the quotation document's
   * "gross", which is net plus VAT (`QuotationDocument` lines' `grossCents`).
   */
  grossCents: number;
  discountCents: number;
  /** Gross less the discount, without tax: what the quotation is worth to the pipeline. */
  netCents: number;
  /** Only on lines priced before money became cents end to end. */
  unitPrice?: number;
}

export interface QuoteTotals {
  /** The lines' gross before discounts, without tax (see QuoteLine.grossCents). */
  grossCents: number;
  discountCents: number;
  netCents: number;
}

/** The basis points of a stored line, also of one priced before basis points existed. */
export function discountBasisPointsOf(line: Pick<QuoteLine, 'discountPercent'> & { discountBasisPoints?: number }): number {
  return line.discountBasisPoints ?? Math.round((line.discountPercent ?? 0) * 100);
}

/** A stored line as a spec again (lines priced before basis points existed included). */
export function specOfLine(line: QuoteLine): QuoteLineSpec {
  return {
    product: line.product,
    quantity: line.quantity,
    unitPriceCents: line.unitPriceCents,
    discountBasisPoints: discountBasisPointsOf(line),
    ...(line.free ? { free: true } : {}),
  };
}

/**
 * Integer arithmetic throughout: at the bounds a line's gross is ≤ 10^11 cents and gross ×
 * basis points ≤ 10^15, below 2^53, so every intermediate is exact. Discounts round half up
 * to the cent.
 */
export function priceLine(spec: QuoteLineSpec): QuoteLine {
  const grossCents = spec.unitPriceCents * spec.quantity;
  const discountCents = Math.floor((grossCents * spec.discountBasisPoints + 5_000) / 10_000);
  return {
    product: spec.product,
    quantity: spec.quantity,
    unitPriceCents: spec.unitPriceCents,
    discountBasisPoints: spec.discountBasisPoints,
    ...(spec.free ? { free: true } : {}),
    discountPercent: spec.discountBasisPoints / 100,
    grossCents,
    discountCents,
    netCents: grossCents - discountCents,
  };
}

export function totalsOf(lines: readonly QuoteLine[]): QuoteTotals {
  return lines.reduce<QuoteTotals>(
    (sum, line) => ({
      grossCents: sum.grossCents + line.grossCents,
      discountCents: sum.discountCents + line.discountCents,
      netCents: sum.netCents + line.netCents,
    }),
    { grossCents: 0, discountCents: 0, netCents: 0 },
  );
}

/** "12.5%" for a line's discount, empty when there is none. */
export function formatDiscount(line: QuoteLine): string {
  const bp = discountBasisPointsOf(line);
  return bp > 0 ? `${formatBasisPoints(bp)}%` : '';
}

/**
 * The lines of a quotation re-read from the current inquiry: its products and quantities,
 * with the price, discount and free mark of the quotation's line for the same product.
 * Products gone from the inquiry are dropped; a product new in the inquiry has no price,
 * and pricing it is a person's decision, so that is refused with the products named.
 */
export function refreshLines(lines: readonly QuoteLine[], items: readonly InquiryItem[]): QuoteLineSpec[] {
  const byProduct = new Map(lines.map((l) => [l.product, l]));
  const unpriced = items.filter((i) => !byProduct.has(i.product)).map((i) => i.product);
  if (unpriced.length > 0) {
    throw new DomainError(`no price for ${unpriced.join(', ')}, new in the inquiry: price ${unpriced.length === 1 ? 'it' : 'them'} with quote change --price PRODUCT=PRICE`);
  }
  return items.map((item) => {
    const line = byProduct.get(item.product)!;
    const gross = line.unitPriceCents * item.quantity;
    if (gross > MAX_AMOUNT_CENTS) {
      throw new DomainError(`${item.product}: the line total ${formatCents(gross)} is above the limit of ${MAX_AMOUNT_TEXT} per line`);
    }
    return {
      product: item.product,
      quantity: item.quantity,
      unitPriceCents: line.unitPriceCents,
      discountBasisPoints: discountBasisPointsOf(line),
      ...(line.free ? { free: true } : {}),
    };
  });
}

/**
 * draft: being prepared, editable in place. sent: binding offer, never edited; a change
 * makes a new revision and the sent one becomes superseded. accepted/rejected/expired end
 * the revision's life.
 */
export type QuoteStatus = 'draft' | 'sent' | 'accepted' | 'rejected' | 'expired' | 'superseded';

export interface QuoteRevision {
  revision: number;
  status: QuoteStatus;
  /** The inquiry version this revision was made with reference to. */
  inquiryVersion: number;
  currency: string;
  lines: QuoteLine[];
  totals: QuoteTotals;
  note: string;
  createdAt: string;
  createdBy: string;
  /** Explicit end of validity asked for on create/change; otherwise send sets it from the policy. */
  requestedValidTo?: string;
  sentAt?: string;
  validTo?: string;
  respondedAt?: string;
  reason?: string;
  supersededBy?: number;
  remindedAt?: string;
  escalatedAt?: string;
  /** SHA-256 (hex) of the PDF rendered when the revision was mailed; its bytes are in the salesflow database. */
  documentSha256?: string;
  /** How the customer answered online (the quotation page): who, when, from where, on which document. */
  answeredOnline?: OnlineAnswer;
}

export interface OnlineAnswer {
  at: string;
  decision: 'accepted' | 'rejected';
  signer?: string;
  signature?: string;
  ip: string;
  userAgent: string;
  documentSha256?: string;
}
