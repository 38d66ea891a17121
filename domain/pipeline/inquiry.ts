import { z } from 'zod';
import { shareable, isoDateSchema } from '../shared/shareable';

/** A product code as it appears in the catalogue. */
export const ProductSchema = shareable(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/, 'must be a product code (letters, digits, . _ / -)'));

export const DateSchema = shareable(isoDateSchema('must be a date such as 2026-12-31'));

export const InquiryItemSchema = shareable(z.object({
  product: ProductSchema,
  quantity: z.number().int('must be a whole number').positive('must be at least 1'),
  wantedDeliveryDate: DateSchema.optional(),
}));
export type InquiryItem = z.infer<typeof InquiryItemSchema>;

export const InquiryItemsSchema = shareable(z.array(InquiryItemSchema).min(1, 'an inquiry needs at least one item'));

/**
 * One version of the customer's request. An inquiry is never edited in place: a change
 * appends a version, so who asked for what, and when, stays on record (VA12 change log).
 */
export interface InquiryVersion {
  version: number;
  items: InquiryItem[];
  note: string;
  changedBy: string;
  changedAt: string;
}

export interface Inquiry {
  versions: InquiryVersion[];
}

export function currentInquiry(inquiry: Inquiry): InquiryVersion {
  const last = inquiry.versions[inquiry.versions.length - 1];
  if (!last) throw new Error('an inquiry always has a version');
  return last;
}
