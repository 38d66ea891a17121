import { currentQuote } from './lifecycle';
import { quoteEscalationMail, quoteReminderMail } from './notifications';
import { addTask } from './tasks';
import { teamOf } from './process';
import type { OutboundMail, ProspectState } from './prospect';
import type { QuoteRevision } from './quotation';

/**
 * Time-driven rules. The workflow sleeps until the earliest deadline and then asks
 * `applyDueDeadlines` what happened; keeping the rules here makes them testable without a
 * server and lets the workflow stay a thin loop.
 */

export type DeadlineKind = 'quote_stale' | 'quote_escalate' | 'quote_expire';

export interface Deadline {
  kind: DeadlineKind;
  at: number;
  revision: number;
}

/** The customer answered (by any inbound contact) since the quotation was sent. */
export function customerResponded(state: ProspectState, quote: QuoteRevision): boolean {
  if (!quote.sentAt) return false;
  const sent = Date.parse(quote.sentAt);
  return state.contacts.some((c) => c.direction === 'inbound' && Date.parse(c.at) >= sent);
}

export function pendingDeadlines(state: ProspectState): Deadline[] {
  const quote = currentQuote(state);
  if (!quote || quote.status !== 'sent' || !quote.sentAt || !quote.validTo) return [];
  const sent = Date.parse(quote.sentAt);
  const policy = state.process.quotePolicy;
  const out: Deadline[] = [{ kind: 'quote_expire', at: Date.parse(quote.validTo), revision: quote.revision }];
  if (!customerResponded(state, quote)) {
    if (!quote.remindedAt) out.push({ kind: 'quote_stale', at: sent + policy.staleAfter, revision: quote.revision });
    if (!quote.escalatedAt) out.push({ kind: 'quote_escalate', at: sent + policy.escalateAfter, revision: quote.revision });
  }
  return out.sort((a, b) => a.at - b.at);
}

/** When the prospect workflow must wake up next: only quotation deadlines (task workflows time their own tasks). */
export function nextDeadlineAt(state: ProspectState): number | undefined {
  return pendingDeadlines(state)[0]?.at;
}

/** The earliest moment something is due, for lists (NextDueTime): a quote deadline or a task. */
export function nextDueAt(state: ProspectState): number | undefined {
  const times = [
    ...pendingDeadlines(state).map((d) => d.at),
    ...state.tasks.filter((t) => t.state === 'open').map((t) => Date.parse(t.dueAt)),
    ...state.tasks.filter((t) => t.state === 'overdue' && t.escalateAt).map((t) => Date.parse(t.escalateAt!)),
  ];
  return times.length === 0 ? undefined : Math.min(...times);
}

function queue(state: ProspectState, mail: OutboundMail | undefined): OutboundMail[] {
  return mail ? [...state.outbox, mail] : state.outbox;
}

function withCurrentQuote(state: ProspectState, quote: QuoteRevision): ProspectState {
  return { ...state, quotes: [...state.quotes.slice(0, -1), quote] };
}

function applyOne(state: ProspectState, deadline: Deadline, now: string): ProspectState {
  const quote = currentQuote(state);
  if (!quote || quote.revision !== deadline.revision || quote.status !== 'sent') return state;
  const team = teamOf(state.process, state.info.rep);
  switch (deadline.kind) {
    case 'quote_stale': {
      const next = withCurrentQuote(state, { ...quote, remindedAt: now });
      return {
        ...next,
        outbox: queue(next, quoteReminderMail(next, quote)),
        escalations: [...state.escalations, { at: now, kind: 'quote_reminder', quoteRevision: quote.revision, to: state.info.rep }],
        changes: [...state.changes, { at: now, by: 'system', what: `reminded ${state.info.rep}: revision ${quote.revision} is stale` }],
      };
    }
    case 'quote_escalate': {
      // An escalation implies the reminder: if both fall due together only the escalation is sent.
      const next = withCurrentQuote(state, { ...quote, escalatedAt: now, remindedAt: quote.remindedAt ?? now });
      const manager = team?.manager.id ?? 'manager';
      return {
        ...next,
        outbox: queue(next, quoteEscalationMail(next, quote)),
        escalations: [...state.escalations, { at: now, kind: 'quote_escalation', quoteRevision: quote.revision, to: manager }],
        changes: [...state.changes, { at: now, by: 'system', what: `escalated revision ${quote.revision} to ${manager}` }],
      };
    }
    case 'quote_expire': {
      const expired = withCurrentQuote(state, { ...quote, status: 'expired' });
      const next = addTask(
        expired,
        {
          kind: 'follow_up',
          title: `Follow up on expired quotation ${state.info.id}-${quote.revision}`,
          rep: state.info.rep,
          dueAt: new Date(Date.parse(now) + state.process.quotePolicy.followUpDueIn).toISOString(),
          escalateAfter: { businessDays: 1 },
        },
        now,
      );
      return {
        ...next,
        escalations: [...state.escalations, { at: now, kind: 'quote_expired', quoteRevision: quote.revision, to: state.info.rep }],
        changes: [...next.changes, { at: now, by: 'system', what: `revision ${quote.revision} expired` }],
      };
    }
  }
}

/**
 * Applies every deadline that has come by `now`, in time order; a later one is looked at
 * again after the earlier ones (an expiry ends the reminders of that revision).
 */
export function applyDueDeadlines(state: ProspectState, now: string): ProspectState {
  let current = state;
  for (;;) {
    const due = pendingDeadlines(current).filter((d) => d.at <= Date.parse(now));
    if (due.length === 0) return current;
    // A revision that has already expired gets no late reminder or escalation, and an
    // escalation that falls due with the reminder replaces it (it implies the reminder).
    const next = due.find((d) => d.kind === 'quote_expire') ?? due.find((d) => d.kind === 'quote_escalate') ?? due[0]!;
    current = applyOne(current, next, now);
  }
}

