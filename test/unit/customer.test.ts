import { CUSTOMER_COMMANDS, applyCustomerTaskChange } from '../../domain/customer/commands';
import { renderCustomer, renderQuery, renderRenewals } from '../../client/customer/render';
import { renewalRows } from '../../client/customer/customerClient';
import { OUTCOME_FOR_SUGGESTION, SUGGESTION_WORDS, renewalNote } from '../../domain/customer/labels';
import { CONTACT_LOG_WINDOW, customerIdFor, dealClosedReport, newCustomer, referrerOf, withLoggedContact, type CustomerState, type DealClosed } from '../../domain/customer/customer';
import { applyDealClosed, applyReferralClosed } from '../../domain/customer/deals';
import { DEFAULT_POST_SALES, PostSalesSchema, checkInEvery } from '../../domain/customer/postSales';
import { captureDeal, emptyProfile, suggestionFor, tagsOf } from '../../domain/customer/profile';
import { CURRENT_CADENCE, applyDueCustomerDeadlines, nextRenewalAt, pendingCustomerDeadlines } from '../../domain/customer/schedule';
import { newProspect, runCommand } from '../../domain/pipeline/lifecycle';
import { ProcessDefinitionSchema, bareDurationNumbers, type ProcessDefinitionInput } from '../../domain/process/process';
import { toDocument } from '../../domain/process/document';
import { DomainError } from '../../domain/shared/errors';
import { projectCustomer } from '../../domain/reporting/postsales';

/** Post-sales rules without a server: cadence, renewal and reorder schedules, profile capture. */

const DAY = 86_400_000;
const T0 = '2027-01-04T09:00:00.000Z';
const at = (days: number) => new Date(Date.parse(T0) + days * DAY).toISOString();

const INPUT: ProcessDefinitionInput = {
  name: 'care',
  teams: [{ name: 'field', manager: { id: 'maria', email: 'maria@sales.test' }, reps: [{ id: 'alice', email: 'alice@sales.test' }, { id: 'bob', email: 'bob@sales.test' }] }],
  quotePolicy: { validity: '30d', staleAfter: '3d', escalateAfter: '7d' },
  postSales: {
    onboardingAfter: '7d',
    checkInEvery: '90d',
    tiers: { gold: { checkInEvery: '30d' } },
    satisfactionAfter: '30d',
    taskDue: '2d',
    escalateAfter: '1d',
    goingColdAfter: '120d',
    renewal: { remindBefore: ['90d', '30d'], escalateBefore: '14d' },
    referral: { askAfter: '30d', minSatisfaction: 4 },
    products: {
      SERVICE: { kind: 'contract', term: '365d' },
      CLOUD: { kind: 'subscription', term: '180d', autoRenew: true, noticePeriod: '60d' },
      FILTER: { kind: 'consumable', reorderEvery: '60d' },
    },
  },
};
const PROCESS = ProcessDefinitionSchema.parse(INPUT);

function deal(overrides: Partial<DealClosed> = {}): DealClosed {
  return {
    prospectId: 'acme-1',
    customerId: 'acme',
    outcome: 'won',
    at: T0,
    rep: 'alice',
    info: { name: 'Ann', company: 'Acme', email: 'ann@acme.test', source: 'manual' },
    lines: [
      { product: 'PUMP', quantity: 2, netCents: 200_000 },
      { product: 'SERVICE', quantity: 1, netCents: 120_000 },
      { product: 'CLOUD', quantity: 1, netCents: 30_000 },
      { product: 'FILTER', quantity: 10, netCents: 5_000 },
    ],
    netCents: 355_000,
    currency: 'EUR',
    answers: { authority: 'Dana' },
    notes: [{ at: T0, by: 'alice', text: 'keeps old kit running #repair-over-replace' }],
    ...overrides,
  };
}

function account(d = deal()): CustomerState {
  return applyDealClosed(newCustomer({ id: 'acme', name: 'Acme', owner: 'alice', process: PROCESS }, T0), d, T0);
}

const kinds = (s: CustomerState) => s.tasks.map((t) => t.kind);

