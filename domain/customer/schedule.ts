import { addOffset } from '../process/offset';
import { formatDuration } from '../shared/duration';
import { formatCents } from '../shared/money';
import { addCustomerTask, logChange, closeTasksLogged, managerOf, openTasksOf, type ContractRecord, type CustomerState, type TermRecord } from './customer';
import { checkInEvery, postSalesOf } from './postSales';

/**
 * The account's clock: check-ins, the satisfaction check, the referral ask,
 * going cold, renewal reminders, escalations and term ends, reorder reminders. The workflow
 * sleeps until `nextCustomerDeadlineAt` and then asks `applyDueCustomerDeadlines` what
 * happened, so every rule is tested here without a server.
 */

export type CustomerDeadlineKind =
  | 'check_in'
  | 'satisfaction'
  | 'referral_ask'
  | 'going_cold'
  | 'renewal_reminder'
  | 'renewal_escalation'
  | 'term_end'
  | 'reorder';

export interface CustomerDeadline {
  kind: CustomerDeadlineKind;
  at: number;
  contractId?: string;
  /** A renewal reminder: how long before the end. */
  before?: number;
  product?: string;
}

const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();

/** Satisfied by the process's measure: the latest satisfaction check scored high enough. */
export function isSatisfied(state: CustomerState): boolean {
  const s = state.cadence.satisfaction;
  return s !== undefined && s.score >= postSalesOf(state.process).referral.minSatisfaction;
}

export function pendingCustomerDeadlines(state: CustomerState): CustomerDeadline[] {
  if (!state.deals.some((d) => d.status === 'won')) return [];
  const policy = postSalesOf(state.process);
  const c = state.cadence;
  const out: CustomerDeadline[] = [];
  out.push({ kind: 'check_in', at: ms(c.lastCheckInAt) + checkInEvery(policy, state.info.tier) });
  if (c.satisfactionDueAt) out.push({ kind: 'satisfaction', at: ms(c.satisfactionDueAt) });
  // The ask waits for a satisfied customer: it falls due when both hold.
  if (c.referralAskAt && isSatisfied(state)) out.push({ kind: 'referral_ask', at: Math.max(ms(c.referralAskAt), ms(c.satisfaction!.at)) });
  if (c.coldRaisedFor !== c.lastContactAt) out.push({ kind: 'going_cold', at: ms(c.lastContactAt) + policy.goingColdAfter });
  for (const k of state.contracts) {
    if (k.status === 'lapsed') continue;
    const end = ms(k.end);
    if (k.status === 'active') {
      for (const before of policy.renewal.remindBefore) {
        if (!k.remindedBefore.includes(before)) out.push({ kind: 'renewal_reminder', at: end - before, contractId: k.id, before });
      }
      if (!k.escalatedAt) out.push({ kind: 'renewal_escalation', at: end - policy.renewal.escalateBefore, contractId: k.id });
    }
    out.push({ kind: 'term_end', at: end, contractId: k.id });
  }
  for (const item of state.consumables) {
    if (item.remindedFor !== item.lastOrderAt) out.push({ kind: 'reorder', at: ms(item.lastOrderAt) + item.everyMs, product: item.product });
  }
  return out.sort((a, b) => a.at - b.at || a.kind.localeCompare(b.kind));
}

export function nextCustomerDeadlineAt(state: CustomerState): number | undefined {
  return pendingCustomerDeadlines(state)[0]?.at;
}

/** The soonest end of a running contract, for the renewals list (NextRenewalTime). */
export function nextRenewalAt(state: CustomerState): number | undefined {
  const ends = state.contracts.filter((k) => k.status !== 'lapsed').map((k) => ms(k.end));
  return ends.length === 0 ? undefined : Math.min(...ends);
}

/** Rules that came with a workflow patch: accounts whose runs began before it keep the old rule on replay. */
export interface CadenceRules {
  /**
   * A check-in that falls due while the last check-in task is still open raises no second
   * task (counted from now all the same): an owner who is behind gets one reminder, not a
   * pile of them, and no mail each time. Off only for runs from before this rule.
   */
  oneOpenCheckIn: boolean;
  /**
   * A contract's second renewal reminder (remindBefore: [90d, 30d]) while the owner's task from
   * the first is still open raises no second task for the same renewal: the open one stands,
   * and the account's record says the reminder came. Off only for runs from before this rule.
   */
  oneOpenRenewalReminder: boolean;
}

