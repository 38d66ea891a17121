import { z } from 'zod';
import type { ContactEntry } from './contact';
import type { Inquiry } from './inquiry';
import { PersonIdSchema, type ProcessDefinition, type TaskKind } from '../process/process';
import type { QualificationRecord } from './qualification';
import type { QuoteRevision } from './quotation';
import type { Stage } from './stages';
import { singleLineText } from '../shared/text';
import { shareable, emailSchema } from '../shared/shareable';

export const ProspectIdSchema = shareable(z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, 'must be letters, digits, "_" or "-" (at most 100)'));

/**
 * Who the prospect is; what `salesflow create` and the HTTP API accept. `lenient`: the rules
 * before clean text, for workflows replaying their start (domain/shared/inputRules.ts).
 */
export function prospectInfoSchema(lenient = false) {
  return z.object({
    id: ProspectIdSchema,
    name: singleLineText(200, lenient).min(1, 'must not be empty'),
    company: singleLineText(200, lenient).optional(),
    email: emailSchema('must be an email address').optional(),
    phone: singleLineText(50, lenient).optional(),
    rep: PersonIdSchema,
    source: singleLineText(100, lenient).default('manual'),
    /**
     * The customer account a repeat deal is for (`deal new --customer`): its win is booked
     * there. Absent on a first deal, whose win makes (or finds) the account by company.
     */
    customer: z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'must be a customer id (lower-case letters, digits and "-")').optional(),
    /**
     * What it was opened for, when something else opened it: a customer's repeat deal ("opened
     * from customer acme-corp: spare parts kit"), a support query's replacement. Its first line
     * in the history says it, so the rep working it need not look it up on the account.
     */
    origin: singleLineText(400, lenient).optional(),
    /** Free facts about the prospect (territory, industry, size) that process rules can read. */
    fields: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/, 'field names are letters, digits and _'), z.union([singleLineText(200, lenient), z.number(), z.boolean()])).default({}),
  });
}
export const ProspectInfoSchema = shareable(prospectInfoSchema());
/**
 * The rules a recorded start was made under (domain/shared/inputRules.ts). Built once, as
 * ProspectInfoSchema is: building a zod object costs far more than parsing with it (about
 * 0.25 ms against 0.015 ms), and every prospect's start parses its info.
 */
export const LenientProspectInfoSchema = shareable(prospectInfoSchema(true));
export type ProspectInfoInput = z.input<typeof ProspectInfoSchema>;
export type ProspectInfo = z.output<typeof ProspectInfoSchema>;

/**
 * `prospect-<id>`. Built here, not only in the pipeline contract (workflows/pipeline/contract.ts
 * re-exports it), because the prospect's mails derive their Message-IDs from it.
 */
const PROSPECT_ID_PREFIX = 'prospect-';

export function prospectWorkflowId(id: string): string {
  return `${PROSPECT_ID_PREFIX}${id}`;
}

/** The prospect id back from its workflow id (visibility lists return workflow ids). */
export function prospectIdOf(workflowId: string): string {
  return workflowId.startsWith(PROSPECT_ID_PREFIX) ? workflowId.slice(PROSPECT_ID_PREFIX.length) : workflowId;
}

export const TASK_STATES = ['open', 'overdue', 'escalated', 'done', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];
export const ACTIVE_TASK_STATES: readonly TaskState[] = ['open', 'overdue', 'escalated'];

export function isActiveTask(task: { state: TaskState }): boolean {
  return ACTIVE_TASK_STATES.includes(task.state);
}

/**
 * Something a rep has to do. The prospect keeps this record; since version 2 of the
 * workflow each task also runs as its own `task-<id>` workflow (so inboxes come from
 * visibility) that reports every change back here.
 */
export interface RepTask {
  id: string;
  kind: TaskKind;
  title: string;
  rep: string;
  dueAt: string;
  /** When an overdue task escalates to the manager (absent on tasks made before v2). */
  escalateAt?: string;
  state: TaskState;
  createdAt: string;
  doneAt?: string;
  outcome?: string;
  note?: string;
  /** The task workflow has been started for it. */
  started?: boolean;
  /**
   * What the task workflow was last told or reported, `state|dueAt|rep` (`state|dueAt` on
   * runs from before reassignment); a difference from the task now is signalled to it.
   */
  synced?: string;
  /** What the task is about: a call or a support query. */
  ref?: string;
  /**
   * A customer account's task: each time it went overdue or escalated, with the rep it was
   * overdue with, for the activity report (a prospect keeps these in its escalations).
   * Absent on tasks that went late before it was recorded.
   */
  lateness?: { kind: 'overdue' | 'escalated'; rep: string; at: string }[];
}