describe('the postSales section', () => {
  test('defaults when absent, and validates what it holds', () => {
    expect(DEFAULT_POST_SALES).toMatchObject({ checkInEvery: 90 * DAY, renewal: { remindBefore: [90 * DAY, 30 * DAY], escalateBefore: 14 * DAY } });
    expect(checkInEvery(PROCESS.postSales!, 'gold')).toBe(30 * DAY);
    expect(checkInEvery(PROCESS.postSales!, undefined)).toBe(90 * DAY);
    const bad = PostSalesSchema.safeParse({ renewal: { remindBefore: ['7d'], escalateBefore: '14d' }, products: { X: { kind: 'contract', term: '5d' } } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(['renewal.remindBefore.0', 'products.X.term']);
  });

  test('process files write its durations with units, and show them back as written', () => {
    expect(bareDurationNumbers({ postSales: { checkInEvery: 90, renewal: { remindBefore: [30] }, products: { X: { kind: 'consumable', reorderEvery: 5 } } } }).map((p) => p.path.join('.'))).toEqual([
      'postSales.checkInEvery',
      'postSales.renewal.remindBefore.0',
      'postSales.products.X.reorderEvery',
    ]);
    expect((toDocument(PROCESS) as { postSales: unknown }).postSales).toMatchObject({ checkInEvery: '90d', taskDue: '2d', renewal: { remindBefore: ['90d', '30d'] }, products: { CLOUD: { term: '180d', noticePeriod: '60d' } } });
  });
});

describe('accounts and deals', () => {
  test('the account is the company (or the repeat deal names it); referrals name their referrer', () => {
    expect(customerIdFor({ id: 'p1', company: 'Müller & Söhne GmbH' })).toBe('muller-sohne-gmbh');
    expect(customerIdFor({ id: 'P_7', company: undefined })).toBe('p-7');
    expect(customerIdFor({ id: 'p1', company: 'Other', customer: 'acme' })).toBe('acme');
    expect(referrerOf('referral:acme')).toBe('acme');
    expect(referrerOf('campaign:spring')).toBeUndefined();
  });

  test('a closed prospect reports its deal; an open one nothing', () => {
    let p = newProspect({ id: 'acme-1', name: 'Ann', company: 'Acme', email: 'ann@acme.test', rep: 'alice', source: 'referral:beta' }, INPUT, T0);
    expect(dealClosedReport(p)).toBeUndefined();
    p = runCommand('logContact', p, { channel: 'visit', note: 'keeps old kit #repair-over-replace', by: 'alice' }, T0);
    p = runCommand('qualify', p, { outcome: 'qualified', answers: { authority: 'Dana' }, by: 'alice' }, T0);
    p = runCommand('createInquiry', p, { items: [{ product: 'SERVICE', quantity: 1 }], by: 'alice' }, T0);
    p = runCommand('createQuote', p, { lines: [{ product: 'SERVICE', quantity: 1, unitPrice: '1200' }], by: 'alice' }, T0);
    p = runCommand('sendQuote', p, { by: 'alice' }, T0);
    p = runCommand('acceptQuote', p, { note: 'price fair', by: 'alice' }, at(1));
    expect(dealClosedReport(p)).toMatchObject({
      customerId: 'acme',
      outcome: 'won',
      netCents: 120_000,
      lines: [{ product: 'SERVICE', quantity: 1, netCents: 120_000 }],
      notes: [{ text: 'keeps old kit #repair-over-replace' }],
      reason: 'price fair',
      referredBy: 'beta',
    });
  });

  test('a win books contracts, consumables and the profile; a repeated report changes nothing', () => {
    const s = account();
    expect(s.deals).toEqual([expect.objectContaining({ prospectId: 'acme-1', kind: 'first', status: 'won' })]);
    expect(s.contracts.map((k) => [k.id, k.product, k.end, k.autoRenew])).toEqual([
      ['K1', 'SERVICE', at(365), false],
      ['K2', 'CLOUD', at(180), true],
    ]);
    expect(s.consumables).toEqual([{ product: 'FILTER', quantity: 10, everyMs: 60 * DAY, lastOrderAt: T0 }]);
    expect(applyDealClosed(s, deal(), at(1))).toBe(s);
    expect(nextRenewalAt(s)).toBe(Date.parse(at(180)));
  });

  test('a referral won is credited to its referrer, with a task to thank them', () => {
    const won = applyReferralClosed(account(), deal({ prospectId: 'acme-r1', customerId: 'beta', info: { name: 'Bea', company: 'Beta', source: 'referral:acme' }, netCents: 90_000, referredBy: 'acme' }), at(40));
    expect(won.referrals).toEqual([expect.objectContaining({ prospectId: 'acme-r1', status: 'won', creditedAt: at(40), netCents: 90_000 })]);
    expect(won.tasks.at(-1)).toMatchObject({ kind: 'referral', rep: 'alice', title: 'Thank Acme for referring Bea (Beta), won for 900.00 EUR' });
  });
});

describe('the cadence', () => {
  test('the onboarding call due 7 days after the win, check-ins every 90 (30 for gold), the satisfaction check after 30', () => {
    let s = account();
    // In the owner's inbox from the win on.
    expect(kinds(s)).toEqual(['onboarding']);
    expect(s.tasks[0]).toMatchObject({ id: 'acme-C1', rep: 'alice', dueAt: at(7), escalateAt: at(8) });
    s = applyDueCustomerDeadlines(s, at(7));
    expect(kinds(s)).toEqual(['onboarding']);
    s = applyDueCustomerDeadlines(s, at(30));
    expect(kinds(s)).toEqual(['onboarding', 'satisfaction']);
    s = applyDueCustomerDeadlines(s, at(90));
    expect(kinds(s)).toContain('check_in');
    const gold = applyDueCustomerDeadlines(CUSTOMER_COMMANDS.changeProfile(account(), { tier: 'gold', by: 'alice' }, T0), at(31));
    expect(kinds(gold).filter((k) => k === 'check_in')).toHaveLength(1);
  });

  test('a check-in missed for long is raised once, counted from then', () => {
    const s = applyDueCustomerDeadlines(account(), at(200));
    expect(kinds(s).filter((k) => k === 'check_in')).toHaveLength(1);
    expect(s.cadence.lastCheckInAt).toBe(at(200));
  });

  test('a check-in due while the last one is still open raises no second task; counted from then, the next comes once it is done', () => {
    let s = applyDueCustomerDeadlines(account(), at(90));
    const first = s.tasks.filter((t) => t.kind === 'check_in');
    expect(first).toHaveLength(1);
    const checkInMails = (x: CustomerState) => x.outbox.filter((m) => m.subject.includes('Check in')).length;
    expect(checkInMails(s)).toBe(1);
    // Day 180: the owner has not checked in yet: still one task, no second mail.
    s = applyDueCustomerDeadlines(s, at(180));
    expect(s.tasks.filter((t) => t.kind === 'check_in')).toEqual(first);
    expect(checkInMails(s)).toBe(1);
    expect(s.cadence.lastCheckInAt).toBe(at(180));
    // Done on day 200: the next one is 90 days after the skipped one, on day 270.
    s = applyCustomerTaskChange(s, { taskId: first[0]!.id, state: 'done', at: at(200), outcome: 'talked', by: 'alice' });
    expect(applyDueCustomerDeadlines(s, at(269)).tasks.filter((t) => t.kind === 'check_in')).toHaveLength(1);
    expect(applyDueCustomerDeadlines(s, at(270)).tasks.filter((t) => t.kind === 'check_in' && t.state === 'open')).toHaveLength(1);
    // Runs from before the rule replay as they ran: a task every time.
    const old = applyDueCustomerDeadlines(applyDueCustomerDeadlines(account(), at(90), { ...CURRENT_CADENCE, oneOpenCheckIn: false }), at(180), { ...CURRENT_CADENCE, oneOpenCheckIn: false });
    expect(old.tasks.filter((t) => t.kind === 'check_in')).toHaveLength(2);
  });

  test('the referral ask waits for a satisfied customer', () => {
    let s = applyDueCustomerDeadlines(account(), at(35));
    expect(kinds(s)).not.toContain('referral');
    s = CUSTOMER_COMMANDS.recordSatisfaction(s, { score: 3, by: 'alice' }, at(36));
    expect(applyDueCustomerDeadlines(s, at(37)).tasks.map((t) => t.kind)).not.toContain('referral');
    s = CUSTOMER_COMMANDS.recordSatisfaction(s, { score: 5, note: 'great #prefers-email', by: 'alice' }, at(38));
    s = applyDueCustomerDeadlines(s, at(38));
    expect(kinds(s)).toContain('referral');
    expect(s.profile.preferences).toContain('prefers email');
  });

  test('no contact for the configured time: a going-cold task for the manager, once per silence', () => {
    let s = applyDueCustomerDeadlines(account(), at(121));
    expect(s.tasks.filter((t) => t.kind === 'going_cold')).toEqual([expect.objectContaining({ rep: 'maria' })]);
    s = applyDueCustomerDeadlines(s, at(200));
    expect(s.tasks.filter((t) => t.kind === 'going_cold')).toHaveLength(1);
    // A completed check-in is a contact: the clock starts again.
    const checkIn = s.tasks.find((t) => t.kind === 'check_in')!;
    s = applyCustomerTaskChange(s, { taskId: checkIn.id, state: 'done', at: at(201), outcome: 'talked', by: 'alice' });
    expect(s.cadence.lastContactAt).toBe(at(201));
    expect(pendingCustomerDeadlines(s).find((d) => d.kind === 'going_cold')?.at).toBe(Date.parse(at(321)));
  });
});

describe('renewals', () => {
  test('reminders 90 and 30 days before the end draft the renewal quotation once; undecided, it escalates', () => {
    let s = applyDueCustomerDeadlines(account(), at(275));
    const service = s.contracts.find((k) => k.product === 'SERVICE')!;
    expect(service.remindedBefore).toEqual([90 * DAY]);
    expect(service.renewalQuote).toMatchObject({ number: 'acme-K1-T2', netCents: 120_000, termStart: at(365), termEnd: at(730), status: 'draft' });
    s = applyDueCustomerDeadlines(s, at(351));
    const k1 = s.contracts.find((k) => k.id === 'K1')!;
    expect(k1.remindedBefore).toEqual([90 * DAY, 30 * DAY]);
    expect(k1.escalatedAt).toBe(at(351));
    // The 30-day reminder found the owner's task from the 90-day one still open: no second
    // task for the same renewal, the record says so; the escalation is the manager's.
    expect(s.tasks.filter((t) => t.ref === 'K1').map((t) => t.rep)).toEqual(['alice', 'maria']);
    expect(s.changes.map((c) => c.what)).toContainEqual(`renewal of K1 30d before its end: task ${s.tasks.find((t) => t.ref === 'K1')!.id} is still open`);
    // Done before the second reminder, the second raises a task of its own.
    let done = applyDueCustomerDeadlines(account(), at(275));
    done = applyCustomerTaskChange(done, { taskId: done.tasks.find((t) => t.ref === 'K1')!.id, state: 'done', at: at(280), outcome: 'asked for a call in a month', by: 'alice' });
    expect(applyDueCustomerDeadlines(done, at(340)).tasks.filter((t) => t.ref === 'K1' && t.state === 'open').map((t) => t.rep)).toEqual(['alice']);
    // Runs from before the rule replay as they ran: a task at every reminder.
    const old = applyDueCustomerDeadlines(account(), at(351), { ...CURRENT_CADENCE, oneOpenRenewalReminder: false });
    expect(old.tasks.filter((t) => t.ref === 'K1').map((t) => t.rep)).toEqual(['alice', 'alice', 'maria']);
  });

  test('renewed on accept: a new term from the old end, and its renewal tasks are done', () => {
    let s = applyDueCustomerDeadlines(account(), at(300));
    s = CUSTOMER_COMMANDS.renewContract(s, { contractId: 'K1', by: 'alice' }, at(301));
    const k1 = s.contracts.find((k) => k.id === 'K1')!;
    expect(k1).toMatchObject({ term: 2, start: at(365), end: at(730), status: 'active', remindedBefore: [], history: [{ term: 1, outcome: 'renewed' }] });
    expect(k1.renewalQuote).toBeUndefined();
    expect(s.tasks.filter((t) => t.ref === 'K1').every((t) => t.state === 'done')).toBe(true);
  });

  test('not renewed: it lapses at its end with the lost revenue; declined early: the same, recorded', () => {
    let s = applyDueCustomerDeadlines(account(), at(366));
    const k1 = s.contracts.find((k) => k.id === 'K1')!;
    expect(k1).toMatchObject({ status: 'lapsed', lostCents: 120_000, renewalQuote: { status: 'lapsed' } });
    expect(s.lostRevenueCents).toBe(120_000);
    expect(() => CUSTOMER_COMMANDS.renewContract(s, { contractId: 'K1', by: 'alice' }, at(367))).toThrow(/lapsed/);
    s = CUSTOMER_COMMANDS.declineRenewal(account(), { contractId: 'K1', reason: 'budget cut', by: 'alice' }, at(100));
    s = applyDueCustomerDeadlines(s, at(366));
    expect(s.contracts.find((k) => k.id === 'K1')).toMatchObject({ status: 'lapsed', declined: { reason: 'budget cut' } });
  });

  test('an auto-renewing subscription renews by itself unless declined within its notice period', () => {
    const renewed = applyDueCustomerDeadlines(account(), at(181));
    expect(renewed.contracts.find((k) => k.id === 'K2')).toMatchObject({ term: 2, end: at(360), history: [{ outcome: 'auto-renewed' }] });
    expect(() => CUSTOMER_COMMANDS.declineRenewal(account(), { contractId: 'K2', reason: 'too late', by: 'alice' }, at(150))).toThrow(/notice period ended/);
    const declined = applyDueCustomerDeadlines(CUSTOMER_COMMANDS.declineRenewal(account(), { contractId: 'K2', reason: 'moving', by: 'alice' }, at(100)), at(181));
    expect(declined.contracts.find((k) => k.id === 'K2')!.status).toBe('lapsed');
  });
});

describe('reorders', () => {
  test('a reminder when the interval passes without an order, once per order; an order restarts the clock', () => {
    let s = applyDueCustomerDeadlines(account(), at(61));
    expect(s.tasks.filter((t) => t.kind === 'reorder')).toEqual([expect.objectContaining({ ref: 'FILTER', title: 'Reorder: Acme last ordered 10 x FILTER on 2027-01-04 (every 60d)' })]);
    s = applyDueCustomerDeadlines(s, at(100));
    expect(s.tasks.filter((t) => t.kind === 'reorder')).toHaveLength(1);
    s = CUSTOMER_COMMANDS.recordOrder(s, { product: 'FILTER', quantity: 12, by: 'alice' }, at(101));
    expect(s.tasks.find((t) => t.kind === 'reorder')!.state).toBe('done');
    expect(pendingCustomerDeadlines(s).find((d) => d.kind === 'reorder')?.at).toBe(Date.parse(at(161)));
    expect(() => CUSTOMER_COMMANDS.recordOrder(s, { product: 'PUMP', by: 'alice' }, at(102))).toThrow(/not a consumable/);
  });
});

describe('the service profile', () => {
  test('captures tags, answers, reasons, decision makers and installed products', () => {
    expect(tagsOf('Likes #Repair-over-Replace and #on_site visits, not #1')).toEqual(['repair-over-replace', 'on_site']);
    const p = captureDeal(emptyProfile(), { ...deal(), reason: 'best service #local-support', consumables: new Set(['FILTER']) });
    expect(p.preferences).toEqual(['repair over replace', 'local support']);
    expect(p.decisionMakers).toEqual([{ name: 'Dana' }]);
    expect(p.reasons).toEqual([{ at: T0, prospectId: 'acme-1', outcome: 'won', text: 'best service #local-support' }]);
    expect(p.installedProducts.map((i) => i.product)).toEqual(['PUMP', 'SERVICE', 'CLOUD']);
  });

  test('suggests a repair to a customer who keeps equipment running, a replacement to one who upgrades', () => {
    const s = account();
    expect(suggestionFor(s.profile, 'PUMP')).toEqual({ suggestion: 'repair', why: 'the customer prefers "repair over replace"' });
    const upgrader = CUSTOMER_COMMANDS.changeProfile(s, { removePreferences: ['repair over replace'], addPreferences: ['Replace over repair'], by: 'alice' }, T0);
    expect(suggestionFor(upgrader.profile, 'PUMP').suggestion).toBe('replace');
    expect(suggestionFor(emptyProfile(), 'PUMP').suggestion).toBe('answer');
  });

  test('a support query records the suggestion; its answer becomes a repair task or a replacement deal', () => {
    let s = CUSTOMER_COMMANDS.openSupportQuery(account(), { topic: 'leak', question: 'The pump leaks', product: 'PUMP', by: 'sue' }, T0);
    expect(s.supportCases[0]).toMatchObject({ id: 'acme-S1', suggestion: 'repair', taskId: 'acme-C2' });
    const repaired = CUSTOMER_COMMANDS.answerSupportQuery(s, { queryId: 'acme-S1', answer: 'seal replaced', outcome: 'repair', by: 'sue' }, at(1));
    // The support task the answer closed says so in the history (it left Open tasks without a word).
    expect(repaired.changes.map((c) => c.what)).toContain("closed task acme-C2 (Answer Acme's query: leak (suggested: repair)): answered: repair");
    expect(repaired.tasks.map((t) => [t.kind, t.state])).toEqual([
      ['onboarding', 'open'],
      ['support', 'done'],
      ['repair', 'open'],
    ]);
    s = CUSTOMER_COMMANDS.answerSupportQuery(s, { queryId: 'acme-S1', answer: 'a new one it is', outcome: 'new_deal', by: 'sue' }, at(1));
    expect(s.pendingStarts[0]!.info).toMatchObject({ id: 'acme-d1', customer: 'acme', source: 'repeat:acme', company: 'Acme', rep: 'alice' });
    // What the deal is for travels with it into the new prospect's first history line.
    expect(s.pendingStarts[0]!.info.origin).toBe('opened from customer acme: support query acme-S1: replacement for PUMP');
    expect(newProspect(s.pendingStarts[0]!.info, s.process, at(1)).changes[0]!.what).toBe(
      'created in stage contact, assigned to alice: opened from customer acme: support query acme-S1: replacement for PUMP',
    );
    expect(s.supportCases[0]).toMatchObject({ outcome: 'new_deal', followUp: 'acme-d1' });
  });

  test('a replacement reads the same everywhere: "replacement quote" suggested, "replacement deal" once answered, never the codes', () => {
    const upgrader = CUSTOMER_COMMANDS.changeProfile(account(), { removePreferences: ['repair over replace'], addPreferences: ['replace over repair'], by: 'alice' }, T0);
    let s = CUSTOMER_COMMANDS.openSupportQuery(upgrader, { topic: 'clogs', question: 'Filters clog', product: 'PUMP', by: 'sue' }, T0);
    const query = s.supportCases[0]!;
    expect(query.suggestion).toBe('replace');
    expect(SUGGESTION_WORDS[query.suggestion]).toBe('replacement quote');
    expect(OUTCOME_FOR_SUGGESTION[query.suggestion]).toBe('new_deal');
    expect(s.tasks.find((t) => t.kind === 'support')!.title).toBe("Answer Acme's query: clogs (suggested: replacement quote)");
    expect(s.changes[s.changes.length - 1]!.what).toContain('the profile suggests replacement quote: ');
    expect(renderQuery(query)).toContain('suggested: replacement quote (');
    s = CUSTOMER_COMMANDS.answerSupportQuery(s, { queryId: 'acme-S1', answer: 'offered the PUMP-Y', outcome: 'new_deal', by: 'sue' }, at(1));
    expect(s.changes[s.changes.length - 1]!.what).toBe('answered support query acme-S1: replacement deal (acme-d1)');
    expect(renderQuery(s.supportCases[0]!)).toMatch(/answered: replacement deal -> acme-d1$/);
    expect(renderCustomer(s, 'UTC')).not.toMatch(/new_deal|suggested: replace /);
  });

  test('commands refuse bad input and name the field; nothing is half-applied', () => {
    const s = account();
    expect(() => CUSTOMER_COMMANDS.recordSatisfaction(s, { score: 7, by: 'alice' }, T0)).toThrow(/score: must be 1 to 5/);
    expect(() => CUSTOMER_COMMANDS.changeProfile(s, { tier: 'platinum', by: 'alice' }, T0)).toThrow(/no tier "platinum" \(tiers: gold\)/);
    expect(() => CUSTOMER_COMMANDS.addReferral(s, { name: 'X', rep: 'zed', by: 'alice' }, T0)).toThrow(DomainError);
    expect(() => CUSTOMER_COMMANDS.openDeal(s, { id: 'acme-1', by: 'alice' }, T0)).toThrow(/already a deal/);
  });
});

describe('migration', () => {
  test('an account moves to a newer version of its process; an older one, another process or one without its owner is refused', () => {
    const v2 = { ...INPUT, version: 2, postSales: { ...INPUT.postSales, checkInEvery: '60d' } };
    const moved = CUSTOMER_COMMANDS.migrateProcess(account(), { process: v2, by: 'ops' }, at(1));
    expect(moved.process.version).toBe(2);
    expect(moved.migrations).toEqual([{ at: at(1), from: 1, to: 2, by: 'ops' }]);
    expect(pendingCustomerDeadlines(moved).find((d) => d.kind === 'check_in')?.at).toBe(Date.parse(at(60)));
    expect(() => CUSTOMER_COMMANDS.migrateProcess(moved, { process: { ...INPUT, version: 1 }, by: 'ops' }, at(2))).toThrow(/on version 2, not older than 1/);
    expect(() => CUSTOMER_COMMANDS.migrateProcess(account(), { process: { ...v2, name: 'other' }, by: 'ops' }, at(2))).toThrow(/runs process "care"/);
    const withoutAlice = { ...v2, teams: [{ name: 'field', manager: { id: 'maria', email: 'maria@sales.test' }, reps: [{ id: 'bob', email: 'bob@sales.test' }] }] };
    expect(() => CUSTOMER_COMMANDS.migrateProcess(account(), { process: withoutAlice, by: 'ops' }, at(2))).toThrow(/owner "alice" is not a rep of version 2/);
  });
});

describe('customer show', () => {
  test('a declined auto-renewing subscription reads "ending (declined)", not "auto-renews", in customer show and renewals', () => {
    const before = account();
    expect(renewalNote(before.contracts.find((k) => k.id === 'K2')!)).toBe('auto-renews');
    expect(renderCustomer(before, 'UTC')).toMatch(/K2 .* active \(auto-renews\)/);
    const declined = CUSTOMER_COMMANDS.declineRenewal(before, { contractId: 'K2', reason: 'budget cut', by: 'alice' }, at(100));
    const k2 = declined.contracts.find((k) => k.id === 'K2')!;
    expect(renewalNote(k2)).toBe('declined');
    const shown = renderCustomer(declined, 'UTC').split('\n').find((l) => l.includes('K2  subscription'))!;
    expect(shown).toMatch(/ending \(declined\)$/);
    expect(shown).not.toContain('auto-renews');
    const rows = renewalRows(declined, new Date(at(400)));
    const listed = renderRenewals(rows, 'UTC').split('\n').find((l) => l.includes(' K2 '))!;
    expect(listed).toContain('ending (declined)');
    expect(listed).not.toContain('auto-renews');
    // A plain contract declined says so too; one nobody declined says nothing.
    expect(renewalNote(CUSTOMER_COMMANDS.declineRenewal(before, { contractId: 'K1', reason: 'moving', by: 'alice' }, at(100)).contracts[0]!)).toBe('declined');
    expect(renewalNote(before.contracts.find((k) => k.id === 'K1')!)).toBeUndefined();
  });

  test('lost revenue is shown in the lapsed contracts\' currency', () => {
    const lapsed = { ...account(), lostRevenueCents: 60_000, contracts: [{ ...(account().contracts[0] ?? {}), id: 'K1', currency: 'EUR', lostCents: 60_000 }] } as unknown as CustomerState;
    expect(renderCustomer(lapsed, 'UTC')).toContain('Lost revenue: 600.00 EUR');
  });

  test('prints the latest 15 history entries and says how many came before them', () => {
    const young = account();
    expect(young.changes.length).toBeLessThanOrEqual(15);
    expect(renderCustomer(young, 'UTC')).toMatch(/\nHistory:\n/);
    const year = applyDueCustomerDeadlines(applyDueCustomerDeadlines(applyDueCustomerDeadlines(young, at(100)), at(200)), at(400));
    expect(year.changes.length).toBeGreaterThan(15);
    const text = renderCustomer(year, 'UTC');
    const earlier = year.changes.length - 15 + (year.archivedChanges ?? 0);
    expect(text).toContain(`History (the latest 15; ${earlier} earlier not shown, --all for the ${year.changes.length} kept):`);
    expect(text.split('History (')[1]!.split('\n').slice(1).filter((l) => l.startsWith('  '))).toHaveLength(15);
    // --all: every entry the account keeps.
    const all = renderCustomer(year, 'UTC', { all: true });
    expect(all).toMatch(/\nHistory:\n/);
    expect(all.split('History:')[1]!.split('\n').slice(1).filter((l) => l.startsWith('  '))).toHaveLength(year.changes.length);
    // Past the window, --all says how many the account no longer keeps.
    const archived = renderCustomer({ ...year, archivedChanges: 7 }, 'UTC', { all: true });
    expect(archived).toContain(`History (all ${year.changes.length} kept; 7 older no longer kept):`);
  });
});

describe("an account's tasks in the activity report", () => {
  test('done (on time or late, credited to the rep), and once per rep it was overdue with, escalations likewise', () => {
    // alice lets the onboarding task go overdue and escalate; maria does it, late.
    let s = applyDueCustomerDeadlines(account(), at(7));
    const onboarding = s.tasks.find((t) => t.kind === 'onboarding')!;
    s = applyCustomerTaskChange(s, { taskId: onboarding.id, state: 'overdue', at: at(9), forDueAt: onboarding.dueAt, rep: 'alice' });
    s = applyCustomerTaskChange(s, { taskId: onboarding.id, state: 'escalated', at: at(10), forDueAt: onboarding.dueAt, rep: 'alice', notified: 'maria' });
    s = applyCustomerTaskChange(s, { taskId: onboarding.id, state: 'done', at: at(11), outcome: 'set up', by: 'maria' });
    const tasks = projectCustomer(s).events.filter((e) => e.kind.startsWith('task_'));
    expect(tasks).toEqual(
      expect.arrayContaining([
        { key: `task-done:${onboarding.id}`, kind: 'task_done', at: at(11), valueCents: 0, actor: 'alice', detail: 'late' },
        { key: `task-overdue:${onboarding.id}:alice`, kind: 'task_overdue', at: at(9), valueCents: 0, actor: 'alice' },
        { key: `task-escalated:${onboarding.id}:alice`, kind: 'task_escalated', at: at(10), valueCents: 0, actor: 'alice' },
      ]),
    );
    expect(tasks).toHaveLength(3);
    // A task done by its due time is on time; open tasks are not counted yet.
    const justInTime = onboarding.dueAt;
    const onTime = applyCustomerTaskChange(applyDueCustomerDeadlines(account(), at(7)), { taskId: onboarding.id, state: 'done', at: justInTime, outcome: 'ok', by: 'alice' });
    expect(projectCustomer(onTime).events.filter((e) => e.kind.startsWith('task_'))).toEqual([{ key: `task-done:${onboarding.id}`, kind: 'task_done', at: justInTime, valueCents: 0, actor: 'alice', detail: 'on_time' }]);
    expect(projectCustomer(applyDueCustomerDeadlines(account(), at(7))).events.filter((e) => e.kind.startsWith('task_'))).toEqual([]);
  });
});

describe("an account's logged contacts in the activity report", () => {
  test('each contact logged is a contact event for whoever logged it, by channel; past the window the oldest are archived and keep their numbers', () => {
    let s = account();
    s = CUSTOMER_COMMANDS.logContact(s, { channel: 'call', direction: 'outbound', note: 'renewal talk', by: 'alice' }, at(2));
    s = CUSTOMER_COMMANDS.logContact(s, { channel: 'visit', direction: 'inbound', note: '', by: 'bob', at: at(2) }, at(3));
    expect(s.contactLog).toEqual([
      { at: at(2), by: 'alice', channel: 'call', direction: 'outbound' },
      { at: at(2), by: 'bob', channel: 'visit', direction: 'inbound' },
    ]);
    expect(projectCustomer(s).events.filter((e) => e.kind === 'contact')).toEqual([
      { key: 'contact:0', kind: 'contact', at: at(2), valueCents: 0, actor: 'alice', detail: 'call' },
      { key: 'contact:1', kind: 'contact', at: at(2), valueCents: 0, actor: 'bob', detail: 'visit' },
    ]);
    // A refused contact (in the future) logs nothing.
    expect(() => CUSTOMER_COMMANDS.logContact(s, { channel: 'call', by: 'alice', at: at(30) }, at(3))).toThrow(/in the future/);
    for (let i = 0; i < CONTACT_LOG_WINDOW; i++) s = withLoggedContact(s, { at: at(4), by: 'alice', channel: 'email', direction: 'outbound' });
    expect(s.contactLog).toHaveLength(CONTACT_LOG_WINDOW);
    expect(s.archivedContacts).toBe(2);
    const keys = projectCustomer(s).events.filter((e) => e.kind === 'contact').map((e) => e.key);
    expect(keys).toHaveLength(CONTACT_LOG_WINDOW);
    expect(keys).toEqual(expect.arrayContaining(['contact:2', `contact:${CONTACT_LOG_WINDOW + 1}`]));
    expect(keys).not.toContain('contact:1');
  });
});