export const CURRENT_CADENCE: CadenceRules = { oneOpenCheckIn: true, oneOpenRenewalReminder: true };

/**
 * Applies every deadline due by `now`, earliest first, each exactly once however late the
 * worker comes back (a check-in missed twice is one check-in now, counted from now).
 */
export function applyDueCustomerDeadlines(state: CustomerState, now: string, rules: CadenceRules = CURRENT_CADENCE): CustomerState {
  for (let guard = 0; guard < 1_000; guard++) {
    const due = pendingCustomerDeadlines(state).find((d) => d.at <= ms(now));
    if (!due) return state;
    state = applyDeadline(state, due, now, rules);
  }
  return state;
}

function contractOf(state: CustomerState, id: string | undefined): ContractRecord | undefined {
  return state.contracts.find((k) => k.id === id);
}

function withContract(state: CustomerState, contract: ContractRecord): CustomerState {
  return { ...state, contracts: state.contracts.map((k) => (k.id === contract.id ? contract : k)) };
}

function contractLabel(k: ContractRecord): string {
  return `${k.kind} ${k.id} (${k.quantity} x ${k.product}, ${formatCents(k.valueCents)} ${k.currency})`;
}

export function applyDeadline(state: CustomerState, d: CustomerDeadline, now: string, rules: CadenceRules = CURRENT_CADENCE): CustomerState {
  const name = state.info.name;
  const policy = postSalesOf(state.process);
  switch (d.kind) {
    case 'check_in': {
      const counted: CustomerState = { ...state, cadence: { ...state.cadence, lastCheckInAt: now } };
      if (rules.oneOpenCheckIn && openTasksOf(state, 'check_in').length > 0) return counted;
      return addCustomerTask(counted, { kind: 'check_in', title: `Check in with ${name}` }, now);
    }
    case 'satisfaction': {
      const { satisfactionDueAt: _done, ...cadence } = state.cadence;
      void _done;
      return addCustomerTask({ ...state, cadence }, { kind: 'satisfaction', title: `Satisfaction check with ${name}: ask how satisfied they are (1 to 5) and record the score on the account` }, now);
    }
    case 'referral_ask': {
      const { referralAskAt: _done, ...cadence } = state.cadence;
      void _done;
      return addCustomerTask({ ...state, cadence }, { kind: 'referral', title: `Ask ${name} for referrals (satisfaction ${state.cadence.satisfaction?.score}/5)` }, now);
    }
    case 'going_cold': {
      const since = state.cadence.lastContactAt;
      const next = { ...state, cadence: { ...state.cadence, coldRaisedFor: since } };
      return addCustomerTask(next, { kind: 'going_cold', title: `Going cold: no contact with ${name} (owner ${state.info.owner}) since ${since}`, rep: managerOf(state) }, now);
    }
    case 'renewal_reminder': {
      const k = contractOf(state, d.contractId);
      if (!k || k.status !== 'active') return state;
      const quote = k.renewalQuote ?? {
        number: `${state.info.id}-${k.id}-T${k.term + 1}`,
        draftedAt: now,
        product: k.product,
        quantity: k.quantity,
        netCents: k.valueCents,
        currency: k.currency,
        termStart: k.end,
        termEnd: iso(ms(k.end) + k.termMs),
        status: 'draft' as const,
      };
      let next = withContract(state, { ...k, remindedBefore: [...k.remindedBefore, d.before!], renewalQuote: quote });
      if (!k.renewalQuote) next = { ...next, changes: logChange(next, now, 'system', `renewal quotation ${quote.number} drafted from the current terms (${formatCents(quote.netCents)} ${quote.currency})`) };
      const open = rules.oneOpenRenewalReminder ? openTasksOf(state, 'renewal', k.id).find((t) => t.rep === state.info.owner) : undefined;
      if (open) return { ...next, changes: logChange(next, now, 'system', `renewal of ${k.id} ${formatDuration(d.before!)} before its end: task ${open.id} is still open`) };
      return addCustomerTask(
        next,
        { kind: 'renewal', title: `Renewal: ${contractLabel(k)} of ${name} ends ${k.end} (${formatDuration(d.before!)} notice); quotation ${quote.number}`, ref: k.id },
        now,
      );
    }
    case 'renewal_escalation': {
      const k = contractOf(state, d.contractId);
      if (!k || k.status !== 'active') return state;
      const next = withContract(state, { ...k, escalatedAt: now });
      return addCustomerTask(
        { ...next, changes: logChange(next, now, 'system', `renewal of ${k.id} undecided ${formatDuration(policy.renewal.escalateBefore)} before its end: escalated to ${managerOf(state)}`) },
        { kind: 'renewal', title: `Escalation: renewal of ${contractLabel(k)} of ${name} (owner ${state.info.owner}) undecided, ends ${k.end}`, rep: managerOf(state), ref: k.id },
        now,
      );
    }
    case 'term_end': {
      const k = contractOf(state, d.contractId);
      if (!k || k.status === 'lapsed') return state;
      if (k.autoRenew && !k.declined) return renewTerm(state, k, 'auto-renewed', now, 'system');
      return lapse(state, k, now);
    }
    case 'reorder': {
      const item = state.consumables.find((c) => c.product === d.product);
      if (!item) return state;
      const next = { ...state, consumables: state.consumables.map((c) => (c === item ? { ...c, remindedFor: c.lastOrderAt } : c)) };
      return addCustomerTask(
        next,
        { kind: 'reorder', title: `Reorder: ${name} last ordered ${item.quantity} x ${item.product} on ${item.lastOrderAt.slice(0, 10)} (every ${formatDuration(item.everyMs)})`, ref: item.product },
        now,
      );
    }
  }
}

