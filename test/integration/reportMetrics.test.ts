import { activityReport, campaignsReport, dumpReadModel, forecastReport, funnelReport, quotesReport, rebuildDaily, recordCampaignOutcome, writeProjections } from '../../db/reporting';
import type { ProspectSnapshot, ReportEvent } from '../../domain/reporting/projection';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { dumpCustomerReadModel, postsalesReport, replaceCustomerProjections, writeCustomerProjections } from '../../db/postsalesReport';
import type { CustomerProjection, CustomerReportEvent } from '../../domain/reporting/postsales';

/**
 * Each metric on hand-built event sets in a real PostgreSQL (the reports are SQL): a
 * prospect reopened after it was lost, a superseded revision, a task escalated twice, and
 * events on the period's boundaries.
 */

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
});
afterAll(async () => {
  await t?.drop();
});

const DAY = 86_400_000;
const at = (day: number, hour = 12) => new Date(Date.UTC(2026, 0, day, hour)).toISOString();
const period = { from: at(1, 0), to: at(31, 0) };

function snapshot(id: string, s: Partial<ProspectSnapshot>): ProspectSnapshot {
  return {
    prospectId: id,
    version: 1,
    rep: 'ravi',
    team: 'north',
    process: 'std',
    processVersion: 1,
    source: 'web',
    campaign: null,
    stage: 'contact',
    createdAt: at(2),
    closedAt: null,
    valueCents: 0,
    currency: 'EUR',
    probability: 0.05,
    expectedClose: null,
    category: 'pipeline',
    lostReason: null,
    stageMs: {},
    reached: ['contact'],
    ...s,
  };
}

async function write(id: string, s: Partial<ProspectSnapshot>, events: ReportEvent[]): Promise<void> {
  await writeProjections(t.db, [{ workflowId: `prospect-${id}`, snapshot: snapshot(id, s), events }]);
}

beforeAll(async () => {
  // reo: lost on day 4, reopened into qualification on day 6, then won on day 12 for 1,200.00.
  await write(
    'reo',
    {
      stage: 'won',
      closedAt: at(12),
      valueCents: 120_000,
      probability: 1,
      expectedClose: at(12),
      category: 'closed',
      reached: ['contact', 'qualification', 'lost', 'inquiry', 'quotation', 'won'],
      stageMs: { contact: DAY, qualification: 2 * DAY, inquiry: 2 * DAY, quotation: 4 * DAY },
    },
    [
      { seq: 0, at: at(2), kind: 'stage', stage: 'contact' },
      { seq: 1, at: at(3), kind: 'stage', stage: 'qualification' },
      { seq: 2, at: at(4), kind: 'stage', stage: 'lost', reason: 'timing' },
      { seq: 3, at: at(6), kind: 'stage', stage: 'qualification' },
      { seq: 4, at: at(6), kind: 'stage', stage: 'inquiry' },
      { seq: 5, at: at(8), kind: 'stage', stage: 'quotation' },
      { seq: 6, at: at(12), kind: 'stage', stage: 'won', valueCents: 120_000 },
      // Revision 1 (1,000.00) is superseded by revision 2 (1,200.00), which is accepted.
      { seq: 300_000_012, at: at(8), kind: 'quote_sent', quoteRevision: 1, valueCents: 100_000 },
      { seq: 300_000_014, at: at(9), kind: 'quote_superseded', quoteRevision: 1 },
      { seq: 300_000_022, at: at(10), kind: 'quote_sent', quoteRevision: 2, valueCents: 120_000 },
      { seq: 200_000_000, at: at(11), kind: 'quote_reminder', quoteRevision: 2, rep: 'ravi' },
      { seq: 300_000_023, at: at(12), kind: 'quote_accepted', quoteRevision: 2, valueCents: 120_000, ms: 2 * DAY },
    ],
  );
  // esc: a task overdue once and escalated twice (after a reassignment), then done late; lost by day 20.
  await write(
    'esc',
    { stage: 'lost', closedAt: at(20), lostReason: 'no budget', probability: 0, category: null, reached: ['contact', 'lost'], stageMs: { contact: 18 * DAY } },
    [
      { seq: 0, at: at(2), kind: 'stage', stage: 'contact' },
      { seq: 1, at: at(20), kind: 'stage', stage: 'lost', reason: 'no budget' },
      { seq: 100_000_000, at: at(3), kind: 'contact', rep: 'ravi', channel: 'call', direction: 'outbound' },
      { seq: 100_000_001, at: at(4), kind: 'contact', rep: 'campaign:spring', channel: 'email', direction: 'outbound', campaign: 'spring' },
      { seq: 100_000_002, at: at(5), kind: 'contact', rep: 'ravi', channel: 'email', direction: 'inbound' },
      { seq: 400_000_011, at: at(2), kind: 'task_created', taskId: 'esc-T1', taskKind: 'call' },
      { seq: 200_000_000, at: at(5), kind: 'task_overdue', taskId: 'esc-T1', rep: 'ravi' },
      { seq: 200_000_001, at: at(6), kind: 'task_escalated', taskId: 'esc-T1', rep: 'nina' },
      { seq: 200_000_002, at: at(8), kind: 'task_escalated', taskId: 'esc-T1', rep: 'nina' },
      { seq: 400_000_012, at: at(9), kind: 'task_done', taskId: 'esc-T1', taskKind: 'call', rep: 'ravi', onTime: false },
    ],
  );
  // edge: events exactly on the boundaries: entering at `from` counts, at `to` does not.
  await write(
    'edge',
    { rep: 'sam', team: 'south', source: 'campaign:spring', campaign: 'spring', createdAt: period.from, stage: 'quotation', probability: 0.6, valueCents: 50_000, expectedClose: period.to, category: 'commit', reached: ['contact', 'qualification', 'inquiry', 'quotation'] },
    [
      { seq: 0, at: period.from, kind: 'stage', stage: 'contact' },
      { seq: 1, at: period.to, kind: 'stage', stage: 'qualification' },
      { seq: 100_000_000, at: period.to, kind: 'contact', rep: 'sam', channel: 'visit', direction: 'outbound' },
      { seq: 400_000_012, at: period.from, kind: 'task_done', taskId: 'edge-T1', taskKind: 'call', rep: 'sam', onTime: true },
    ],
  );
});

