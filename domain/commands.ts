import { z } from 'zod';
import { ChannelSchema, DirectionSchema, IsoTimeSchema } from './contact';
import { InquiryItemsSchema } from './inquiry';
import { QualificationAnswersSchema, QualificationOutcomeSchema } from './qualification';
import { QuoteLinesSchema } from './quotation';

/**
 * The commands a person can give a prospect. Each is a Temporal update whose validator
 * parses its argument with the schema here, so the CLI, the HTTP API and the workflow
 * refuse the same input with the same message.
 */

const By = z.string().trim().min(1, 'must name who gives the command').max(100).default('unknown');
const Reason = z.string().trim().min(1, 'a reason is required').max(1000);
const Note = z.string().trim().max(4000).default('');

export const LogContactSchema = z.object({
  channel: ChannelSchema,
  direction: DirectionSchema.default('outbound'),
  note: Note,
  /** When the contact happened; defaults to the time the command is accepted. */
  at: IsoTimeSchema.optional(),
  by: By,
});

export const QualifySchema = z
  .object({
    answers: QualificationAnswersSchema.default({}),
    outcome: QualificationOutcomeSchema.optional(),
    reason: z.string().trim().min(1).max(1000).optional(),
    by: By,
  })
  .refine((q) => q.outcome !== 'disqualified' || q.reason !== undefined, {
    message: 'a disqualification needs a reason',
    path: ['reason'],
  });

export const CreateInquirySchema = z.object({ items: InquiryItemsSchema, note: Note, by: By });
export const ChangeInquirySchema = CreateInquirySchema;

export const CreateQuoteSchema = z.object({
  lines: QuoteLinesSchema,
  note: Note,
  /** End of validity; defaults to the process's quote validity counted from sending. */
  validTo: IsoTimeSchema.optional(),
  by: By,
});

export const ChangeQuoteSchema = z
  .object({
    lines: QuoteLinesSchema.optional(),
    note: z.string().trim().max(4000).optional(),
    validTo: IsoTimeSchema.optional(),
    by: By,
  })
  .refine((c) => c.lines !== undefined || c.note !== undefined || c.validTo !== undefined, {
    message: 'a change needs new lines, a note or a validity end',
  });

export const SendQuoteSchema = z.object({ by: By });
export const AcceptQuoteSchema = z.object({ note: Note, by: By });
export const RejectQuoteSchema = z.object({ reason: Reason, by: By });
export const MarkLostSchema = z.object({ reason: Reason, by: By });

export const CompleteTaskSchema = z.object({
  taskId: z.string().min(1),
  outcome: z.string().trim().min(1, 'an outcome is required').max(200),
  note: Note,
  by: By,
});

export type LogContact = z.input<typeof LogContactSchema>;
export type Qualify = z.input<typeof QualifySchema>;
export type CreateInquiry = z.input<typeof CreateInquirySchema>;
export type ChangeInquiry = z.input<typeof ChangeInquirySchema>;
export type CreateQuote = z.input<typeof CreateQuoteSchema>;
export type ChangeQuote = z.input<typeof ChangeQuoteSchema>;
export type SendQuote = z.input<typeof SendQuoteSchema>;
export type AcceptQuote = z.input<typeof AcceptQuoteSchema>;
export type RejectQuote = z.input<typeof RejectQuoteSchema>;
export type MarkLost = z.input<typeof MarkLostSchema>;
export type CompleteTask = z.input<typeof CompleteTaskSchema>;
