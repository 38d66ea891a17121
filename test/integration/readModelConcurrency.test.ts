import { dumpReadModel, rebuildDaily, writeProjections } from '../../db/reporting';
import { newProspect, runCommand } from '../../domain/pipeline/lifecycle';
import { DEFAULT_PROCESS_INPUT } from '../../domain/process/process';
import { projectProspect } from '../../domain/reporting/projection';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { sql } from 'kysely';
import { GroupWriter } from '../../worker/readModelSink';
import { openDatabase } from '../../db/database';
import { writeCustomerProjections } from '../../db/postsalesReport';

/**
 * Many prospects of one rep moving through the same stages on the same day all change the
 * same `report_daily` cells. Their batches, written at once the way concurrent workflows'
 * read-model feeds write them, must all succeed (no deadlock between two batches' cell
 * updates) and leave `report_daily` equal to what the rebuild computes from the rows.
 */

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
});
afterAll(async () => {
  await t?.drop();
});

test('concurrent batches over shared daily cells neither deadlock nor miscount', async () => {
  const now = new Date().toISOString();
  const steps: [Parameters<typeof runCommand>[0], unknown][] = [
    ['logContact', { channel: 'call', by: 'alice' }],
    ['qualify', { outcome: 'qualified', by: 'alice' }],
    ['createInquiry', { items: [{ product: 'PUMP', quantity: 1 }], by: 'alice' }],
    ['createQuote', { lines: [{ product: 'PUMP', quantity: 1, unitPrice: '100' }], by: 'alice' }],
  ];
  await Promise.all(
    Array.from({ length: 16 }, async (_, k) => {
      let state = newProspect({ id: `cc-${k}`, name: `P ${k}`, email: `p${k}@x.test`, rep: 'alice' }, DEFAULT_PROCESS_INPUT, now);
      await writeProjections(t.db, [projectProspect(state)]);
      for (const [name, args] of steps) {
        state = runCommand(name, state, args, now);
        await writeProjections(t.db, [projectProspect(state)]);
      }
    }),
  );
  const live = (await dumpReadModel(t.db)).daily;
  const open = live.find((row) => (row as { metric: string; key: string }).metric === 'open' && (row as { key: string }).key === 'quotation') as { n: string } | undefined;
  expect(open?.n).toBe('16');
  await rebuildDaily(t.db);
  expect((await dumpReadModel(t.db)).daily).toEqual(live);
});

test('a later write of the same record version replaces what a task wrote and did not commit', async () => {
  const now = new Date().toISOString();
  const start = newProspect({ id: 'phantom', name: 'Pia Phantom', email: 'pia@x.test', rep: 'alice' }, DEFAULT_PROCESS_INPUT, now);
  await writeProjections(t.db, [projectProspect(start)]);
  // A task logged a call and wrote it, then its worker died before the task was committed;
  // the task ran again and what it applied was a visit (the same version and sequence).
  const phantom = runCommand('logContact', start, { channel: 'call', by: 'alice' }, now);
  await writeProjections(t.db, [projectProspect(phantom)]);
  const real = runCommand('logContact', start, { channel: 'visit', by: 'alice' }, now);
  await writeProjections(t.db, [projectProspect(real)]);
  const dump = await dumpReadModel(t.db);
  const contacts = dump.events.filter((e) => (e as { workflow_id: string; kind: string }).workflow_id === projectProspect(real).workflowId && (e as { kind: string }).kind === 'contact');
  expect(contacts.map((e) => (e as { channel: string }).channel)).toEqual(['visit']);
  const live = dump.daily;
  await rebuildDaily(t.db);
  expect((await dumpReadModel(t.db)).daily).toEqual(live);
});