test('funnel: a reopened prospect enters a stage once and counts as won, not lost; boundaries are half-open', async () => {
  const r = await funnelReport(t.db, period);
  const entered = Object.fromEntries(r.stages.map((s) => [s.stage, [s.entered, s.converted]]));
  expect(entered).toEqual({
    contact: [3, 2], // reo, esc, edge (at `from`); reo and edge went on to qualification
    qualification: [1, 1], // reo only (entered twice); edge's entry at `to` is outside
    inquiry: [1, 1],
    quotation: [1, 1],
    won: [1, null],
    lost: [2, null], // reo's first close and esc
  });
  expect(r.won).toEqual({ count: 1, valueCents: 120_000 });
  expect(r.lost).toEqual({ count: 1, valueCents: 0 });
  expect(r.winRate).toEqual({ byCount: 0.5, byValue: 1 });
  // The reopened prospect's reason for its first loss is not a lost reason: it was won.
  expect(r.lostReasons).toEqual([{ reason: 'no budget', count: 1 }]);
  expect(r.cycle).toMatchObject({ count: 2, minMs: 10 * DAY, maxMs: 18 * DAY, medianMs: 14 * DAY, avgMs: 14 * DAY });
  expect(r.timeInStage.find((s) => s.stage === 'contact')).toMatchObject({ count: 2, minMs: DAY, maxMs: 18 * DAY, medianMs: 9.5 * DAY });
  expect(r.timeInStage.find((s) => s.stage === 'quotation')).toMatchObject({ count: 1, medianMs: 4 * DAY, p90Ms: 4 * DAY });
  // Filters: team south is the boundary prospect only.
  expect((await funnelReport(t.db, { ...period, team: 'south' })).stages[0]).toMatchObject({ stage: 'contact', entered: 1 });
});

test('quotes: a superseded revision is sent and superseded, never answered; the accepted value is the new one', async () => {
  const r = await quotesReport(t.db, period);
  expect(r).toMatchObject({ sent: 2, sentValueCents: 220_000, accepted: 1, acceptedValueCents: 120_000, rejected: 0, expired: 0, superseded: 1 });
  expect(r.timeToAnswer).toMatchObject({ count: 1, medianMs: 2 * DAY });
  expect(r.stale).toEqual({ count: 1, share: 0.5 });
  expect(r.escalated).toEqual({ count: 0, share: 0 });
});

