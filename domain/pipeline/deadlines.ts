import { currentQuote } from './lifecycle';
import { quoteEscalationMail, quoteReminderMail } from './notifications';
import { addTask } from '../tasks/tasks';
import { teamOf } from '../process/process';
import type { OutboundMail, ProspectState } from './prospect';
import type { QuoteRevision } from './quotation';
import { quotationNumber } from './quotationDocument';

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
          title: `Follow up on expired quotation ${quotationNumber(state.info.id, quote.revision)}`,
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
 * The rule workflows recorded before every missed deadline was applied: after a late
 * wake-up only the most severe due deadline was applied (an expiry skipped the reminder and
 * the escalation, an escalation replaced the reminder). Kept so their histories replay.
 */
export function applyDueDeadlinesLegacy(state: ProspectState, now: string): ProspectState {
  let current = state;
  for (;;) {
    const due = pendingDeadlines(current).filter((d) => d.at <= Date.parse(now));
    if (due.length === 0) return current;
    const next = due.find((d) => d.kind === 'quote_expire') ?? due.find((d) => d.kind === 'quote_escalate') ?? due[0]!;
    current = applyOne(current, next, now);
  }
}

/** On a tie the reminder comes before the escalation, and both before the expiry. */
const RANK: Record<DeadlineKind, number> = { quote_stale: 0, quote_escalate: 1, quote_expire: 2 };

const LABEL: Record<DeadlineKind, string> = { quote_stale: 'reminder', quote_escalate: 'escalation', quote_expire: 'expiry' };
const RECORD_KIND = { quote_stale: 'quote_reminder', quote_escalate: 'quote_escalation', quote_expire: 'quote_expired' } as const;

/**
 * Applies every deadline that has come by `now`, each in its own order (however long the
 * worker was away), and records on each the time it was due and the time it was applied.
 * A reminder or escalation that falls due before the expiry but is applied after it would
 * chase an offer the customer can no longer accept: it is recorded as skipped, with the
 * reason, instead of being mailed. A reminder or escalation due after the expiry never
 * comes (the quotation is no longer open by then).
 */
export function applyDueDeadlines(state: ProspectState, now: string): ProspectState {
  const nowMs = Date.parse(now);
  const all = pendingDeadlines(state);
  const expiry = all.find((d) => d.kind === 'quote_expire');
  const due = all
    .filter((d) => d.at <= nowMs && (d.kind === 'quote_expire' || expiry === undefined || d.at <= expiry.at))
    .sort((a, b) => a.at - b.at || RANK[a.kind] - RANK[b.kind]);
  let current = state;
  for (const deadline of due) {
    const dueAt = new Date(deadline.at).toISOString();
    if (deadline.kind !== 'quote_expire' && expiry !== undefined && expiry.at <= nowMs) {
      current = skip(current, deadline, dueAt, now, `the quotation expired at ${new Date(expiry.at).toISOString()} before it could be sent`);
      continue;
    }
    const before = current;
    current = applyOne(current, deadline, now);
    if (current === before) continue;
    // applyOne recorded one escalation for this deadline; say when it was due.
    const escalations = current.escalations.map((e, i) => (i === current.escalations.length - 1 ? { ...e, dueAt } : e));
    const changes = current.changes.map((c, i) => (i === current.changes.length - 1 && dueAt !== now ? { ...c, what: `${c.what} (due ${dueAt})` } : c));
    current = { ...current, escalations, changes };
  }
  return current;
}

function skip(state: ProspectState, deadline: Deadline, dueAt: string, now: string, reason: string): ProspectState {
  return {
    ...state,
    escalations: [
      ...state.escalations,
      { at: now, dueAt, kind: RECORD_KIND[deadline.kind], quoteRevision: deadline.revision, to: state.info.rep, skipped: reason },
    ],
    changes: [...state.changes, { at: now, by: 'system', what: `skipped the ${LABEL[deadline.kind]} of revision ${deadline.revision} due ${dueAt}: ${reason}` }],
  };
}
