import { eventually } from '../helpers/eventually';
import { customerWorkflowId } from '../../workflows/customer/contract';
import { taskWorkflowId } from '../../workflows/tasks/contract';
import { accountFor, call, startServer, type Credentials, type ServerHarness } from '../helpers/server';

/**
 * After the sale, over HTTP on the dev server with second-scale post-sales durations: a won
 * deal becomes its customer account; the onboarding call, a check-in, a renewal reminder
 * with its drafted quotation follow within seconds; a post-sales support query shows the
 * profile (and the repair it suggests); a referral becomes a prospect with its source and,
 * won, credits the referrer; a repeat deal is opened from the account. Roles as for prospects.
 */

let h: ServerHarness;
let rep: Credentials;
let manager: Credentials;
let otherRep: Credentials;
let support: Credentials;
beforeAll(async () => {
  h = await startServer();
  rep = await accountFor(h, 'ravi', 'rep', { personId: 'ravi' });
  manager = await accountFor(h, 'nina', 'manager', { personId: 'nina', team: 'north' });
  otherRep = await accountFor(h, 'sam', 'rep', { personId: 'sam' });
  support = await accountFor(h, 'sue', 'support', { personId: 'sue' });
});
afterAll(async () => {
  await h?.close();
});

const uniq = Date.now().toString(36);

const definition = {
  name: `care-${uniq}`,
  teams: [
    { name: 'north', manager: { id: 'nina', email: 'nina@sales.test' }, reps: [{ id: 'ravi', email: 'ravi@sales.test' }] },
    { name: 'south', manager: { id: 'sven', email: 'sven@sales.test' }, reps: [{ id: 'sam', email: 'sam@sales.test' }] },
    { name: 'desk', manager: { id: 'sally', email: 'sally@sales.test' }, reps: [{ id: 'sue', email: 'sue@sales.test' }] },
  ],
  support: { team: 'desk', answerWithin: '4h', escalateAfter: '4h' },
  quotePolicy: { validity: '30d', staleAfter: '3d', escalateAfter: '7d' },
  postSales: {
    onboardingAfter: '1s',
    checkInEvery: '6s',
    satisfactionAfter: '1h',
    taskDue: '1h',
    escalateAfter: '1h',
    renewal: { remindBefore: ['10s'], escalateBefore: '4s' },
    products: { CARE: { kind: 'contract', term: '16s' } },
  },
};

