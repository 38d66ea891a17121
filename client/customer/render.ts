import type { CustomerState, SupportCase } from '../../domain/customer/customer';
import { SUGGESTION_WORDS, SUPPORT_OUTCOME_WORDS, renewalNote } from '../../domain/customer/labels';
import { formatCents } from '../../domain/pipeline/quotation';
import { formatTime, formatTimesIn } from '../../domain/shared/timeZone';
import type { CustomerSummary, RenewalRow } from './customerClient';
import { textTable } from '../shared/textTable';

/** The customer page as text: deals, contracts with renewal dates, referrals, profile, open tasks, history. */
export function renderCustomer(s: CustomerState, zone: string, options: { all?: boolean } = {}): string {
  const t = (iso: string | undefined) => (iso ? formatTime(iso, zone) : '-');
  const money = (cents: number | undefined, currency = '') => `${formatCents(cents ?? 0)} ${currency}`.trim();
  const open = s.tasks.filter((x) => x.state === 'open' || x.state === 'overdue' || x.state === 'escalated');
  return [
    `${s.info.name} (${s.info.id})  owner ${s.info.owner}${s.info.tier ? `, tier ${s.info.tier}` : ''}  process ${s.process.name} v${s.process.version}`,
    ...(s.info.referredBy ? [`  referred by ${s.info.referredBy}`] : []),
    ...(s.info.contacts.length ? [`  contacts: ${s.info.contacts.map((c) => [c.name, c.email, c.phone].filter(Boolean).join(' ')).join('; ')}`] : []),
    '',
    'Deals:',
    ...s.deals.map((d) => `  ${d.prospectId.padEnd(20)} ${d.kind.padEnd(8)} ${d.status.padEnd(5)} ${d.netCents !== undefined ? money(d.netCents, d.currency) : ''}${d.origin ? `  (${d.origin})` : ''}`),
    '',
    'Contracts:',
    ...(s.contracts.length === 0
      ? ['  none']
      : s.contracts.map(
          (k) =>
            `  ${k.id}  ${k.kind} ${k.quantity} x ${k.product}  ${money(k.valueCents, k.currency)} a term  term ${k.term} ends ${t(k.end)}  ${withNote(k.status, renewalNote(k))}` +
            (k.renewalQuote ? `\n      renewal quotation ${k.renewalQuote.number} (${k.renewalQuote.status}) ${money(k.renewalQuote.netCents, k.renewalQuote.currency)} to ${t(k.renewalQuote.termEnd)}` : '') +
            (k.lostCents !== undefined ? `\n      lapsed: lost ${money(k.lostCents, k.currency)}` : ''),
        )),
    ...(s.consumables.length ? ['', 'Consumables:', ...s.consumables.map((c) => `  ${c.product}  ${c.quantity} every ${Math.round(c.everyMs / 86_400_000)}d, last ordered ${t(c.lastOrderAt)}`)] : []),
    ...(s.referrals.length ? ['', 'Referrals:', ...s.referrals.map((r) => `  ${r.prospectId.padEnd(20)} ${r.name}${r.company ? ` (${r.company})` : ''}  ${r.status}${r.creditedAt ? `  credited ${money(r.netCents, r.currency)}` : ''}`)] : []),
    '',
    ...renderProfile(s),
    ...(s.lostRevenueCents > 0 ? ['', `Lost revenue: ${money(s.lostRevenueCents, lostCurrency(s))}`] : []),
    '',
    'Open tasks:',
    ...(open.length === 0 ? ['  none'] : open.map((x) => `  ${x.id.padEnd(16)} ${x.state.padEnd(9)} ${x.rep.padEnd(8)} due ${t(x.dueAt)}  ${formatTimesIn(x.title, zone)}`)),
    ...(s.supportCases.length ? ['', 'Support queries:', ...s.supportCases.map((q) => `  ${renderQuery(q)}`)] : []),
    '',
    // The latest 15 (--all: every entry kept), and how many came before them (the web app's account page lists all it keeps).
    historyHeading(options.all ? s.changes.length : Math.min(s.changes.length, HISTORY_SHOWN), s.changes.length, s.archivedChanges ?? 0),
    ...(options.all ? s.changes : s.changes.slice(-HISTORY_SHOWN)).map((c) => `  ${t(c.at)}  ${c.by}: ${formatTimesIn(c.what, zone)}`),
  ].join('\n');
}

