import { dumpCustomerReadModel } from '../../db/postsalesReport';
import { eventually } from '../helpers/eventually';
import { customerWorkflowId } from '../../domain/customer/customer';
import { cliTarget, runCli } from '../helpers/cli';
import { accountFor, call, startServer, type Credentials, type ServerHarness } from '../helpers/server';
import { activitiesScheduled } from '../helpers/temporal';

/**
 * The post-sales report on the dev server with second-scale terms: customer accounts feed the
 * read model through their workflows as contracts are renewed and lapse and referrals are
 * given and won; the report's numbers are checked exactly (per scope, as JSON, CSV and
 * through the CLI), and the rebuild from the customer workflows gives the same rows.
 */

let h: ServerHarness;
let admin: Credentials;
beforeAll(async () => {
  h = await startServer();
  admin = await accountFor(h, 'root', 'admin');
});
afterAll(async () => {
  await h?.close();
});

const uniq = Date.now().toString(36);
const definition = {
  name: `care-report-${uniq}`,
  teams: [
    { name: 'north', manager: { id: 'nina', email: 'nina@sales.test' }, reps: [{ id: 'ravi', email: 'ravi@sales.test' }] },
    { name: 'south', manager: { id: 'sven', email: 'sven@sales.test' }, reps: [{ id: 'sam', email: 'sam@sales.test' }] },
  ],
  quotePolicy: { validity: '30d', staleAfter: '3d', escalateAfter: '7d' },
  postSales: {
    onboardingAfter: '1h',
    checkInEvery: '1h',
    satisfactionAfter: '1h',
    taskDue: '1h',
    escalateAfter: '1h',
    renewal: { remindBefore: ['2s'], escalateBefore: '1s' },
    // CARE runs for a year (renewed at once here); SHORT ends within the test and lapses.
    products: { CARE: { kind: 'contract', term: '365d' }, SHORT: { kind: 'contract', term: '6s' } },
  },
};