/** An escalation on the prospect's record: who was told about what, and when. */
export interface EscalationRecord {
  /** When it was applied (later than `dueAt` when the worker was away). */
  at: string;
  /** When it fell due; absent on records made before missed deadlines were applied one by one. */
  dueAt?: string;
  /** Why nothing was sent (an escalation for a quotation that had already expired). */
  skipped?: string;
  kind: 'quote_reminder' | 'quote_escalation' | 'quote_expired' | 'task_overdue' | 'task_escalated' | 'call_overdue';
  quoteRevision?: number;
  taskId?: string;
  to: string;
}

/**
 * A mail the workflow owes the world. Updates put mails here and the workflow's main loop
 * delivers them through an activity, so a command never waits on SMTP and an outage
 * delays mail without losing it. The Message-ID is fixed when the mail is queued, so a
 * retried delivery is recognisable downstream.
 */
export interface OutboundMail {
  messageId: string;
  to: string;
  cc?: string;
  subject: string;
  text: string;
  /** An iCalendar invitation (text/calendar) sent alongside the text. */
  calendar?: { method: 'REQUEST' | 'CANCEL'; content: string };
  /** The HTML part of a customer mail (the text stays as its plain-text part). */
  html?: string;
  /** A customer mail's sender: the rep's name on the company's address (else the worker's MAIL_FROM). */
  from?: { name: string; address?: string };
  /**
   * Replies go to salesflow's reply address with this tag (`replies+<tag>@...`), which names
   * the prospect (`p.<id>`); without one they go to the plain reply address.
   */
  replyTag?: string;
  /** Stored quotation documents attached, by revision; `sha256` once the workflow recorded it. */
  attachments?: { prospectId: string; revision: number; sha256?: string }[];
  /** The signed link to the quotation page, put in place of QUOTATION_LINK by the worker (it holds the key). */
  quotationLink?: { prospectId: string; revision: number; validTo: string };
}

export interface ChangeRecord {
  at: string;
  by: string;
  what: string;
}

export interface ScheduledCall {
  id: string;
  at: string;
  durationMs: number;
  status: 'scheduled' | 'cancelled' | 'done';
  /** iCalendar SEQUENCE: bumped by every reschedule and the cancellation. */
  sequence: number;
  taskId: string;
  outcome?: string;
  note?: string;
}

export interface SupportQuery {
  id: string;
  topic: string;
  question: string;
  openedAt: string;
  openedBy: string;
  taskId: string;
  rep: string;
  answeredAt?: string;
  answer?: string;
}

export interface ProspectState {
  info: ProspectInfo;
  stage: Stage;
  process: ProcessDefinition;
  createdAt: string;
  contacts: ContactEntry[];
  qualification?: QualificationRecord;
  inquiry?: Inquiry;
  /** Every revision of the prospect's quotation, oldest first; the last is current. */
  quotes: QuoteRevision[];
  tasks: RepTask[];
  escalations: EscalationRecord[];
  outbox: OutboundMail[];
  /** Every accepted command, one line each: the prospect's audit trail. */
  changes: ChangeRecord[];
  closedAt?: string;
  lostReason?: string;
  calls?: ScheduledCall[];
  supportQueries?: SupportQuery[];
  /** Process versions this prospect ran on before a migration. */
  migrations?: { at: string; from: number; to: number; by: string }[];
  /** Serial number for task ids, so ids stay unique across continue-as-new. */
  nextTaskNo: number;
  /** How many older entries left the workflow's window of the record (see domain/pipeline/record.ts). */
  archived?: RecordCounts;
  /**
   * Every stage the prospect entered, in order (absent on prospects begun before reporting,
   * whose entries the read model derives from the record). Reports count funnels and time
   * in stage from it; it is short, so it is never cut.
   */
  stages?: StageEntry[];
  /** The close was reported to the customer account (and a referral's referrer). */
  closeReported?: boolean;
}

export interface StageEntry {
  stage: Stage;
  at: string;
  /** Why the prospect was lost, when `stage` is lost. */
  reason?: string;
}

export interface RecordCounts {
  contacts: number;
  changes: number;
  escalations: number;
}

/**
 * What a prospect update answers: small, because every result is written to the history
 * (the whole prospect was, before). Callers that need the prospect query it.
 */
export interface CommandResult {
  /** How many entries the prospect's change record has ever had; grows with every command. */
  version: number;
  stage: Stage;
  /** The change the command recorded. */
  summary: string;
}