/**
 * The onboarding call: a task for the owner from the moment of the first win (so it is in
 * their inbox at once), due `onboardingAfter` after it, escalating like any task.
 */
export function raiseOnboarding(state: CustomerState, now: string): CustomerState {
  if (state.cadence.onboardingRaised) return state;
  const dueAt = addOffset(state.cadence.firstWonAt, postSalesOf(state.process).onboardingAfter);
  return addCustomerTask({ ...state, cadence: { ...state.cadence, onboardingRaised: true } }, { kind: 'onboarding', title: `Onboarding call with ${state.info.name}`, dueAt }, now);
}

/** A new term from the current end: on the customer's accept, or by itself (auto-renew). */
export function renewTerm(state: CustomerState, k: ContractRecord, outcome: TermRecord['outcome'], now: string, by: string): CustomerState {
  const record: TermRecord = { term: k.term, start: k.start, end: k.end, outcome, at: now };
  const renewed: ContractRecord = {
    ...k,
    term: k.term + 1,
    start: k.end,
    end: iso(ms(k.end) + k.termMs),
    status: 'active',
    remindedBefore: [],
    history: [...k.history, record],
  };
  delete renewed.escalatedAt;
  delete renewed.renewalQuote;
  delete renewed.declined;
  const next = withContract(state, renewed);
  const closed = { ...next, ...closeTasksLogged(next, (t) => t.kind === 'renewal' && t.ref === k.id, outcome, now) };
  return { ...closed, changes: logChange(closed, now, by, `${k.id} ${outcome}${k.renewalQuote ? ` on quotation ${k.renewalQuote.number}` : ''}: term ${renewed.term} runs to ${renewed.end}`) };
}

function lapse(state: CustomerState, k: ContractRecord, now: string): CustomerState {
  const lapsed: ContractRecord = {
    ...k,
    status: 'lapsed',
    lostCents: k.valueCents,
    history: [...k.history, { term: k.term, start: k.start, end: k.end, outcome: 'lapsed', at: now }],
    ...(k.renewalQuote ? { renewalQuote: { ...k.renewalQuote, status: k.declined ? ('declined' as const) : ('lapsed' as const) } } : {}),
  };
  const next = { ...withContract(state, lapsed), lostRevenueCents: state.lostRevenueCents + k.valueCents };
  const closed = { ...next, ...closeTasksLogged(next, (t) => t.kind === 'renewal' && t.ref === k.id, 'lapsed', now, 'cancelled') };
  return { ...closed, changes: logChange(closed, now, 'system', `${k.id} lapsed${k.declined ? ` (declined: ${k.declined.reason})` : ' (not renewed)'}: lost ${formatCents(k.valueCents)} ${k.currency} a term`) };
}