/** A contract's status with what happens at its end: `ending (declined)`, `active (auto-renews)`. */
const withNote = (status: string, note: string | undefined) => (note ? `${status} (${note})` : status);

/** Lines of the account's history `customer show` prints. */
const HISTORY_SHOWN = 15;

/** `shown` of the `kept` entries are printed; `archived` older ones the account no longer keeps. */
function historyHeading(shown: number, kept: number, archived: number): string {
  const hidden = kept - shown;
  if (hidden > 0) return `History (the latest ${shown}; ${hidden + archived} earlier not shown, --all for the ${kept} kept):`;
  return archived > 0 ? `History (all ${kept} kept; ${archived} older no longer kept):` : 'History:';
}

/** The currency of the lapsed contracts' lost revenue, when they share one (else none is named). */
function lostCurrency(s: CustomerState): string {
  const currencies = new Set(s.contracts.filter((k) => k.lostCents !== undefined).map((k) => k.currency));
  return currencies.size === 1 ? [...currencies][0]! : '';
}

/** What support sees first: what this customer values. */
export function renderProfile(s: CustomerState): string[] {
  const p = s.profile;
  return [
    'Profile:',
    `  prefers: ${p.preferences.length ? p.preferences.join('; ') : '(nothing recorded)'}`,
    ...(p.decisionMakers.length ? [`  decision makers: ${p.decisionMakers.map((d) => [d.name, d.role && `(${d.role})`, d.email].filter(Boolean).join(' ')).join('; ')}`] : []),
    ...(p.serviceLevel ? [`  service level: ${p.serviceLevel}`] : []),
    ...(p.installedProducts.length ? [`  installed: ${p.installedProducts.map((i) => `${i.quantity} x ${i.product} (${i.purchasedAt.slice(0, 10)})`).join(', ')}`] : []),
    ...p.notes.slice(-5).map((n) => `  note ${n.at.slice(0, 10)} ${n.by}: ${n.text}`),
  ];
}

export function renderQuery(q: SupportCase): string {
  return `${q.id}  ${q.topic}${q.product ? ` (${q.product})` : ''}  suggested: ${SUGGESTION_WORDS[q.suggestion]} (${q.why})${q.answeredAt ? `  answered: ${SUPPORT_OUTCOME_WORDS[q.outcome ?? 'answered']}${q.followUp ? ` -> ${q.followUp}` : ''}` : '  open'}`;
}

/** One line per account: its owner, when its clock next raises something (a check-in, a reminder), its next renewal. */
/** The accounts as a table; `total` (how many matched) says when the list was cut short. */
export function renderCustomerList(rows: CustomerSummary[], zone: string, total = rows.length): string {
  if (rows.length === 0) return 'no customers';
  const t = (iso: string | undefined) => (iso ? formatTime(iso, zone) : '-');
  const table = textTable(
    ['CUSTOMER', 'OWNER', 'NEXT REMINDER', 'NEXT RENEWAL', 'NAME'],
    rows.map((r) => [r.id, r.owner ?? '', t(r.nextDue), t(r.nextRenewal), r.name]),
  );
  return total > rows.length ? `${table}\n(the first ${rows.length} of ${total} accounts: narrow with --search or --owner)` : table;
}

export function renderRenewals(rows: RenewalRow[], zone: string): string {
  if (rows.length === 0) return 'no renewals due';
  return textTable(
    ['ENDS', 'CUSTOMER', 'CONTRACT', 'WHAT', 'VALUE', 'STATUS', 'RENEWAL QUOTATION'],
    rows.map((r) => [
      formatTime(r.end, zone),
      r.customerId,
      r.contractId,
      `${r.kind} ${r.product}`,
      `${formatCents(r.valueCents)} ${r.currency}`,
      withNote(r.status, renewalNote(r)),
      r.renewalQuote ? `${r.renewalQuote.number} (${r.renewalQuote.status})` : '',
    ]),
  );
}
