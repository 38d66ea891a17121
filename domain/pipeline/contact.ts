import { z } from 'zod';
import { shareable } from '../shared/shareable';

/** The kinds of customer contact sales support keeps track of; `web` is the public quotation page. */
export const CHANNELS = ['visit', 'call', 'letter', 'direct_mail', 'email', 'web'] as const;
export const ChannelSchema = shareable(z.enum(CHANNELS));
export type Channel = z.infer<typeof ChannelSchema>;

export const DirectionSchema = shareable(z.enum(['inbound', 'outbound']));
export type Direction = z.infer<typeof DirectionSchema>;

export const IsoTimeSchema = shareable(z.iso.datetime({ offset: true, message: 'must be an ISO-8601 time such as 2026-11-22T10:00:00Z' }));

export const ContactEntrySchema = shareable(z.object({
  at: IsoTimeSchema,
  channel: ChannelSchema,
  direction: DirectionSchema,
  note: z.string().max(4000).default(''),
  by: z.string().min(1),
  /**
   * Set when the entry was not logged by a rep: `quotation` (the system mailed a quotation),
   * `quotation-page` (the customer answered or asked on the quotation page), `mail` or
   * `mail:<Message-ID>` (the customer's mail).
   */
  source: z.string().optional(),
}));
export type ContactEntry = z.infer<typeof ContactEntrySchema>;

/**
 * The customer made this contact (a mail, the quotation page): `by` then names the customer
 * or the page, not somebody on the team, so reports of the team's activity leave it out.
 */
export function fromCustomer(contact: Pick<ContactEntry, 'source'>): boolean {
  const s = contact.source;
  return s === 'quotation-page' || s === 'mail' || (s?.startsWith('mail:') ?? false);
}
