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
  /** Set when the entry was made by the system (a quotation mailed, a campaign), not a person. */
  source: z.string().optional(),
}));
export type ContactEntry = z.infer<typeof ContactEntrySchema>;
