import { z } from 'zod';
import { ProductSchema } from './inquiry';

/**
 * Prices are given in major units (12.50) with at most two decimals and computed in cents,
 * so totals never drift by floating-point error.
 */
export const PriceSchema = z
  .number()
  .nonnegative('must not be negative')
  .refine((n) => Number.isInteger(Math.round(n * 100)) && Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, {
    message: 'must have at most two decimals',
  });

export const QuoteLineInputSchema = z.object({
  product: ProductSchema,
  quantity: z.number().int('must be a whole number').positive('must be at least 1'),
  unitPrice: PriceSchema,
  discountPercent: z.number().min(0).max(100, 'must be at most 100').default(0),
});
export type QuoteLineInput = z.input<typeof QuoteLineInputSchema>;
export type QuoteLineSpec = z.output<typeof QuoteLineInputSchema>;

export const QuoteLinesSchema = z.array(QuoteLineInputSchema).min(1, 'a quotation needs at least one item');

export interface QuoteLine extends QuoteLineSpec {
  unitPriceCents: number;
  grossCents: number;
  discountCents: number;
  netCents: number;
}

export interface QuoteTotals {
  grossCents: number;
  discountCents: number;
  netCents: number;
}

export function priceLine(spec: QuoteLineSpec): QuoteLine {
  const unitPriceCents = Math.round(spec.unitPrice * 100);
  const grossCents = unitPriceCents * spec.quantity;
  const discountCents = Math.round((grossCents * spec.discountPercent) / 100);
  return { ...spec, unitPriceCents, grossCents, discountCents, netCents: grossCents - discountCents };
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

/** 123456 → "1234.56"; amounts are shown with their currency beside them. */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
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
}
