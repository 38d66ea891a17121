import { CustomerClient } from '../../client/customer/customerClient';
import { OpsClient } from '../../client/process/opsClient';
import type { CustomerState } from '../../domain/customer/customer';
import type { ProcessDefinitionInput } from '../../domain/process/process';
import type { RepTask } from '../../domain/pipeline/prospect';
import { customerWorkflowId } from '../../workflows/customer/contract';
import { getTask, taskWorkflowId } from '../../workflows/tasks/contract';
import { eventually } from '../helpers/eventually';
import { startTimeSkippingStack } from '../helpers/temporal';

/**
 * A customer's first year on the time-skipping server: a won deal becomes the account,
 * which raises the onboarding call, check-ins and the satisfaction check, asks for a
 * referral once the customer is satisfied and credits it when the referral is won, reminds
 * of renewals (drafting the renewal quotation), escalates an undecided one, renews one
 * contract and lets another lapse with its lost revenue, and reminds of a reorder.
 */

type Stack = Awaited<ReturnType<typeof startTimeSkippingStack>>;
let stack: Stack;
let customers: CustomerClient;
let ops: OpsClient;

beforeAll(async () => {
  stack = await startTimeSkippingStack();
  customers = new CustomerClient(stack.client);
  ops = new OpsClient(stack.client);
});
afterAll(async () => {
  await stack?.close();
});

const DAY = 86_400_000;

const PROCESS: ProcessDefinitionInput = {
  name: 'care',
  teams: [
    {
      name: 'field',
      manager: { id: 'maria', email: 'maria@sales.test' },
      reps: [
        { id: 'alice', email: 'alice@sales.test' },
        { id: 'bob', email: 'bob@sales.test' },
      ],
    },
  ],
  quotePolicy: { validity: '30d', staleAfter: '3d', escalateAfter: '7d' },
  postSales: {
    onboardingAfter: '7d',
    checkInEvery: '90d',
    satisfactionAfter: '30d',
    taskDue: '2d',
    // Escalated tasks look in on their account once per escalation interval: a longer one
    // keeps a simulated year quick.
    escalateAfter: '10d',
    goingColdAfter: '120d',
    renewal: { remindBefore: ['90d', '30d'], escalateBefore: '14d' },
    referral: { askAfter: '30d', minSatisfaction: 4 },
    products: {
      SERVICE: { kind: 'contract', term: '180d' },
      HOSTING: { kind: 'subscription', term: '180d' },
      FILTER: { kind: 'consumable', reorderEvery: '60d' },
    },
  },
};

async function win(id: string, info: { name: string; company: string; email: string }, lines: { product: string; quantity: number; unitPrice: string }[], note: string) {
  const client = stack.client;
  await client.createProspect({ id, ...info, rep: 'alice' }, PROCESS);
  await client.command(id, 'logContact', { channel: 'visit', note, by: 'alice' });
  await client.command(id, 'qualify', { answers: { authority: 'Dana Decider', budget: 50_000 }, outcome: 'qualified', by: 'alice' });
  await client.command(id, 'createInquiry', { items: lines.map((l) => ({ product: l.product, quantity: l.quantity })), by: 'alice' });
  await client.command(id, 'createQuote', { lines, by: 'alice' });
  await client.command(id, 'sendQuote', { by: 'alice' });
  return client.command(id, 'acceptQuote', { note: 'long-lasting pumps #reliability', by: 'alice' });
}

/** Lets days pass on the server, then gives the workflows a moment to act on them. */
async function pass(days: number): Promise<void> {
  await stack.env.sleep(days * DAY);
}

async function account(id: string, check: (s: CustomerState) => void): Promise<CustomerState> {
  return eventually(async () => {
    const state = await customers.get(id);
    check(state);
    return state;
  }, 30_000);
}

const titled = (state: CustomerState, kind: RepTask['kind']) => state.tasks.filter((t) => t.kind === kind);

