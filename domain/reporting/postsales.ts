import { teamOf } from '../process/process';
import type { Channel } from '../pipeline/contact';
import { customerWorkflowId, type CustomerState } from '../customer/customer';

/**
 * A customer account as the post-sales report sees it: one pure projection of the account's
 * state, written by the customer workflow's feed (workflows/reporting/customerFeed.ts) and by
 * the rebuild alike, so both give the same rows. Unlike a prospect's events, an account's are
 * few (its contracts' terms, its referrals, its tasks, the contacts logged with it).
 */

export const CUSTOMER_EVENT_KINDS = ['term_due', 'renewed', 'lapsed', 'referral_given', 'referral_won', 'referral_lost', 'task_done', 'task_overdue', 'task_escalated', 'contact'] as const;
export type CustomerEventKind = (typeof CUSTOMER_EVENT_KINDS)[number];

export interface CustomerReportEvent {
  /** Unique within the account: what it is about (contract and term, referred prospect). */
  key: string;
  kind: CustomerEventKind;
  at: string;
  contractId?: string;
  /** A term's value (due, renewed, lapsed: the revenue lost), a won referral's net value; else 0. */
  valueCents: number;
  /** The tasks' events (for the activity report, as a prospect's): the rep credited. */
  actor?: string;
  /** task_done: `on_time` (done by its due time) or `late`; contact: its channel. */
  detail?: 'on_time' | 'late' | Channel;
}

export interface CustomerSnapshot {
  customerId: string;
  owner: string;
  team: string;
  process: string;
  /** The account's record version ((archived) changes): a write never goes back to an older one. */
  version: number;
  activeContracts: number;
  /** One term's value of every contract not lapsed: what renews. */
  recurringCents: number;
  /** The same per year (each term's value × terms a year). */
  annualRecurringCents: number;
  lostRevenueCents: number;
}

export interface CustomerProjection {
  workflowId: string;
  snapshot: CustomerSnapshot;
  events: CustomerReportEvent[];
}

const YEAR_MS = 365 * 86_400_000;

export function customerRecordVersion(state: CustomerState): number {
  return (state.archivedChanges ?? 0) + state.changes.length;
}

export function projectCustomer(state: CustomerState): CustomerProjection {
  const events: CustomerReportEvent[] = [];
  let activeContracts = 0;
  let recurringCents = 0;
  let annualRecurringCents = 0;
  for (const k of state.contracts) {
    // Every term that ended or will end is a renewal falling due at its end; the ended ones say how.
    for (const t of k.history) {
      events.push({ key: `due:${k.id}:${t.term}`, kind: 'term_due', at: t.end, contractId: k.id, valueCents: k.valueCents });
      const kind = t.outcome === 'lapsed' ? 'lapsed' : 'renewed';
      events.push({ key: `${kind}:${k.id}:${t.term}`, kind, at: t.at, contractId: k.id, valueCents: k.valueCents });
    }
    if (k.status !== 'lapsed') {
      events.push({ key: `due:${k.id}:${k.term}`, kind: 'term_due', at: k.end, contractId: k.id, valueCents: k.valueCents });
      activeContracts += 1;
      recurringCents += k.valueCents;
      annualRecurringCents += k.termMs > 0 ? Math.round((k.valueCents * YEAR_MS) / k.termMs) : 0;
    }
  }
  for (const r of state.referrals) {
    events.push({ key: `referral:${r.prospectId}`, kind: 'referral_given', at: r.at, valueCents: 0 });
    if (r.status !== 'open' && r.closedAt) {
      events.push({ key: `referral-${r.status}:${r.prospectId}`, kind: r.status === 'won' ? 'referral_won' : 'referral_lost', at: r.closedAt, valueCents: r.status === 'won' ? (r.netCents ?? 0) : 0 });
    }
  }
  // A rep's post-sales tasks count in the activity report as their pipeline tasks do: done
  // (credited to the task's rep whoever closed it), on time or late, and once per rep it was
  // overdue with (escalated: the same rep).
  for (const t of state.tasks) {
    if (t.state === 'done' && t.doneAt) {
      events.push({ key: `task-done:${t.id}`, kind: 'task_done', at: t.doneAt, valueCents: 0, actor: t.rep, detail: Date.parse(t.doneAt) <= Date.parse(t.dueAt) ? 'on_time' : 'late' });
    }
    for (const kind of ['overdue', 'escalated'] as const) {
      const first = new Map<string, string>();
      for (const l of t.lateness ?? []) if (l.kind === kind && !first.has(l.rep)) first.set(l.rep, l.at);
      for (const [rep, at] of first) events.push({ key: `task-${kind}:${t.id}:${rep}`, kind: `task_${kind}`, at, valueCents: 0, actor: rep });
    }
  }
  // The contacts people logged with the account count in the activity report as a prospect's
  // do (for whoever logged them, by channel). Numbered across the window, so an archived
  // contact keeps its row (the writer never deletes a contact's).
  const archivedContacts = state.archivedContacts ?? 0;
  (state.contactLog ?? []).forEach((c, i) => {
    events.push({ key: `contact:${archivedContacts + i}`, kind: 'contact', at: c.at, valueCents: 0, actor: c.by, detail: c.channel });
  });
  return {
    workflowId: customerWorkflowId(state.info.id),
    snapshot: {
      customerId: state.info.id,
      owner: state.info.owner,
      team: teamOf(state.process, state.info.owner)?.name ?? '',
      process: state.process.name,
      version: customerRecordVersion(state),
      activeContracts,
      recurringCents,
      annualRecurringCents,
      lostRevenueCents: state.lostRevenueCents,
    },
    events: events.sort((a, b) => a.key.localeCompare(b.key)),
  };
}