test('activity: a task escalated twice counts once, for the rep it was overdue with; campaign mails are not a rep\'s', async () => {
  const r = await activityReport(t.db, period);
  expect(r.reps).toEqual([
    { rep: 'ravi', contacts: { visit: 0, call: 1, letter: 0, direct_mail: 0, email: 1, web: 0, total: 2 }, tasksDone: 1, tasksOnTime: 0, slaCompliance: 0, overdue: 1, escalated: 1 },
    // sam's visit at `to` is outside; the task done at `from` is inside.
    { rep: 'sam', contacts: { visit: 0, call: 0, letter: 0, direct_mail: 0, email: 0, web: 0, total: 0 }, tasksDone: 1, tasksOnTime: 1, slaCompliance: 1, overdue: 0, escalated: 0 },
  ]);
  expect(r.weeks.reduce((n, w) => n + w.contacts, 0)).toBe(2);
  expect((await activityReport(t.db, { ...period, rep: 'sam' })).reps.map((x) => x.rep)).toEqual(['sam']);
});

// February, apart from the prospects above.
const feb = (day: number) => new Date(Date.UTC(2026, 1, day, 12)).toISOString();
const february = { from: new Date(Date.UTC(2026, 1, 1)).toISOString(), to: new Date(Date.UTC(2026, 2, 1)).toISOString() };
const account = (events: CustomerReportEvent[], version: number): CustomerProjection => ({
  workflowId: 'customer-hooli',
  snapshot: { customerId: 'hooli', owner: 'ravi', team: 'north', process: 'std', version, activeContracts: 0, recurringCents: 0, annualRecurringCents: 0, lostRevenueCents: 0 },
  events,
});
const events: CustomerReportEvent[] = [
  { key: 'task-done:hooli-C1', kind: 'task_done', at: feb(3), valueCents: 0, actor: 'ravi', detail: 'on_time' },
  { key: 'task-done:hooli-C2', kind: 'task_done', at: feb(4), valueCents: 0, actor: 'tina', detail: 'late' },
  { key: 'task-overdue:hooli-C2:tina', kind: 'task_overdue', at: feb(2), valueCents: 0, actor: 'tina' },
  { key: 'task-escalated:hooli-C2:tina', kind: 'task_escalated', at: feb(3), valueCents: 0, actor: 'tina' },
  { key: 'due:hooli-K1:1', kind: 'term_due', at: feb(5), contractId: 'hooli-K1', valueCents: 10_000 },
];
/** The same account later: the late task counted on time after all. */
const onTime = events.map((e) => (e.key === 'task-done:hooli-C2' ? { ...e, detail: 'on_time' as const } : e));

test("activity: customer accounts' tasks count for their reps beside the pipeline's; accounts have no source", async () => {
  await writeCustomerProjections(t.db, [account(events, 1)]);
  const r = await activityReport(t.db, february);
  const none = { visit: 0, call: 0, letter: 0, direct_mail: 0, email: 0, web: 0, total: 0 };
  expect(r.reps).toEqual([
    { rep: 'ravi', contacts: none, tasksDone: 1, tasksOnTime: 1, slaCompliance: 1, overdue: 0, escalated: 0 },
    { rep: 'tina', contacts: none, tasksDone: 1, tasksOnTime: 0, slaCompliance: 0, overdue: 1, escalated: 1 },
  ]);
  expect(r.weeks.reduce((n, w) => n + w.tasksDone, 0)).toBe(2);
  expect((await activityReport(t.db, { ...february, rep: 'tina' })).reps.map((x) => x.rep)).toEqual(['tina']);
  // ravi owns a north account; tina has neither a north prospect nor a north account.
  expect((await activityReport(t.db, { ...february, team: 'north' })).reps.map((x) => x.rep)).toEqual(['ravi']);
  expect((await activityReport(t.db, { ...february, source: 'web' })).reps).toEqual([]);
  expect((await activityReport(t.db, { ...february, process: 'other' })).reps).toEqual([]);
  // Done on time after all (a later version of the account): the row is rewritten.
  await writeCustomerProjections(t.db, [account(onTime, 2)]);
  expect((await activityReport(t.db, { ...february, rep: 'tina' })).reps[0]).toMatchObject({ tasksDone: 1, tasksOnTime: 1 });
  // The post-sales report still counts its own kinds only.
  expect((await postsalesReport(t.db, february)).renewals.due).toEqual({ count: 1, valueCents: 10_000 });
  // And January's activity is as before.
  expect((await activityReport(t.db, period)).reps.map((x) => [x.rep, x.tasksDone])).toEqual([['ravi', 1], ['sam', 1]]);
});