async function ok(method: string, path: string, as: Credentials, body?: unknown) {
  const answer = await call(h.url, method, path, { as, body });
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

async function winDeal(id: string, company: string, note: string) {
  await ok('POST', '/api/prospects', rep, { id, name: `Buyer ${id}`, company, email: `${id}@customer.test`, definition });
  await ok('POST', `/api/prospects/${id}/log-contact`, rep, { channel: 'visit', note });
  await ok('POST', `/api/prospects/${id}/qualify`, rep, { outcome: 'qualified', answers: { authority: 'Olga Owner' } });
  await ok('POST', `/api/prospects/${id}/create-inquiry`, rep, { items: [{ product: 'PUMP-X', quantity: 1 }, { product: 'CARE', quantity: 1 }] });
  await ok('POST', `/api/prospects/${id}/create-quote`, rep, {
    lines: [
      { product: 'PUMP-X', quantity: 1, unitPrice: '5000' },
      { product: 'CARE', quantity: 1, unitPrice: '800' },
    ],
  });
  await ok('POST', `/api/prospects/${id}/send-quote`, rep, {});
  return ok('POST', `/api/prospects/${id}/accept-quote`, rep, {});
}

const tasksOf = (customer: any, kind: string) => (customer.tasks as any[]).filter((t) => t.kind === kind);

test('a won deal becomes a customer whose cadence, renewal and support run on the process', async () => {
  const customerId = `gamma-${uniq}`;
  await winDeal(`g1-${uniq}`, `Gamma ${uniq}`, 'they run machines for decades #repair-over-replace');

  // The account, its onboarding call (1 s after the win), a check-in (6 s) and the renewal
  // reminder (8 s before the 40 s term ends) with the quotation drafted from the current terms.
  const customer = await eventually(async () => {
    const c = await ok('GET', `/api/customers/${customerId}`, rep);
    expect(tasksOf(c, 'onboarding')).toHaveLength(1);
    expect(tasksOf(c, 'check_in').length).toBeGreaterThanOrEqual(1);
    expect(tasksOf(c, 'renewal')).toHaveLength(1);
    return c;
  }, 60_000, 500);
  expect(customer.info).toMatchObject({ id: customerId, owner: 'ravi' });
  expect(customer.contracts[0]).toMatchObject({ id: 'K1', product: 'CARE', renewalQuote: { number: `${customerId}-K1-T2`, netCents: 80_000, status: 'draft' } });
  expect(customer.profile).toMatchObject({ preferences: ['repair over replace'], decisionMakers: [{ name: 'Olga Owner' }] });
  // The task is in the rep's inbox, as any task.
  const inbox = await ok('GET', '/api/tasks', rep);
  expect(inbox.tasks.map((t: { id: string }) => t.id)).toContain(tasksOf(customer, 'onboarding')[0].id);
  const taskMail = await h.stack.sink.waitFor((m) => m.subject === `New task: Onboarding call with Gamma ${uniq}`);
  // It links the account's page in the web app, at the worker's SALESFLOW_PUBLIC_URL (its default here).
  expect(taskMail.raw).toContain(`Open in salesflow: http://127.0.0.1:8088/customers/${customerId}\r\n`);
  expect(taskMail.raw).not.toContain('salesflow.invalid/app');
  // Started in the current code generations: neither the account nor its task records a patch marker.
  for (const workflowId of [customerWorkflowId(customerId), taskWorkflowId(tasksOf(customer, 'onboarding')[0].id)]) {
    const events = (await h.stack.raw.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    expect(events.filter((e) => e.workflowTaskCompletedEventAttributes).length).toBeGreaterThan(0);
    expect(events.filter((e) => e.markerRecordedEventAttributes)).toEqual([]);
  }

  // The renewals list, and who sees the account.
  const renewals = await ok('GET', '/api/renewals?within=1h', rep);
  expect(renewals.renewals).toContainEqual(expect.objectContaining({ customerId, contractId: 'K1', renewalQuote: expect.objectContaining({ status: 'draft' }) }));
  expect((await call(h.url, 'GET', `/api/customers/${customerId}`, { as: manager })).status).toBe(200);
  expect((await call(h.url, 'GET', `/api/customers/${customerId}`, { as: otherRep })).status).toBe(404);
  expect((await ok('GET', '/api/customers', otherRep)).customers).toEqual([]);
  expect((await ok('GET', '/api/customers', rep)).customers.map((c: { id: string }) => c.id)).toContain(customerId);
  // A search: the account by its name's words in any case, counted; another rep's search finds nothing of it.
  const company = (await ok('GET', `/api/customers/${customerId}`, rep)).info.name as string;
  const found = await ok('GET', `/api/customers?q=${encodeURIComponent(company.toUpperCase())}`, rep);
  expect(found).toEqual({ customers: [expect.objectContaining({ id: customerId })], total: 1 });
  expect(await ok('GET', `/api/customers?q=${encodeURIComponent(company)}`, otherRep)).toEqual({ customers: [], total: 0 });
  // Moving the account to another process version is ops's (a rep is refused; the
  // version comes from the registry).
  expect((await call(h.url, 'POST', `/api/customers/${customerId}/migrate`, { as: rep, body: { to: 2 } })).status).toBe(403);
  const admin = await accountFor(h, `root-${uniq}`, 'admin');
  await ok('POST', '/api/processes', admin, { definition });
  await ok('POST', '/api/processes', admin, { definition: { ...definition, postSales: { ...definition.postSales, checkInEvery: '1h' } } });
  const migrated = await ok('POST', `/api/customers/${customerId}/migrate`, admin, { to: 2 });
  expect(migrated.customer.process).toMatchObject({ name: definition.name, version: 2 });
  expect(migrated.result.summary).toBe(`migrated from ${definition.name} v1 to v2`);
  // Support reads the account to answer queries but does not work it.
  expect((await call(h.url, 'POST', `/api/customers/${customerId}/log-contact`, { as: support, body: { channel: 'call' } })).status).toBe(403);

  // A post-sales support query shows the profile, which suggests a repair; the answer becomes a repair task.
  const query = await ok('POST', `/api/customers/${customerId}/support-queries`, support, { topic: 'pump leaks', question: 'The PUMP-X leaks oil', product: 'PUMP-X' });
  const opened = query.customer.supportCases[0];
  expect(query.result.ref).toBe(opened.id);
  expect(opened).toMatchObject({ suggestion: 'repair', why: 'the customer prefers "repair over replace"' });
  expect(query.customer.profile.preferences).toContain('repair over replace');
  expect(query.customer.profile.installedProducts).toContainEqual(expect.objectContaining({ product: 'PUMP-X' }));
  const answered = await ok('POST', `/api/customers/${customerId}/answer-support-query`, support, { queryId: opened.id, answer: 'a technician will replace the seal', outcome: 'repair' });
  expect(tasksOf(answered.customer, 'repair')).toEqual([expect.objectContaining({ rep: 'ravi', title: `Repair PUMP-X for Gamma ${uniq}: pump leaks` })]);

  // A bad command is refused with its field named, and nothing changes.
  const bad = await call(h.url, 'POST', `/api/customers/${customerId}/satisfaction`, { as: rep, body: { score: 9 } });
  expect(bad.status).toBe(400);
  expect(bad.body.detail).toMatch(/score/);

  // A referral: a prospect with its source, linked both ways; won, it credits the referrer.
  const referral = await ok('POST', `/api/customers/${customerId}/referrals`, rep, { name: 'Dee Delta', company: `Delta ${uniq}`, email: 'dee@delta.test' });
  const referredId = referral.result.ref;
  expect(referral.customer.referrals).toEqual([expect.objectContaining({ prospectId: referredId, status: 'open' })]);
  const referred = await eventually(() => ok('GET', `/api/prospects/${referredId}`, rep), 30_000, 300);
  expect(referred.info).toMatchObject({ source: `referral:${customerId}`, rep: 'ravi', company: `Delta ${uniq}` });
  for (const [segment, body] of [
    ['qualify', { outcome: 'qualified' }],
    ['create-inquiry', { items: [{ product: 'PUMP-X', quantity: 2 }] }],
    ['create-quote', { lines: [{ product: 'PUMP-X', quantity: 2, unitPrice: '4500' }] }],
    ['send-quote', {}],
    ['accept-quote', {}],
  ] as const) {
    await ok('POST', `/api/prospects/${referredId}/${segment}`, rep, body);
  }
  const credited = await eventually(async () => {
    const c = await ok('GET', `/api/customers/${customerId}`, rep);
    expect(c.referrals[0].creditedAt).toBeDefined();
    return c;
  }, 30_000, 300);
  expect(credited.referrals[0]).toMatchObject({ status: 'won', netCents: 900_000 });
  expect(tasksOf(credited, 'referral').map((t: { title: string }) => t.title)).toContainEqual(expect.stringMatching(new RegExp(`^Thank Gamma ${uniq} for referring Dee Delta`)));
  const delta = await eventually(() => ok('GET', `/api/customers/delta-${uniq}`, rep), 30_000, 300);
  expect(delta.info.referredBy).toBe(customerId);

  // Repeat business is a new prospect opened from the account and linked to it.
  const deal = await ok('POST', `/api/customers/${customerId}/deals`, rep, {});
  expect(deal.result.ref).toBe(`${customerId}-d1`);
  const repeat = await eventually(() => ok('GET', `/api/prospects/${customerId}-d1`, rep), 30_000, 300);
  expect(repeat.info).toMatchObject({ customer: customerId, source: `repeat:${customerId}`, company: `Gamma ${uniq}` });
});

test("process migrate moves the process's customer accounts too: a dry run first, refusals named, a departed owner's account handed over", async () => {
  const admin = await accountFor(h, `mover-${uniq}`, 'admin');
  const name = `move-${uniq}`;
  const version = (reps: string[]) => ({
    name,
    teams: [{ name: 'north', manager: { id: 'nina', email: 'nina@sales.test' }, reps: reps.map((id) => ({ id, email: `${id}@sales.test` })) }],
    quotePolicy: { validity: '30d', staleAfter: '3d', escalateAfter: '7d' },
    postSales: { onboardingAfter: '1h', products: { CARE: { kind: 'contract', term: '365d' } } },
  });
  await ok('POST', '/api/processes', admin, { definition: version(['ravi', 'dave']) });
  const win = async (id: string, company: string, rep: string) => {
    await ok('POST', '/api/prospects', admin, { id, name: `Buyer ${id}`, company, rep, process: name });
    await ok('POST', `/api/prospects/${id}/qualify`, admin, { outcome: 'qualified' });
    await ok('POST', `/api/prospects/${id}/create-inquiry`, admin, { items: [{ product: 'CARE', quantity: 1 }] });
    await ok('POST', `/api/prospects/${id}/create-quote`, admin, { lines: [{ product: 'CARE', quantity: 1, unitPrice: '900' }] });
    await ok('POST', `/api/prospects/${id}/send-quote`, admin, { handedOver: 'visit' });
    await ok('POST', `/api/prospects/${id}/accept-quote`, admin, {});
  };
  await win(`ma-${uniq}`, `Alpha ${uniq}`, 'ravi');
  await win(`md-${uniq}`, `Dora ${uniq}`, 'dave');
  const [alpha, dora] = [`alpha-${uniq}`, `dora-${uniq}`];
  await eventually(async () => {
    for (const id of [alpha, dora]) expect((await ok('GET', `/api/customers/${id}`, admin)).tasks).toHaveLength(1);
  }, 30_000, 300);
  // Version 2: dave has left, erin has joined.
  await ok('POST', '/api/processes', admin, { definition: version(['ravi', 'erin']) });
  const migrate = (body: object) => ok('POST', `/api/processes/${name}/migrate`, admin, { to: 2, ...body });

  const dry = await eventually(async () => {
    const report = await migrate({ dryRun: true });
    expect(report.customers.results).toHaveLength(2);
    return report;
  }, 30_000, 500);
  expect(dry.customers).toEqual({
    results: [
      { customerId: alpha, from: 1, outcome: 'would migrate' },
      { customerId: dora, from: 1, outcome: 'refused', reason: 'its owner "dave" is not a rep of version 2' },
    ],
    moved: 1,
    refused: 1,
    unchanged: 0,
  });
  // A dry run changes nothing.
  expect((await ok('GET', `/api/customers/${alpha}`, admin)).process.version).toBe(1);

  // Limited to a stage, a run is about prospects only.
  expect((await migrate({ dryRun: true, stage: 'won' })).customers).toEqual({ results: [], moved: 0, refused: 0, unchanged: 0 });

  const real = await migrate({ dryRun: false });
  expect(real.customers).toMatchObject({ results: [{ customerId: alpha, outcome: 'migrated' }, { customerId: dora, outcome: 'refused' }], moved: 1, refused: 1 });
  expect((await ok('GET', `/api/customers/${alpha}`, admin)).process.version).toBe(2);
  expect((await ok('GET', `/api/customers/${dora}`, admin)).process.version).toBe(1);

  // dave's account and its open onboarding task go to erin in the same step; erin is told.
  const handedOver = await migrate({ dryRun: false, reassign: { from: 'dave', to: 'erin' } });
  expect(handedOver.customers).toEqual({ results: [{ customerId: dora, from: 1, outcome: 'migrated' }], moved: 1, refused: 0, unchanged: 1 });
  const moved = await ok('GET', `/api/customers/${dora}`, admin);
  expect(moved).toMatchObject({ info: { owner: 'erin' }, process: { version: 2 } });
  expect(moved.tasks).toEqual([expect.objectContaining({ kind: 'onboarding', rep: 'erin', state: 'open' })]);
  await h.stack.sink.waitFor((m) => m.recipients.includes('erin@sales.test') && m.subject === `Customer handed over to you: Dora ${uniq} (${dora})`);
  // The task's own workflow learned its new rep: it is in erin's inbox.
  await eventually(async () => {
    const task = await ok('GET', `/api/tasks/${moved.tasks[0].id}`, admin);
    expect(task.rep).toBe('erin');
  }, 30_000, 300);

  // A post-sales task (`<customer>-C<n>`) completed twice is refused as a prospect's is:
  // 422, saying it is done; an id of either kind that names no task is 404.
  const taskId = moved.tasks[0].id as string;
  expect(taskId).toBe(`${dora}-C1`);
  await ok('POST', `/api/tasks/${taskId}/complete`, admin, { outcome: 'onboarded' });
  const again = await call(h.url, 'POST', `/api/tasks/${taskId}/complete`, { as: admin, body: { outcome: 'again' } });
  expect([again.status, again.body.detail]).toEqual([422, `task ${taskId} is already done`]);
  for (const missing of [`${dora}-C99`, `nobody-${uniq}-T1`]) {
    const none = await call(h.url, 'POST', `/api/tasks/${missing}/complete`, { as: admin, body: { outcome: 'x' } });
    expect([none.status, none.body.detail]).toEqual([404, `no task "${missing}"`]);
  }
}, 120_000);
