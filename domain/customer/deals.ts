import { formatCents } from '../shared/money';
import { addCustomerTask, logChange, type ContractRecord, type CustomerState, type DealClosed, type DealRecord } from './customer';
import { postSalesOf } from './postSales';
import { captureDeal } from './profile';
import { raiseOnboarding } from './schedule';

/**
 * What a closed deal does to its account: a win books the deal, starts contracts and
 * subscriptions for their term, (re)starts consumables' reorder clocks, schedules the
 * satisfaction check and the referral ask, and adds to the profile. A referral's win also
 * credits the customer that referred it (applyReferralClosed, on the referrer's account).
 */

export function applyDealClosed(state: CustomerState, deal: DealClosed, now: string): CustomerState {
  const known = state.deals.find((d) => d.prospectId === deal.prospectId);
  // A repeated report (the prospect's activity retried) changes nothing.
  if (known && known.status !== 'open') return state;
  const policy = postSalesOf(state.process);
  const consumables = new Set(Object.entries(policy.products).filter(([, t]) => t.kind === 'consumable').map(([p]) => p));
  const kind: DealRecord['kind'] = known?.kind ?? (state.deals.length === 0 ? 'first' : deal.referredBy ? 'referral' : 'repeat');
  const record: DealRecord = {
    ...(known ?? { prospectId: deal.prospectId, kind, openedAt: deal.at }),
    status: deal.outcome,
    closedAt: deal.at,
    netCents: deal.netCents,
    currency: deal.currency,
    products: deal.lines.map((l) => l.product),
    ...(deal.reason ? { reason: deal.reason } : {}),
  };
  const deals = known ? state.deals.map((d) => (d === known ? record : d)) : [...state.deals, record];
  let next: CustomerState = {
    ...state,
    deals,
    profile: captureDeal(state.profile, { ...deal, consumables }),
    info: { ...state.info, contacts: mergeContact(state, deal) },
  };
  if (deal.outcome === 'lost') {
    return { ...next, changes: logChange(next, now, 'system', `deal ${deal.prospectId} lost${deal.reason ? `: ${deal.reason}` : ''}`) };
  }
  const firstWin = !state.deals.some((d) => d.status === 'won');
  const at = deal.at;
  next = {
    ...next,
    cadence: {
      ...next.cadence,
      ...(firstWin ? { firstWonAt: at, lastCheckInAt: at } : {}),
      lastContactAt: maxIso(next.cadence.lastContactAt, at),
      satisfactionDueAt: new Date(Date.parse(at) + policy.satisfactionAfter).toISOString(),
      referralAskAt: next.cadence.referralAskAt ?? new Date(Date.parse(at) + policy.referral.askAfter).toISOString(),
    },
    changes: logChange(next, now, 'system', `deal ${deal.prospectId} won (${formatCents(deal.netCents)} ${deal.currency}, ${kind})`),
  };
  if (firstWin) next = raiseOnboarding(next, now);
  for (const line of deal.lines) {
    const terms = policy.products[line.product];
    if (!terms) continue;
    if (terms.kind === 'consumable') {
      const existing = next.consumables.find((c) => c.product === line.product);
      next = existing
        ? { ...next, consumables: next.consumables.map((c) => (c === existing ? { ...c, quantity: line.quantity, everyMs: terms.reorderEvery, lastOrderAt: at } : c)) }
        : { ...next, consumables: [...next.consumables, { product: line.product, quantity: line.quantity, everyMs: terms.reorderEvery, lastOrderAt: at }] };
      continue;
    }
    const contract: ContractRecord = {
      id: `K${next.nextContractNo}`,
      product: line.product,
      kind: terms.kind,
      quantity: line.quantity,
      valueCents: line.netCents,
      currency: deal.currency,
      prospectId: deal.prospectId,
      termMs: terms.term,
      ...(terms.noticePeriod !== undefined ? { noticePeriodMs: terms.noticePeriod } : {}),
      autoRenew: terms.autoRenew,
      term: 1,
      start: at,
      end: new Date(Date.parse(at) + terms.term).toISOString(),
      status: 'active',
      remindedBefore: [],
      history: [],
    };
    next = {
      ...next,
      contracts: [...next.contracts, contract],
      nextContractNo: next.nextContractNo + 1,
      changes: logChange(next, now, 'system', `${contract.kind} ${contract.id} for ${contract.product} runs ${contract.start} to ${contract.end}${contract.autoRenew ? ' (auto-renews)' : ''}`),
    };
  }
  return next;
}

function mergeContact(state: CustomerState, deal: DealClosed): CustomerState['info']['contacts'] {
  const { name, email, phone } = deal.info;
  const same = state.info.contacts.find((c) => c.name === name || (email !== undefined && c.email === email));
  const contact = { name, ...(email ? { email } : {}), ...(phone ? { phone } : {}) };
  return same ? state.info.contacts.map((c) => (c === same ? { ...same, ...contact } : c)) : [...state.info.contacts, contact];
}

function maxIso(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/**
 * The referred prospect closed. Won: the referral is credited to this customer and the
 * owner gets a task to thank them. Lost: recorded.
 */
export function applyReferralClosed(state: CustomerState, deal: DealClosed, now: string): CustomerState {
  const known = state.referrals.find((r) => r.prospectId === deal.prospectId);
  if (known && known.status !== 'open') return state;
  const record = {
    ...(known ?? { prospectId: deal.prospectId, name: deal.info.name, ...(deal.info.company ? { company: deal.info.company } : {}), at: deal.at, by: 'unknown' }),
    status: deal.outcome,
    closedAt: deal.at,
    ...(deal.outcome === 'won' ? { creditedAt: now, netCents: deal.netCents, currency: deal.currency } : {}),
  };
  const referrals = known ? state.referrals.map((r) => (r === known ? record : r)) : [...state.referrals, record];
  const next: CustomerState = { ...state, referrals };
  if (deal.outcome === 'lost') {
    return { ...next, changes: logChange(next, now, 'system', `referral ${deal.prospectId} was lost`) };
  }
  const who = deal.info.company ? `${deal.info.name} (${deal.info.company})` : deal.info.name;
  const credited = { ...next, changes: logChange(next, now, 'system', `credited with referral ${deal.prospectId}: ${who} won for ${formatCents(deal.netCents)} ${deal.currency}`) };
  return addCustomerTask(credited, { kind: 'referral', title: `Thank ${state.info.name} for referring ${who}, won for ${formatCents(deal.netCents)} ${deal.currency}`, ref: deal.prospectId }, now);
}