test('a customer through a year: cadence, renewals, a lapse, a reorder, a referral credited', async () => {
  const won = await win(
    'acme-1',
    { name: 'Ann Buyer', company: 'Acme Pumps', email: 'ann@acme.test' },
    [
      { product: 'PUMP-X', quantity: 2, unitPrice: '1000' },
      { product: 'SERVICE', quantity: 1, unitPrice: '1200' },
      { product: 'HOSTING', quantity: 1, unitPrice: '300' },
      { product: 'FILTER', quantity: 10, unitPrice: '5' },
    ],
    'they keep old pumps running #repair-over-replace',
  );
  expect(won.stage).toBe('won');

  // The win makes the account, with what the deal told about the customer.
  let acme = await account('acme-pumps', (s) => expect(s.deals).toHaveLength(1));
  expect(acme.info).toMatchObject({ name: 'Acme Pumps', owner: 'alice', contacts: [{ name: 'Ann Buyer', email: 'ann@acme.test' }] });
  expect(acme.deals[0]).toMatchObject({ prospectId: 'acme-1', kind: 'first', status: 'won', netCents: 355_000 });
  expect(acme.contracts.map((k) => [k.id, k.product, k.kind])).toEqual([
    ['K1', 'SERVICE', 'contract'],
    ['K2', 'HOSTING', 'subscription'],
  ]);
  expect(acme.consumables).toMatchObject([{ product: 'FILTER', quantity: 10, everyMs: 60 * DAY }]);
  expect(acme.profile.preferences).toEqual(expect.arrayContaining(['repair over replace', 'reliability']));
  expect(acme.profile.decisionMakers).toEqual([{ name: 'Dana Decider' }]);
  expect(acme.profile.installedProducts.map((p) => p.product)).toEqual(['PUMP-X', 'SERVICE', 'HOSTING']);

  // The onboarding call, a task for the owner from the win, due on day 7, with its own SLA ladder.
  const onboarding = titled(acme, 'onboarding')[0]!;
  expect(onboarding).toMatchObject({ rep: 'alice', title: 'Onboarding call with Acme Pumps', dueAt: new Date(Date.parse(acme.deals[0]!.closedAt!) + 7 * DAY).toISOString() });
  // Day 20: overdue on day 7 and escalated on day 17, like any task.
  await pass(20);
  const task = await eventually(async () => {
    const t = await stack.raw.workflow.getHandle(taskWorkflowId(onboarding.id)).query(getTask);
    expect(t.state).toBe('escalated');
    return t;
  }, 30_000);
  expect(task.rep).toBe('alice');
  // Both mails name the account the task is for (a post-sales task has no prospect).
  const escalation = await stack.sink.waitFor((m) => m.subject.startsWith('Escalation:') && m.raw.includes(onboarding.id));
  const overdue = await stack.sink.waitFor((m) => m.subject.startsWith('Overdue:') && m.raw.includes(onboarding.id));
  for (const mail of [escalation, overdue]) {
    // The plain-text part, with quoted-printable's soft line breaks undone.
    const text = mail.raw.replace(/=\r?\n/g, '');
    expect(text).toContain('Customer: Acme Pumps (acme-pumps)');
    expect(text).not.toContain('Prospect:');
  }
  // The call happens: completing the task is a contact with the customer.
  await ops.completeTask(onboarding.id, 'onboarded', 'walked them through maintenance #prefers-onsite', 'alice');
  acme = await account('acme-pumps', (s) => expect(titled(s, 'onboarding')[0]!.state).toBe('done'));
  expect(acme.profile.preferences).toContain('prefers onsite');

  // Day 31: the satisfaction check; a satisfied customer is asked for referrals.
  await pass(11);
  acme = await account('acme-pumps', (s) => expect(titled(s, 'satisfaction')).toHaveLength(1));
  expect(titled(acme, 'referral')).toHaveLength(0);
  await customers.run('acme-pumps', 'recordSatisfaction', { score: 5, note: 'very happy with the service #prefers-phone', by: 'alice' });
  acme = await account('acme-pumps', (s) => expect(titled(s, 'referral')).toHaveLength(1));
  expect(titled(acme, 'satisfaction')[0]!.state).toBe('done');
  expect(acme.profile.preferences).toContain('prefers phone');

  // The customer names someone: the referred prospect starts with its source, linked both ways.
  const referred = await customers.run('acme-pumps', 'addReferral', { name: 'Bea Brewer', company: 'Beta Mills', email: 'bea@beta.test', by: 'alice' });
  expect(referred.ref).toBe('acme-pumps-r1');
  const prospect = await eventually(() => stack.client.getProspect('acme-pumps-r1'), 30_000);
  expect(prospect.info).toMatchObject({ source: 'referral:acme-pumps', rep: 'alice', company: 'Beta Mills' });
  // Won: Beta Mills becomes a customer referred by Acme, and Acme is credited.
  for (const [name, args] of [
    ['qualify', { outcome: 'qualified', by: 'alice' }],
    ['createInquiry', { items: [{ product: 'PUMP-X', quantity: 1 }], by: 'alice' }],
    ['createQuote', { lines: [{ product: 'PUMP-X', quantity: 1, unitPrice: '900' }], by: 'alice' }],
    ['sendQuote', { by: 'alice' }],
    ['acceptQuote', { by: 'alice' }],
  ] as const) {
    await stack.client.run('acme-pumps-r1', name, args);
  }
  const beta = await account('beta-mills', (s) => expect(s.deals).toHaveLength(1));
  expect(beta.info.referredBy).toBe('acme-pumps');
  acme = await account('acme-pumps', (s) => expect(s.referrals[0]?.creditedAt).toBeDefined());
  expect(acme.referrals[0]).toMatchObject({ prospectId: 'acme-pumps-r1', status: 'won', netCents: 90_000 });
  expect(titled(acme, 'referral').map((t) => t.title)).toContainEqual(expect.stringMatching(/^Thank Acme Pumps for referring Bea Brewer \(Beta Mills\)/));
  await stack.sink.waitFor((m) => m.subject.startsWith('New task: Thank Acme Pumps') && m.recipients.includes('alice@sales.test'));
  await ops.completeTask(titled(acme, 'referral').find((t) => t.ref === 'acme-pumps-r1')!.id, 'thanked', undefined, 'alice');

  // Day 61: FILTER's reorder interval passed without an order.
  await pass(30);
  acme = await account('acme-pumps', (s) => expect(titled(s, 'reorder')).toHaveLength(1));
  expect(titled(acme, 'reorder')[0]!.title).toMatch(/last ordered 10 x FILTER/);
  await customers.run('acme-pumps', 'recordOrder', { product: 'FILTER', by: 'alice' });

  // Day 91: the first check-in; both contracts are reminded 90 days before their end and
  // each gets a renewal quotation drafted from the current terms.
  await pass(30);
  acme = await account('acme-pumps', (s) => {
    expect(titled(s, 'check_in')).toHaveLength(1);
    expect(titled(s, 'renewal')).toHaveLength(2);
  });
  expect(acme.contracts[0]!.renewalQuote).toMatchObject({ number: 'acme-pumps-K1-T2', netCents: 120_000, status: 'draft', product: 'SERVICE' });
  expect(acme.contracts[1]!.renewalQuote).toMatchObject({ number: 'acme-pumps-K2-T2', netCents: 30_000 });
  await ops.completeTask(titled(acme, 'check_in')[0]!.id, 'all well', undefined, 'alice');

  // Day 167: nobody decided either: both escalate to the manager.
  await pass(76);
  acme = await account('acme-pumps', (s) => expect(s.contracts.every((k) => k.escalatedAt !== undefined)).toBe(true));
  const escalations = titled(acme, 'renewal').filter((t) => t.rep === 'maria');
  expect(escalations.map((t) => t.title)).toEqual([expect.stringMatching(/^Escalation: renewal of contract K1/), expect.stringMatching(/^Escalation: renewal of subscription K2/)]);
  // The 30-day reminders came before (day 150).
  expect(acme.contracts[0]!.remindedBefore).toEqual([90 * DAY, 30 * DAY]);

  // The customer renews the service contract; the hosting is left to lapse.
  await customers.run('acme-pumps', 'renewContract', { contractId: 'K1', by: 'alice' });
  acme = await customers.get('acme-pumps');
  expect(acme.contracts[0]).toMatchObject({ term: 2, status: 'active', history: [{ term: 1, outcome: 'renewed' }] });
  expect(titled(acme, 'renewal').filter((t) => t.ref === 'K1').every((t) => t.state === 'done')).toBe(true);

  // Day 181: K2's term ended undecided: lapsed, its revenue lost.
  await pass(14);
  acme = await account('acme-pumps', (s) => expect(s.contracts[1]!.status).toBe('lapsed'));
  expect(acme.contracts[1]).toMatchObject({ lostCents: 30_000, renewalQuote: { status: 'lapsed' }, history: [{ term: 1, outcome: 'lapsed' }] });
  expect(acme.lostRevenueCents).toBe(30_000);
  expect(acme.contracts[0]!.status).toBe('active');
  expect(titled(acme, 'check_in')).toHaveLength(2);

  // Day 366: a year on, and the account went cold after 120 days without contact (the
  // renewal on day 167), so the manager heard of it. The check-in of day 181 was never done:
  // the ones due on days 271 and 361 raised no second task while it stayed open.
  await pass(185);
  acme = await account('acme-pumps', (s) => expect(titled(s, 'going_cold')).toHaveLength(1));
  expect(titled(acme, 'check_in').map((t) => t.state)).toEqual(['done', 'escalated']);
  expect(acme.cadence.lastCheckInAt.slice(0, 10)).not.toBe(titled(acme, 'check_in')[1]!.createdAt.slice(0, 10));
  expect(titled(acme, 'going_cold')).toMatchObject([{ rep: 'maria' }]);
  // K1's second term is reminded too; the reorder clock restarted with the order on day 61.
  expect(acme.contracts[0]!.remindedBefore.length).toBeGreaterThan(0);
  expect(titled(acme, 'reorder').length).toBeGreaterThanOrEqual(2);
});

test('an account winning deal after deal keeps its deadline timer: none is cancelled and started again per deal', async () => {
  for (const k of [1, 2, 3]) {
    await win(`zeta-${k}`, { name: 'Zoe Zed', company: 'Zeta Works', email: `zoe${k}@zeta.test` }, [{ product: 'PUMP-X', quantity: 1, unitPrice: '900' }], 'plain pumps');
  }
  await account('zeta-works', (s) => expect(s.deals).toHaveLength(3));
  const events = (await stack.raw.workflow.getHandle(customerWorkflowId('zeta-works')).fetchHistory()).events ?? [];
  expect(events.filter((e) => e.workflowExecutionSignaledEventAttributes)).toHaveLength(3);
  // Each deal moved the check-in later; the soonest deadline's timer stays. A timer starts
  // again only after one fired.
  const started = events.filter((e) => e.timerStartedEventAttributes).length;
  const fired = events.filter((e) => e.timerFiredEventAttributes).length;
  expect(started).toBeGreaterThanOrEqual(1);
  expect(started).toBeLessThanOrEqual(fired + 1);
  expect(events.filter((e) => e.timerCanceledEventAttributes)).toHaveLength(0);
});
