import { z } from 'zod';
import { DurationSchema } from '../shared/duration';
import { ChannelSchema, DirectionSchema, IsoTimeSchema } from './contact';
import { InquiryItemsSchema } from './inquiry';
import type { InputRules } from '../shared/inputRules';
import { QualificationOutcomeSchema, qualificationAnswersSchema } from './qualification';
import { quoteLinesSchema } from './quotation';
import { multiLineText, singleLineText } from '../shared/text';
import { shareable, shareableEach } from '../shared/shareable';

/**
 * The commands a person can give a prospect. Each is a Temporal update whose validator
 * parses its argument with the schema here, so the CLI, the HTTP API and the workflow
 * refuse the same input with the same message.
 *
 * The schemas are built per rules level (domain/shared/inputRules.ts): update handlers parse with
 * the `recorded` ones, which keep only the rules that held before text and money were
 * tightened, so a command an older validator accepted still applies on replay.
 */

/** How a quotation reached a customer without email; recorded in the contact log. */
export const HandOverChannelSchema = shareable(z.enum(['visit', 'call', 'letter', 'direct_mail'], {
  error: 'must be how it reached the customer: visit, call, letter or direct_mail',
}));

export function commandSchemas(rules: InputRules) {
  const lenient = rules === 'recorded';
  const line = (max: number) => singleLineText(max, lenient);
  const lines = (max: number) => multiLineText(max, lenient);
  const By = line(100).min(1, 'must name who gives the command').default('unknown');
  const Reason = lines(1000).min(1, 'a reason is required');
  const Note = lines(4000).default('');
  const Outcome = line(200).min(1, 'an outcome is required');
  const QuoteLines = quoteLinesSchema(rules);
  const RepId = z.string().trim().min(1, 'must name a rep').max(63);

  const LogContactSchema = z.object({
    channel: ChannelSchema,
    direction: DirectionSchema.default('outbound'),
    note: Note,
    /** When the contact happened; defaults to the time the command is accepted. */
    at: IsoTimeSchema.optional(),
    by: By,
  });

  const QualifySchema = z
    .object({
      answers: qualificationAnswersSchema(lenient).default({}),
      outcome: QualificationOutcomeSchema.optional(),
      reason: lines(1000).min(1).optional(),
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

  const CreateInquirySchema = z.object({ items: InquiryItemsSchema, note: Note, by: By });

  const CreateQuoteSchema = z.object({
    lines: QuoteLines,
    note: Note,
    /** End of validity; defaults to the process's quote validity counted from sending. */
    validTo: IsoTimeSchema.optional(),
    by: By,
  });

  const ChangeQuoteSchema = z
    .object({
      /** Absent: the lines are re-read from the current inquiry, keeping their prices. */
      lines: QuoteLines.optional(),
      note: lines(4000).optional(),
      validTo: IsoTimeSchema.optional(),
      by: By,
    })
    .refine((c) => c.lines !== undefined || c.note !== undefined || c.validTo !== undefined, {
      message: 'a change needs new lines, a note or a validity end',
    });

  const CompleteCallSchema = z.object({ callId: z.string().min(1), outcome: Outcome, note: Note, by: By });

  /** The revision the customer answers (the one their link and page showed), checked against the current one. */
  const Revision = z.number().int().positive();
  const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex');
  /** Where an answer on the public quotation page came from, for the record. */
  const Online = z.object({
    ip: line(100).min(1),
    userAgent: line(500).default(''),
  });
  const OnlineAcceptance = Online.extend({
    signer: line(200).min(1, 'the signer\'s name is required'),
    signature: line(200).min(1, 'a typed signature is required'),
    acceptedTerms: z.literal(true, { error: 'the terms must be accepted' }),
  });

  return {
    LogContactSchema,
    QualifySchema,
    CreateInquirySchema,
    ChangeInquirySchema: CreateInquirySchema,
    CreateQuoteSchema,
    ChangeQuoteSchema,
    RefreshQuoteSchema: z.object({ by: By }),
    SendQuoteSchema: z.object({
      /** Set when the quotation reached the customer other than by mail (no email address, say). */
      handedOver: HandOverChannelSchema.optional(),
      by: By,
    }),
    AcceptQuoteSchema: z.object({
      note: Note,
      by: By,
      revision: Revision.optional(),
      /** The document the customer saw; refused when it is not the one mailed for the revision. */
      documentSha256: Sha256.optional(),
      online: OnlineAcceptance.optional(),
    }),
    RejectQuoteSchema: z.object({ reason: Reason, by: By, revision: Revision.optional(), documentSha256: Sha256.optional(), online: Online.optional() }),
    /**
     * Something the customer said (a reply by mail, a question on the quotation page): an
     * inbound contact, and with `followUp` a task for the rep to answer it.
     */
    CustomerMessageSchema: z.object({
      channel: z.enum(['email', 'web']),
      note: lines(4000).min(1, 'the message is empty'),
      /** Who wrote (a mail's From), for the record. */
      from: line(300).optional(),
      revision: Revision.optional(),
      followUp: z.boolean().default(false),
      /** The mail's Message-ID, so a message delivered twice is logged once. */
      messageId: line(998).optional(),
      by: By,
    }),
    MarkLostSchema: z.object({ reason: Reason, by: By }),
    CompleteTaskSchema: z.object({ taskId: z.string().min(1), outcome: Outcome, note: Note, by: By }),
    /** A rep completing a task on its own workflow (`task done`). */
    TaskCompletionSchema: z.object({ outcome: Outcome, note: lines(4000).optional(), by: line(100).optional() }),
    ScheduleCallSchema: z.object({
      at: IsoTimeSchema,
      /** Defaults to the process's call length. */
      duration: DurationSchema.optional(),
      note: Note,
      by: By,
    }),
    RescheduleCallSchema: z.object({ callId: z.string().min(1), at: IsoTimeSchema, duration: DurationSchema.optional(), by: By }),
    CancelCallSchema: z.object({ callId: z.string().min(1), reason: Note, by: By }),
    CompleteCallSchema,
    OpenSupportQuerySchema: z.object({
      topic: line(200).min(1, 'a topic is required'),
      question: lines(4000).min(1, 'a question is required'),
      by: By,
    }),
    AnswerSupportQuerySchema: z.object({
      queryId: z.string().min(1),
      answer: lines(4000).min(1, 'an answer is required'),
      /** Items for an inquiry made from the query (the customer asked for prices or dates). */
      inquiryItems: InquiryItemsSchema.optional(),
      by: By,
    }),
    MigrateProcessSchema: z.object({
      /** The published definition to move to; validated again by the prospect. */
      process: z.unknown(),
      /**
       * A rep who left in the new version: their prospect and open tasks go to `to` (a rep of
       * the new version) as part of the move, in one step.
       */
      reassign: z.object({ from: RepId, to: RepId }).optional(),
      by: By,
    }),
    /** Moves an open prospect and its open tasks to another rep of its process version. */
    ReassignSchema: z.object({ rep: RepId, reason: lines(1000).optional(), by: By }),
  };
}

const CURRENT = commandSchemas('current');
const RECORDED = commandSchemas('recorded');

/** The command schemas for a rules level. */
export function schemasFor(rules: InputRules): typeof CURRENT {
  return rules === 'recorded' ? RECORDED : CURRENT;
}

export const {
  LogContactSchema,
  QualifySchema,
  CreateInquirySchema,
  ChangeInquirySchema,
  CreateQuoteSchema,
  ChangeQuoteSchema,
  RefreshQuoteSchema,
  SendQuoteSchema,
  AcceptQuoteSchema,
  RejectQuoteSchema,
  CustomerMessageSchema,
  MarkLostSchema,
  CompleteTaskSchema,
  TaskCompletionSchema,
  ScheduleCallSchema,
  RescheduleCallSchema,
  CancelCallSchema,
  CompleteCallSchema,
  OpenSupportQuerySchema,
  AnswerSupportQuerySchema,
  MigrateProcessSchema,
  ReassignSchema,
} = shareableEach(CURRENT);

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
export type RefreshQuote = z.input<typeof RefreshQuoteSchema>;
export type SendQuote = z.input<typeof SendQuoteSchema>;
export type AcceptQuote = z.input<typeof AcceptQuoteSchema>;
export type RejectQuote = z.input<typeof RejectQuoteSchema>;
export type CustomerMessage = z.input<typeof CustomerMessageSchema>;
export type MarkLost = z.input<typeof MarkLostSchema>;
export type CompleteTask = z.input<typeof CompleteTaskSchema>;

/**
 * The URL segment of a prospect command in the HTTP API (`logContact` is
 * `/api/prospects/{id}/log-contact`): the server registers its routes by it and the CLI
 * calls them by it, so the two cannot drift.
 */
export function commandSegment(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