test("activity: the contacts logged with an account count by channel for whoever logged them, added to their prospects' contacts", async () => {
  const march = { from: new Date(Date.UTC(2026, 2, 1)).toISOString(), to: new Date(Date.UTC(2026, 3, 1)).toISOString() };
  const mar = (day: number) => new Date(Date.UTC(2026, 2, day, 12)).toISOString();
  // ravi's call with a prospect and with the account on one day: one channel, two rows, one count.
  await write('pcall', { createdAt: mar(2), version: 1 }, [{ seq: 1_000_000, at: mar(3), kind: 'contact', rep: 'ravi', channel: 'call', direction: 'outbound' }]);
  const contacts: CustomerReportEvent[] = [
    { key: 'contact:0', kind: 'contact', at: mar(3), valueCents: 0, actor: 'ravi', detail: 'call' },
    { key: 'contact:1', kind: 'contact', at: mar(4), valueCents: 0, actor: 'ravi', detail: 'visit' },
    // Logged by a colleague on the owner's account: the colleague's contact.
    { key: 'contact:2', kind: 'contact', at: mar(5), valueCents: 0, actor: 'tina', detail: 'email' },
  ];
  await writeCustomerProjections(t.db, [{ ...account([], 3), workflowId: 'customer-initech', snapshot: { ...account([], 3).snapshot, customerId: 'initech' }, events: contacts }]);
  const r = await activityReport(t.db, march);
  const none = { visit: 0, call: 0, letter: 0, direct_mail: 0, email: 0, web: 0, total: 0 };
  expect(r.reps).toEqual([
    { rep: 'ravi', contacts: { ...none, call: 2, visit: 1, total: 3 }, tasksDone: 0, tasksOnTime: 0, slaCompliance: null, overdue: 0, escalated: 0 },
    { rep: 'tina', contacts: { ...none, email: 1, total: 1 }, tasksDone: 0, tasksOnTime: 0, slaCompliance: null, overdue: 0, escalated: 0 },
  ]);
  expect(r.weeks.reduce((n, w) => n + w.contacts, 0)).toBe(4);
  // The account's window dropped contact 0 (archived): its row and count stay.
  await writeCustomerProjections(t.db, [{ ...account([], 4), workflowId: 'customer-initech', snapshot: { ...account([], 4).snapshot, customerId: 'initech' }, events: contacts.slice(1) }]);
  expect((await activityReport(t.db, { ...march, rep: 'ravi' })).reps[0]!.contacts).toEqual({ ...none, call: 2, visit: 1, total: 3 });
  // Accounts have no source: a source filter leaves their contacts out, the prospect's call stays.
  expect((await activityReport(t.db, { ...march, source: 'web' })).reps.map((x) => [x.rep, x.contacts.total])).toEqual([['ravi', 1]]);
});

test('forecast: an open quotation weighted in its close month only while the close is inside the period', async () => {
  const inside = await forecastReport(t.db, { from: period.from, to: at(31, 1) });
  expect(inside.months).toEqual([
    { month: '2026-01', category: 'closed', count: 1, valueCents: 120_000, weightedCents: 120_000 },
    { month: '2026-01', category: 'commit', count: 1, valueCents: 50_000, weightedCents: 30_000 },
  ]);
  const outside = await forecastReport(t.db, period);
  expect(outside.months.map((m) => m.category)).toEqual(['closed']);
  expect(outside.pipeline.find((p) => p.stage === 'quotation')).toEqual({ stage: 'quotation', count: 1, valueCents: 50_000, weightedCents: 30_000 });
});

