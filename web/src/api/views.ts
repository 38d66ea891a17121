import type { components } from './schema';

/**
 * The prospect as GET /api/prospects/{id} returns it. The OpenAPI document types only the
 * keys every prospect has (the full workflow state is a loose object there); these are the
 * further parts the prospect page reads, as domain/pipeline/prospect.ts defines them.
 */

export interface ContactEntry { at: string; channel: string; direction: 'inbound' | 'outbound'; note: string; by: string; source?: string }
export interface ChangeRecord { at: string; by: string; what: string }
export interface EscalationRecord { at: string; dueAt?: string; skipped?: string; kind: string; quoteRevision?: number; taskId?: string; to: string }
export interface RepTask { id: string; kind: string; title: string; rep: string; dueAt: string; escalateAt?: string; state: string; createdAt: string; doneAt?: string; outcome?: string; note?: string; ref?: string; prospectId?: string }
export interface InquiryItem { product: string; quantity: number; wantedDeliveryDate?: string }
export interface InquiryVersion { version: number; items: InquiryItem[]; note: string; changedBy: string; changedAt: string }
export interface QuoteLine { product: string; quantity: number; unitPriceCents: number; discountPercent: number; free?: boolean; grossCents: number; discountCents: number; netCents: number }
export interface QuoteRevision {
  revision: number;
  status: 'draft' | 'sent' | 'accepted' | 'rejected' | 'expired' | 'superseded';
  inquiryVersion: number;
  currency: string;
  lines: QuoteLine[];
  totals: { grossCents: number; discountCents: number; netCents: number };
  note: string;
  createdAt: string;
  createdBy: string;
  sentAt?: string;
  validTo?: string;
  respondedAt?: string;
  reason?: string;
  supersededBy?: number;
  remindedAt?: string;
  escalatedAt?: string;
}
export interface QualificationRecord {
  score?: { score: number; threshold: number; contributions: { rule: string; matched: boolean; points: number }[]; knockout?: { rule: string; reason: string }; outcome: string };
  answers: { budget?: number; need?: string; authority?: string; timeline?: string };
  outcome?: 'qualified' | 'disqualified';
  reason?: string;
  decidedAt?: string;
  decidedBy?: string;
  updatedAt: string;
}
export interface ScheduledCall { id: string; at: string; durationMs: number; status: 'scheduled' | 'cancelled' | 'done'; taskId: string; outcome?: string; note?: string }
export interface SupportQuery { id: string; topic: string; question: string; openedAt: string; openedBy: string; taskId: string; rep: string; answeredAt?: string; answer?: string }
export interface OutboundMail { messageId: string; to: string; subject: string }
export interface Team { name: string; manager: { id: string }; reps: { id: string; email?: string }[] }

export interface ProspectView {
  info: { id: string; name: string; company?: string; email?: string; phone?: string; rep: string; source: string; fields: Record<string, unknown> };
  stage: string;
  process: { name: string; version: number; teams: Team[]; quotePolicy: { currency: string } };
  createdAt: string;
  contacts: ContactEntry[];
  qualification?: QualificationRecord;
  inquiry?: { versions: InquiryVersion[] };
  quotes: QuoteRevision[];
  tasks: RepTask[];
  escalations: EscalationRecord[];
  outbox: OutboundMail[];
  changes: ChangeRecord[];
  closedAt?: string;
  lostReason?: string;
  calls?: ScheduledCall[];
  supportQueries?: SupportQuery[];
}

export function asProspect(p: components['schemas']['Prospect']): ProspectView {
  return p as unknown as ProspectView;
}

export type Task = components['schemas']['Task'];

/**
 * The customer account as GET /api/customers/{id} returns it (the OpenAPI document types only
 * the keys every account has); these are the parts the customer page reads, as
 * domain/customer/customer.ts and domain/customer/profile.ts define them.
 */
export interface CustomerDeal { prospectId: string; kind: 'first' | 'repeat' | 'referral'; status: 'open' | 'won' | 'lost'; openedAt: string; closedAt?: string; netCents?: number; currency?: string; products?: string[]; reason?: string; origin?: string }
export interface RenewalQuoteView { number: string; draftedAt: string; product: string; quantity: number; netCents: number; currency: string; termStart: string; termEnd: string; status: string }
export interface CustomerContract {
  id: string;
  product: string;
  kind: 'contract' | 'subscription';
  quantity: number;
  valueCents: number;
  currency: string;
  prospectId: string;
  autoRenew: boolean;
  term: number;
  start: string;
  end: string;
  status: 'active' | 'ending' | 'lapsed';
  escalatedAt?: string;
  renewalQuote?: RenewalQuoteView;
  declined?: { at: string; by: string; reason: string };
  history: { term: number; start: string; end: string; outcome: string; at: string }[];
  lostCents?: number;
}
export interface CustomerConsumable { product: string; quantity: number; everyMs: number; lastOrderAt: string }
export interface CustomerReferral { prospectId: string; name: string; company?: string; at: string; by: string; status: 'open' | 'won' | 'lost'; closedAt?: string; creditedAt?: string; netCents?: number; currency?: string }
export interface CustomerProfileView {
  preferences: string[];
  notes: { at: string; by: string; text: string; tags: string[]; source: string }[];
  answers: Record<string, unknown>;
  reasons: { at: string; prospectId: string; outcome: 'won' | 'lost'; text: string }[];
  decisionMakers: { name: string; role?: string; email?: string }[];
  installedProducts: { product: string; quantity: number; purchasedAt: string; prospectId: string }[];
  serviceLevel?: string;
}
export interface SupportCaseView {
  id: string;
  topic: string;
  question: string;
  product?: string;
  openedAt: string;
  openedBy: string;
  taskId: string;
  suggestion: 'repair' | 'replace' | 'answer';
  why: string;
  answeredAt?: string;
  answer?: string;
  outcome?: 'answered' | 'repair' | 'new_deal';
  followUp?: string;
}
export interface CustomerView {
  info: { id: string; name: string; owner: string; tier?: string; contacts: { name: string; email?: string; phone?: string }[]; referredBy?: string };
  process: { name: string; version: number; teams: Team[] };
  createdAt: string;
  deals: CustomerDeal[];
  contracts: CustomerContract[];
  consumables: CustomerConsumable[];
  referrals: CustomerReferral[];
  profile: CustomerProfileView;
  supportCases: SupportCaseView[];
  cadence: { firstWonAt: string; lastContactAt: string; satisfaction?: { at: string; score: number; note?: string; by: string } };
  tasks: RepTask[];
  outbox: OutboundMail[];
  changes: ChangeRecord[];
  lostRevenueCents: number;
}

export function asCustomer(c: components['schemas']['Customer']): CustomerView {
  return c as unknown as CustomerView;
}

export type CustomerSummary = components['schemas']['CustomerSummary'];
export type Renewal = components['schemas']['Renewal'];