async function ok(method: string, path: string, body?: unknown): Promise<any> {
  const answer = await call(h.url, method, path, { as: admin, body });
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

async function win(id: string, rep: string, company: string, product: string, price: string, extra: Record<string, unknown> = {}): Promise<void> {
  if (!extra.existing) await ok('POST', '/api/prospects', { id, name: `Buyer ${id}`, company, email: `${id}@customer.test`, rep, definition });
  await ok('POST', `/api/prospects/${id}/qualify`, { outcome: 'qualified', answers: {} });
  await ok('POST', `/api/prospects/${id}/create-inquiry`, { items: [{ product, quantity: 1 }] });
  await ok('POST', `/api/prospects/${id}/create-quote`, { lines: [{ product, quantity: 1, unitPrice: price }] });
  await ok('POST', `/api/prospects/${id}/send-quote`, {});
  await ok('POST', `/api/prospects/${id}/accept-quote`, {});
}

const from = new Date(Date.now() - 86_400_000).toISOString();
const to = new Date(Date.now() + 86_400_000).toISOString();

async function report(as: Credentials = admin, extra: Record<string, string> = {}): Promise<any> {
  const r = await call(h.url, 'GET', `/api/reports/postsales?${new URLSearchParams({ from, to, ...extra })}`, { as });
  if (r.status !== 200) throw new Error(`postsales: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

test('renewals due, renewed and lapsed, recurring revenue and referrals, exactly; the rebuild gives the same rows', async () => {
  const alpha = `alpha-${uniq}`;
  const beta = `beta-${uniq}`;
  // alpha (ravi, north): CARE at 1,200.00 a year, renewed at once: term 1 renewed, term 2 due in a year.
  await win(`a1-${uniq}`, 'ravi', `Alpha ${uniq}`, 'CARE', '1200');
  await eventually(async () => expect((await ok('GET', `/api/customers/${alpha}`)).contracts).toHaveLength(1), 30_000, 300);
  await ok('POST', `/api/customers/${alpha}/renew`, { contractId: 'K1' });
  // beta (sam, south): SHORT at 600.00 for 6 s, declined: it lapses at its end.
  await win(`b1-${uniq}`, 'sam', `Beta ${uniq}`, 'SHORT', '600');
  await eventually(async () => expect((await ok('GET', `/api/customers/${beta}`)).contracts).toHaveLength(1), 30_000, 300);
  await ok('POST', `/api/customers/${beta}/decline-renewal`, { contractId: 'K1', reason: 'moving to another supplier' });
  // Contacts logged with the accounts (activity report): ravi calls alpha, sam visits beta.
  const ravi = await accountFor(h, 'ravi', 'rep', { personId: 'ravi' });
  const samRep = await accountFor(h, 'sam', 'rep', { personId: 'sam' });
  for (const [as, id, channel] of [[ravi, alpha, 'call'], [samRep, beta, 'visit']] as const) {
    const logged = await call(h.url, 'POST', `/api/customers/${id}/log-contact`, { as, body: { channel, note: 'how is it going' } });
    expect(logged.status).toBe(200);
  }
  // alpha refers two: Dee is won (4,500.00, credited to alpha), Eve stays open.
  const dee = (await ok('POST', `/api/customers/${alpha}/referrals`, { name: 'Dee Delta', company: `Delta ${uniq}`, email: 'dee@delta.test' })).result.ref as string;
  await ok('POST', `/api/customers/${alpha}/referrals`, { name: 'Eve Echo', email: 'eve@echo.test' });
  await eventually(() => ok('GET', `/api/prospects/${dee}`), 30_000, 300);
  await win(dee, 'ravi', '', 'PUMP', '4500', { existing: true });
  await eventually(async () => {
    const c = await ok('GET', `/api/customers/${alpha}`);
    expect(c.referrals.find((r: any) => r.prospectId === dee)).toMatchObject({ status: 'won', netCents: 450_000 });
    expect((await ok('GET', `/api/customers/${beta}`)).contracts[0].status).toBe('lapsed');
  }, 40_000, 500);

  // The feed catches up: each account's row at its record's version.
  await eventually(async () => {
    for (const id of [alpha, beta, `delta-${uniq}`]) {
      const c = await ok('GET', `/api/customers/${id}`);
      const row = await h.database.db.selectFrom('report_customers').select('version').where('customer_id', '=', id).executeTakeFirst();
      expect({ id, version: row?.version }).toEqual({ id, version: (c.archivedChanges ?? 0) + c.changes.length });
    }
  }, 30_000, 300);
  // Written within the accounts' workflow tasks: no activity of the feed in their histories.
  const history = await h.stack.raw.workflow.getHandle(customerWorkflowId(alpha)).fetchHistory();
  expect(activitiesScheduled(history)).not.toContain('recordCustomerReadModel');

  const all = await report();
  expect(all.renewals).toEqual({
    // alpha's term 1 (ended at the renewal's due date, a year on) and term 2 are beyond the period; beta's one term ended in it.
    due: { count: 1, valueCents: 60_000 },
    renewed: { count: 1, valueCents: 120_000 },
    lapsed: { count: 1, valueCents: 60_000 },
    renewalRate: 0.5,
  });
  // Now: alpha's CARE is the one contract not lapsed (delta, won from the referral, bought no contract).
  expect(all.recurring).toEqual({ customers: 3, activeContracts: 1, recurringCents: 120_000, annualRecurringCents: 120_000 });
  expect(all.referrals).toEqual({ given: 2, won: { count: 1, valueCents: 450_000 }, lost: 0 });

  // Scope: north's manager sees alpha and delta (ravi's), not beta; a rep their own accounts; support nothing.
  const nina = await accountFor(h, 'nina', 'manager', { personId: 'nina', team: 'north' });
  const north = await report(nina);
  expect(north.filter.team).toBe('north');
  expect(north.renewals).toMatchObject({ due: { count: 0, valueCents: 0 }, renewed: { count: 1, valueCents: 120_000 }, lapsed: { count: 0, valueCents: 0 }, renewalRate: 1 });
  expect(north.recurring.customers).toBe(2);
  const sam = samRep;
  const own = await report(sam);
  expect(own.renewals.lapsed).toEqual({ count: 1, valueCents: 60_000 });
  expect(own.referrals.given).toBe(0);
  expect((await call(h.url, 'GET', '/api/reports/postsales?rep=ravi', { as: sam })).status).toBe(403);
  const desk = await accountFor(h, 'sue', 'support', { personId: 'sue' });
  expect((await call(h.url, 'GET', '/api/reports/postsales', { as: desk })).status).toBe(403);
  expect((await report(admin, { process: 'nope' })).recurring.customers).toBe(0);

  // CSV: the measures.
  const csv = await call(h.url, 'GET', `/api/reports/postsales?${new URLSearchParams({ from, to, format: 'csv' })}`, { as: admin });
  expect(csv.contentType).toMatch(/^text\/csv/);
  expect(String(csv.body).trim().split('\n')).toEqual([
    'measure,count,value',
    'renewals_due,1,600.00',
    'renewed,1,1200.00',
    'lapsed,1,600.00',
    'accounts,3,',
    'active_contracts,1,1200.00',
    'annual_recurring_revenue,1,1200.00',
    'referrals_given,2,',
    'referrals_won,1,4500.00',
    'referrals_lost,0,',
  ]);

  // The CLI prints the same numbers.
  const target = await cliTarget(h, 'cli-postsales', 'admin');
  const table = await runCli(target, ['report', 'postsales', '--from', from, '--to', to]);
  expect(table.code).toBe(0);
  expect(table.stdout).toMatch(/renewed\s+1\s+1200\.00/);
  expect(table.stdout).toContain('renewal rate 50.0% (1 renewed, 1 lapsed, 600.00 lost)');

  // The activity report counts the contacts logged with the accounts for whoever logged them
  // (ravi's quotation mails count as his emails, as every sent quotation does).
  const activity = async () => {
    const r = await call(h.url, 'GET', `/api/reports/activity?${new URLSearchParams({ from, to })}`, { as: admin });
    return Object.fromEntries((r.body as { reps: { rep: string; contacts: Record<string, number> }[] }).reps.map((x) => [x.rep, x.contacts]));
  };
  const contacts = await activity();
  expect(contacts.ravi).toMatchObject({ call: 1, visit: 0 });
  expect(contacts.sam).toMatchObject({ call: 0, visit: 1 });

  // The rebuild from the customer workflows gives exactly the rows the feed wrote.
  const live = await dumpCustomerReadModel(h.database.db);
  expect(live.customers).toHaveLength(3);
  const rebuilt = await runCli(target, ['report', 'rebuild', '--json']);
  expect(rebuilt.code).toBe(0);
  expect(JSON.parse(rebuilt.stdout)).toMatchObject({ customers: 3, customerEvents: live.events.length });
  expect(await dumpCustomerReadModel(h.database.db)).toEqual(live);
  expect(live.events.filter((e) => (e as { kind: string }).kind === 'contact')).toHaveLength(2);
  expect(await activity()).toEqual(contacts);
}, 150_000);