test('campaigns: mails, bounces and unsubscribes (each once per run and address), the reply after them, and the leads created', async () => {
  const run = 'campaign-spring';
  await recordCampaignOutcome(t.db, { run, email: 'gone@x.test', outcome: 'bounced', campaign: 'spring', at: new Date(at(4)) });
  // The activity retried after a crash records the same bounce again: still one.
  await recordCampaignOutcome(t.db, { run, email: 'gone@x.test', outcome: 'bounced', campaign: 'spring', at: new Date(at(5)) });
  await recordCampaignOutcome(t.db, { run, email: 'bye@x.test', outcome: 'unsubscribed', campaign: 'spring', at: new Date(at(6)) });
  await recordCampaignOutcome(t.db, { run, email: 'bye@x.test', outcome: 'unsubscribed', campaign: 'spring', at: new Date(at(7)) });
  // At `to`: outside the period.
  await recordCampaignOutcome(t.db, { run, email: 'late@x.test', outcome: 'unsubscribed', campaign: 'spring', at: new Date(period.to) });
  const r = await campaignsReport(t.db, period);
  expect(r.campaigns).toEqual([{ campaign: 'spring', mailed: 1, bounced: 1, unsubscribed: 1, replied: 1, leads: 1, converted: 0 }]);
  expect((await campaignsReport(t.db, { ...period, campaign: 'autumn' })).campaigns).toEqual([]);
});

test('a batch written twice, or an older batch after a newer one, changes nothing', async () => {
  const before = await funnelReport(t.db, period);
  await write('esc', { version: 0, stage: 'contact', closedAt: null }, [{ seq: 0, at: at(2), kind: 'stage', stage: 'contact' }]);
  expect(await funnelReport(t.db, period)).toEqual(before);
});

test('the per-day pre-aggregates the batches maintained equal those recomputed from the rows', async () => {
  // Move a prospect on (its old contributions must leave the days they were in).
  await write(
    'edge',
    { version: 2, rep: 'sam', team: 'south', source: 'campaign:spring', campaign: 'spring', createdAt: period.from, stage: 'won', closedAt: at(25), probability: 1, valueCents: 50_000, expectedClose: at(25), category: 'closed', reached: ['contact', 'qualification', 'inquiry', 'quotation', 'won'] },
    [{ seq: 2, at: at(25), kind: 'stage', stage: 'won', valueCents: 50_000 }],
  );
  const live = (await dumpReadModel(t.db)).daily;
  expect(live.length).toBeGreaterThan(10);
  await t.db.transaction().execute((tx) => rebuildDaily(tx));
  expect((await dumpReadModel(t.db)).daily).toEqual(live);
  expect((await forecastReport(t.db, period)).pipeline.find((p) => p.stage === 'quotation')).toEqual({ stage: 'quotation', count: 0, valueCents: 0, weightedCents: 0 });
});

test("a rebuild of the accounts replaces their cells of report_daily, not the prospects'", async () => {
  const live = (await dumpReadModel(t.db)).daily as { key: string; metric: string }[];
  const accounts = (c: { key: string; metric: string }) => c.key === 'account' || c.metric === 'account_contact';
  expect(live.filter(accounts).map((c) => `${c.metric}:${c.key}`).sort()).toEqual([
    'account_contact:call',
    'account_contact:email',
    'account_contact:visit',
    'task_done:account',
    'task_done:account',
    'task_escalated:account',
    'task_on_time:account',
    'task_on_time:account',
    'task_overdue:account',
  ]);
  const initech = (await dumpCustomerReadModel(t.db)).events.filter((e) => (e as { workflow_id: string }).workflow_id === 'customer-initech') as CustomerReportEvent[];
  const initechNow: CustomerProjection = { workflowId: 'customer-initech', snapshot: { ...account([], 4).snapshot, customerId: 'initech' }, events: storedAsEvents(initech) };
  await replaceCustomerProjections(t.db, [account(onTime, 2), initechNow]);
  expect((await dumpReadModel(t.db)).daily).toEqual(live);
  await replaceCustomerProjections(t.db, []);
  expect((await dumpReadModel(t.db)).daily).toEqual(live.filter((c) => !accounts(c)));
});

/** The stored contact rows of an account as projection events (what a rebuild would hand back had the window kept them). */
function storedAsEvents(rows: CustomerReportEvent[]): CustomerReportEvent[] {
  return rows.map((r) => {
    const row = r as unknown as { key: string; kind: 'contact'; at: Date; actor: string; detail: 'call' };
    return { key: row.key, kind: row.kind, at: new Date(row.at).toISOString(), valueCents: 0, actor: row.actor, detail: row.detail };
  });
}