test('a prospect whose share of the daily cells is not stored for its version has it computed from its rows', async () => {
  const now = new Date().toISOString();
  let state = newProspect({ id: 'unstored', name: 'Uma Unstored', email: 'uma@x.test', rep: 'carol' }, DEFAULT_PROCESS_INPUT, now);
  const workflowId = projectProspect(state).workflowId;
  const steps: [Parameters<typeof runCommand>[0], unknown][] = [
    ['logContact', { channel: 'call', by: 'carol' }],
    ['qualify', { outcome: 'qualified', by: 'carol' }],
    ['createInquiry', { items: [{ product: 'PUMP', quantity: 1 }], by: 'carol' }],
    ['createQuote', { lines: [{ product: 'PUMP', quantity: 2, unitPrice: '99.95' }], by: 'carol' }],
  ];
  // Each write finds the share in a state the live feed alone never leaves it in.
  const tamper = [
    // Written before report_prospect_daily existed: no share stored.
    () => t.db.deleteFrom('report_prospect_daily').where('workflow_id', '=', workflowId).execute(),
    // An older worker moved the row on and left the share at the version before.
    () => t.db.updateTable('report_prospect_daily').set((eb) => ({ version: eb('version', '-', 1) })).where('workflow_id', '=', workflowId).execute(),
  ];
  await writeProjections(t.db, [projectProspect(state)]);
  for (const [k, [name, args]] of steps.entries()) {
    state = runCommand(name, state, args, now);
    await tamper[k % tamper.length]!();
    await writeProjections(t.db, [projectProspect(state)]);
  }
  const live = (await dumpReadModel(t.db)).daily;
  const quoted = live.find((row) => (row as { metric: string; key: string }).metric === 'open' && (row as { key: string }).key === 'quotation' && (row as { rep: string }).rep === 'carol') as { value: string } | undefined;
  expect(Number(quoted?.value)).toBeGreaterThanOrEqual(199.9);
  // Its stored share is its cells of the table (the only prospect of carol's); and the rebuild computes the same.
  const summed = await sql<{ metric: string; n: string }>`
    select c.metric, c.day, c.key, c.actor, c.rep, c.team, c.process, c.source, c.campaign, sum(c.n)::bigint as n, sum(c.value)::numeric(30, 6) as value, sum(c.weighted)::numeric(30, 6) as weighted
    from report_prospect_daily d cross join jsonb_to_recordset(d.cells) as c(metric text, day date, key text, actor text, rep text, team text, process text, source text, campaign text, n bigint, value numeric, weighted numeric)
    where d.workflow_id = ${workflowId}
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9 having sum(c.n) <> 0 order by 1, 2, 3, 4, 5, 6, 7, 8, 9`.execute(t.db);
  expect(summed.rows.length).toBeGreaterThan(3);
  expect(summed.rows).toEqual(live.filter((row) => (row as { rep: string }).rep === 'carol'));
  await rebuildDaily(t.db);
  expect((await dumpReadModel(t.db)).daily).toEqual(live);
});

test('a group write that never returns does not hold up the writes queued behind it', async () => {
  const now = new Date().toISOString();
  const state = newProspect({ id: 'behind', name: 'Ben Behind', email: 'ben@x.test', rep: 'alice' }, DEFAULT_PROCESS_INPUT, now);
  let first = true;
  // The first transaction hangs (a query on a connection that never answers, played by a long sleep).
  const writer = new GroupWriter<ReturnType<typeof projectProspect>>(async (batches) => {
    if (first) {
      first = false;
      await sql`select pg_sleep(20)`.execute(t.db);
      return;
    }
    await writeProjections(t.db, batches);
  }, 300);
  const stuck = writer.submit(projectProspect(state));
  // Queued once the first transaction has begun (not in its group).
  await new Promise((resolve) => setTimeout(resolve, 50));
  const behind = writer.submit(projectProspect(state));
  await expect(stuck).rejects.toThrow('took longer than 300 ms');
  const started = Date.now();
  await behind;
  expect(Date.now() - started).toBeLessThan(5_000);
  const row = await t.db.selectFrom('report_prospects').select('version').where('workflow_id', '=', projectProspect(state).workflowId).executeTakeFirst();
  expect(row?.version).toBe(projectProspect(state).snapshot.version);
});

test('writes submitted at the same moment share one transaction; one arriving while it runs goes in the next', async () => {
  const groups: number[] = [];
  const writer = new GroupWriter<number>(async (items) => {
    groups.push(items.length);
    await new Promise((resolve) => setTimeout(resolve, 30));
  });
  const first = [writer.submit(1), writer.submit(2), writer.submit(3)];
  await new Promise((resolve) => setTimeout(resolve, 10));
  const later = writer.submit(4);
  await Promise.all([...first, later]);
  expect(groups).toEqual([3, 1]);
});

