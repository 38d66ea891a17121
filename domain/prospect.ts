import { z } from 'zod';
import type { ContactEntry } from './contact';
import type { Inquiry } from './inquiry';
import { PersonIdSchema, type ProcessDefinition } from './process';
import type { QualificationRecord } from './qualification';
import type { QuoteRevision } from './quotation';
import type { Stage } from './stages';

export const ProspectIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, 'must be letters, digits, "_" or "-" (at most 100)');

/** Who the prospect is; what `salesflow create` and the HTTP API accept. */
export const ProspectInfoSchema = z.object({
  id: ProspectIdSchema,
  name: z.string().trim().min(1, 'must not be empty').max(200),
  company: z.string().trim().max(200).optional(),
  email: z.email('must be an email address').optional(),
  phone: z.string().trim().max(50).optional(),
  rep: PersonIdSchema,
  source: z.string().trim().max(100).default('manual'),
});
export type ProspectInfoInput = z.input<typeof ProspectInfoSchema>;
export type ProspectInfo = z.output<typeof ProspectInfoSchema>;

export function prospectWorkflowId(id: string): string {
  return `prospect-${id}`;
}

export type TaskState = 'open' | 'done' | 'cancelled';

/** Something a rep has to do; created by the workflow, completed by the rep. */
export interface RepTask {
  id: string;
  kind: 'follow_up';
  title: string;
  rep: string;
  dueAt: string;
  state: TaskState;
  createdAt: string;
  doneAt?: string;
  outcome?: string;
  note?: string;
}

/** An escalation on the prospect's record: who was told about what, and when. */
export interface EscalationRecord {
  at: string;
  kind: 'quote_reminder' | 'quote_escalation' | 'quote_expired';
  quoteRevision: number;
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
}

export interface ChangeRecord {
  at: string;
  by: string;
  what: string;
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
  /** Serial number for task ids, so ids stay unique across continue-as-new. */
  nextTaskNo: number;
}
