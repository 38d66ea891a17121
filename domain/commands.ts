import { z } from 'zod';
import { DurationSchema } from './duration';
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
    /** Let the process's qualification rules decide the outcome from the answers. */
    decide: z.boolean().default(false),
    by: By,
  })
  .refine((q) => q.outcome !== 'disqualified' || q.reason !== undefined, {
    message: 'a disqualification needs a reason',
    path: ['reason'],
  })
  .refine((q) => !(q.decide && q.outcome !== undefined), {
    message: 'give either an outcome or decide, not both',
    path: ['decide'],
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

export const ScheduleCallSchema = z.object({
  at: IsoTimeSchema,
  /** Defaults to the process's call length. */
  duration: DurationSchema.optional(),
  note: Note,
  by: By,
});
export const RescheduleCallSchema = z.object({ callId: z.string().min(1), at: IsoTimeSchema, duration: DurationSchema.optional(), by: By });
export const CancelCallSchema = z.object({ callId: z.string().min(1), reason: Note, by: By });
export const CompleteCallSchema = z.object({
  callId: z.string().min(1),
  outcome: z.string().trim().min(1, 'an outcome is required').max(200),
  note: Note,
  by: By,
});

export const OpenSupportQuerySchema = z.object({
  topic: z.string().trim().min(1, 'a topic is required').max(200),
  question: z.string().trim().min(1, 'a question is required').max(4000),
  by: By,
});
export const AnswerSupportQuerySchema = z.object({
  queryId: z.string().min(1),
  answer: z.string().trim().min(1, 'an answer is required').max(4000),
  /** Items for an inquiry made from the query (the customer asked for prices or dates). */
  inquiryItems: InquiryItemsSchema.optional(),
  by: By,
});

const RepId = z.string().trim().min(1, 'must name a rep').max(63);

export const MigrateProcessSchema = z.object({
  /** The published definition to move to; validated again by the prospect. */
  process: z.unknown(),
  /**
   * A rep who left in the new version: their prospect and open tasks go to `to` (a rep of
   * the new version) as part of the move, in one step.
   */
  reassign: z.object({ from: RepId, to: RepId }).optional(),
  by: By,
});

/** Moves an open prospect and its open tasks to another rep of its process version. */
export const ReassignSchema = z.object({
  rep: RepId,
  reason: z.string().trim().max(1000).optional(),
  by: By,
});
export type Reassign = z.input<typeof ReassignSchema>;

export type LogContact = z.input<typeof LogContactSchema>;
export type ScheduleCall = z.input<typeof ScheduleCallSchema>;
export type RescheduleCall = z.input<typeof RescheduleCallSchema>;
export type CancelCall = z.input<typeof CancelCallSchema>;
export type CompleteCall = z.input<typeof CompleteCallSchema>;
export type OpenSupportQuery = z.input<typeof OpenSupportQuerySchema>;
export type AnswerSupportQuery = z.input<typeof AnswerSupportQuerySchema>;
export type MigrateProcess = z.input<typeof MigrateProcessSchema>;
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