test('account projections written as a group: the newest of each account stands, whatever their order', async () => {
  const base = { owner: 'alice', team: 'north', process: 'default', activeContracts: 0, recurringCents: 0, annualRecurringCents: 0, lostRevenueCents: 0 };
  const projection = (customerId: string, version: number) => ({ workflowId: `customer-${customerId}`, snapshot: { ...base, customerId, version }, events: [] });
  await writeCustomerProjections(t.db, [projection('grp-b', 3), projection('grp-a', 2), projection('grp-b', 5), projection('grp-b', 4)]);
  const rows = await t.db.selectFrom('report_customers').select(['workflow_id', 'version']).where('workflow_id', 'in', ['customer-grp-a', 'customer-grp-b']).orderBy('workflow_id').execute();
  expect(rows).toEqual([
    { workflow_id: 'customer-grp-a', version: 2 },
    { workflow_id: 'customer-grp-b', version: 5 },
  ]);
  // An older one later changes nothing.
  await writeCustomerProjections(t.db, [projection('grp-b', 1)]);
  expect((await t.db.selectFrom('report_customers').select('version').where('workflow_id', '=', 'customer-grp-b').executeTakeFirstOrThrow()).version).toBe(5);
});

test('an account write changes only the events that changed, and drops those its projection no longer holds', async () => {
  const base = { customerId: 'inc', owner: 'alice', team: 'north', process: 'default', activeContracts: 1, recurringCents: 100, annualRecurringCents: 1200, lostRevenueCents: 0 };
  const event = (key: string, valueCents: number) => ({ key, kind: 'term_due' as const, at: '2026-12-01T00:00:00.000Z', contractId: 'k1', valueCents });
  const workflowId = 'customer-inc';
  const events = async () =>
    (
      await sql<{ key: string; value_cents: string; xmin: string }>`select key, value_cents, xmin::text from report_customer_events where workflow_id = ${workflowId} order by key`.execute(t.db)
    ).rows;
  await writeCustomerProjections(t.db, [{ workflowId, snapshot: { ...base, version: 1 }, events: [event('due:k1:1', 100), event('due:k1:2', 100), event('due:k1:3', 100)] }]);
  const first = await events();
  await writeCustomerProjections(t.db, [{ workflowId, snapshot: { ...base, version: 2, recurringCents: 250 }, events: [event('due:k1:1', 100), event('due:k1:2', 250), event('due:k1:4', 250)] }]);
  const second = await events();
  expect(second.map((e) => [e.key, e.value_cents])).toEqual([
    ['due:k1:1', '100'],
    ['due:k1:2', '250'],
    ['due:k1:4', '250'],
  ]);
  // The unchanged event's row was not written again.
  expect(second[0]!.xmin).toBe(first[0]!.xmin);
  expect(second[1]!.xmin).not.toBe(first[1]!.xmin);
  expect((await t.db.selectFrom('report_customers').select(['version', 'recurring_cents']).where('workflow_id', '=', workflowId).executeTakeFirstOrThrow())).toEqual({ version: 2, recurring_cents: '250' });
  // No events left: none stay.
  await writeCustomerProjections(t.db, [{ workflowId, snapshot: { ...base, version: 3 }, events: [] }]);
  expect(await events()).toEqual([]);
});

test('a write\'s statements are prepared once per connection and reused', async () => {
  // One connection, so the prepared statements seen are the ones the writes used.
  const db = openDatabase(t.url, { maxConnections: 1 });
  try {
    const entered = async () =>
      Number((await sql<{ n: string }>`select coalesce(sum(n), 0) as n from report_daily where metric = 'entered' and key = 'qualification'`.execute(db)).rows[0]!.n);
    const before = await entered();
    const now = new Date().toISOString();
    let state = newProspect({ id: 'prep-1', name: 'Pia Prepared', email: 'pia@x.test', rep: 'alice' }, DEFAULT_PROCESS_INPUT, now);
    await writeProjections(db, [projectProspect(state)]);
    state = runCommand('qualify', state, { outcome: 'qualified', by: 'alice' }, now);
    await writeProjections(db, [projectProspect(state)]);
    const { rows } = await sql<{ name: string }>`select name from pg_prepared_statements order by name`.execute(db);
    const names = rows.map((r) => r.name.replace(/_[0-9a-f]{12}$/, ''));
    // Each once, though written twice: the second write reused them.
    expect(names).toEqual(['report_daily_apply', 'report_daily_prune', 'report_daily_unstored', 'report_events_put', 'report_lock', 'report_prospects_put']);
    // And they still count right: one more prospect entered qualification.
    expect(await entered()).toBe(before + 1);
  } finally {
    await db.destroy();
  }
});
