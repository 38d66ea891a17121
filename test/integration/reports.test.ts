import { dumpReadModel } from '../../db/reporting';
import { eventually } from '../helpers/eventually';
import { cliTarget, runCli } from '../helpers/cli';
import { accountFor, call, startServer, type Credentials, type ServerHarness, northSouthProcess, postOk } from '../helpers/server';

/**
 * The reports end to end: a real worker feeds the read model into the server's database as
 * five prospects go down different paths (won, rejected, lost early, an open sent quotation,
 * a superseded revision); every report's numbers are checked exactly, for each role's scope,
 * as JSON, CSV and through the CLI; then `report rebuild` must produce the same rows.
 */

let h: ServerHarness;
let admin: Credentials;
beforeAll(async () => {
  h = await startServer({ reporting: true });
  admin = await accountFor(h, 'root', 'admin');
});
afterAll(async () => {
  await h?.close();
});

const uniq = Date.now().toString(36);
const definition = {
  ...northSouthProcess(`rep-${uniq}`),
  tasks: { contact: [{ kind: 'call', title: 'Call {{name}}', due: '2d', escalateAfter: '1d' }] },
  stageProbabilities: { quotation: 0.5 },
};

const id = (name: string) => `${name}-${uniq}`;

const post = (path: string, body: unknown) => postOk(h.url, admin, path, body);

async function create(name: string, rep: string, source: string): Promise<void> {
  await post('/api/prospects', { id: id(name), name, email: `${name}@customer.test`, rep, source, definition });
}

async function toQuotation(name: string, price: string, validTo?: string): Promise<void> {
  await post(`/api/prospects/${id(name)}/qualify`, { answers: {}, outcome: 'qualified' });
  await post(`/api/prospects/${id(name)}/create-inquiry`, { items: [{ product: 'PUMP', quantity: 1 }] });
  await post(`/api/prospects/${id(name)}/create-quote`, { lines: [{ product: 'PUMP', quantity: 1, unitPrice: price }], ...(validTo ? { validTo } : {}) });
  await post(`/api/prospects/${id(name)}/send-quote`, {});
}

const from = new Date(Date.now() - 86_400_000).toISOString();
const to = new Date(Date.now() + 86_400_000).toISOString();
const thisMonth = new Date().toISOString().slice(0, 7);

async function report(name: string, as: Credentials = admin, extra: Record<string, string> = {}): Promise<any> {
  const q = new URLSearchParams({ from, to, ...extra });
  const r = await call(h.url, 'GET', `/api/reports/${name}?${q}`, { as });
  if (r.status !== 200) throw new Error(`${name}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

test('every report counts exactly what five prospects did, per role, and the rebuild gives the same rows', async () => {
  // amy: visited, quoted 2000.00, accepted (won); her call task done on time.
  await create('amy', 'ravi', 'web');
  await post(`/api/prospects/${id('amy')}/log-contact`, { channel: 'visit', note: 'fair' });
  const amy = (await call(h.url, 'GET', `/api/prospects/${id('amy')}`, { as: admin })).body;
  const task = amy.tasks[0].id as string;
  await eventually(async () => expect((await call(h.url, 'GET', `/api/tasks/${task}`, { as: admin })).status).toBe(200));
  expect((await call(h.url, 'POST', `/api/tasks/${task}/complete`, { as: admin, body: { outcome: 'reached' } })).status).toBeLessThan(300);
  await toQuotation('amy', '2000.00');
  await post(`/api/prospects/${id('amy')}/accept-quote`, {});
  // bob: quoted 500.00, rejected.
  await create('bob', 'ravi', 'web');
  await toQuotation('bob', '500.00');
  await post(`/api/prospects/${id('bob')}/reject-quote`, { reason: 'too expensive' });
  // cid: called in, lost at once (sam, south).
  await create('cid', 'sam', 'fair');
  await post(`/api/prospects/${id('cid')}/log-contact`, { channel: 'call', direction: 'inbound', note: 'asked' });
  await post(`/api/prospects/${id('cid')}/mark-lost`, { reason: 'no budget' });
  // dee: from a campaign, 300.00 sent and open until 2027-03-10.
  await create('dee', 'rita', 'campaign:spring');
  await toQuotation('dee', '300.00', '2027-03-10T12:00:00Z');
  // eve: 350.00 sent, then changed to 400.00: revision 2 (a draft valid to 2027-04-20) supersedes 1.
  await create('eve', 'ravi', 'web');
  await toQuotation('eve', '350.00');
  await post(`/api/prospects/${id('eve')}/change-quote`, { lines: [{ product: 'PUMP', quantity: 1, unitPrice: '400.00' }], validTo: '2027-04-20T12:00:00Z' });

  // The live feed catches up: each prospect's snapshot at its record's version.
  await eventually(async () => {
    for (const name of ['amy', 'bob', 'cid', 'dee', 'eve']) {
      const state = (await call(h.url, 'GET', `/api/prospects/${id(name)}`, { as: admin })).body;
      const row = await h.database.db.selectFrom('report_prospects').select(['version']).where('prospect_id', '=', id(name)).executeTakeFirst();
      expect({ name, version: row?.version }).toEqual({ name, version: (state.archived?.changes ?? 0) + state.changes.length });
    }
    const amyTask = await h.database.db.selectFrom('report_events').select('kind').where('task_id', '=', task).where('kind', '=', 'task_done').execute();
    expect(amyTask).toHaveLength(1);
  }, 30_000);

  const funnel = await report('funnel');
  expect(funnel.stages.map((s: any) => [s.stage, s.entered, s.converted, s.conversion])).toEqual([
    ['contact', 5, 4, 0.8],
    ['qualification', 4, 4, 1],
    ['inquiry', 4, 4, 1],
    ['quotation', 4, 1, 0.25],
    ['won', 1, null, null],
    ['lost', 2, null, null],
  ]);
  expect(funnel.won).toEqual({ count: 1, valueCents: 200_000 });
  expect(funnel.lost).toEqual({ count: 2, valueCents: 50_000 });
  expect(funnel.winRate).toEqual({ byCount: 0.3333, byValue: 0.8 });
  expect(funnel.cycle.count).toBe(3);
  expect(funnel.lostReasons).toEqual([
    { reason: 'no budget', count: 1 },
    { reason: 'quotation rejected: too expensive', count: 1 },
  ]);
  expect(funnel.timeInStage.find((t: any) => t.stage === 'quotation').count).toBe(2);

  const forecast = await report('forecast', admin, { to: '2028-01-01' });
  expect(forecast.months).toEqual([
    { month: thisMonth, category: 'closed', count: 1, valueCents: 200_000, weightedCents: 200_000 },
    { month: '2027-03', category: 'commit', count: 1, valueCents: 30_000, weightedCents: 15_000 },
    { month: '2027-04', category: 'best_case', count: 1, valueCents: 40_000, weightedCents: 20_000 },
  ]);
  expect(forecast.pipeline.find((p: any) => p.stage === 'quotation')).toEqual({ stage: 'quotation', count: 2, valueCents: 70_000, weightedCents: 35_000 });
  expect(forecast.totals).toEqual({ valueCents: 70_000, weightedCents: 35_000, wonCents: 200_000 });
  // Asked without a period, the forecast looks ahead, not back.
  const unbounded = async (name: string) => (await call(h.url, 'GET', `/api/reports/${name}`, { as: admin })).body;
  const today = new Date();
  expect((await unbounded('forecast')).filter.to).toBe(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 6, 1)).toISOString());
  // The others cover the last 90 days with today: to the end of today, from 90 days before it.
  const endOfToday = (Math.floor(Date.now() / 86_400_000) + 1) * 86_400_000;
  expect((await unbounded('funnel')).filter).toEqual({ from: new Date(endOfToday - 90 * 86_400_000).toISOString(), to: new Date(endOfToday).toISOString() });

  const quotes = await report('quotes');
  expect(quotes).toMatchObject({ sent: 4, sentValueCents: 315_000, accepted: 1, acceptedValueCents: 200_000, rejected: 1, rejectedValueCents: 50_000, expired: 0, superseded: 1 });
  expect(quotes.timeToAnswer.count).toBe(2);
  expect(quotes.stale).toEqual({ count: 0, share: 0 });

  const activity = await report('activity');
  const byRep = Object.fromEntries(activity.reps.map((r: any) => [r.rep, r]));
  // Sending a quotation by mail logs an email contact by its sender (the admin acts as root).
  expect(byRep.root.contacts).toEqual({ visit: 1, call: 1, letter: 0, direct_mail: 0, email: 4, web: 0, total: 6 });
  const taskRow = activity.reps.find((r: any) => r.tasksDone > 0);
  expect(taskRow).toMatchObject({ rep: 'ravi', tasksDone: 1, tasksOnTime: 1, slaCompliance: 1, overdue: 0 });
  expect(activity.weeks.reduce((n: number, w: any) => n + w.contacts, 0)).toBe(6);

  const campaigns = await report('campaigns');
  expect(campaigns.campaigns).toEqual([{ campaign: 'spring', mailed: 0, bounced: 0, unsubscribed: 0, replied: 0, leads: 1, converted: 0 }]);

  // Scope: a manager sees their team (north: amy, bob, dee, eve), a rep their own, support nothing.
  const nina = await accountFor(h, 'nina', 'manager', { personId: 'nina', team: 'north' });
  expect((await report('funnel', nina)).stages[0]).toMatchObject({ stage: 'contact', entered: 4 });
  expect((await call(h.url, 'GET', `/api/reports/funnel?team=south`, { as: nina })).status).toBe(403);
  const sam = await accountFor(h, 'sam', 'rep', { personId: 'sam' });
  const samFunnel = await report('funnel', sam);
  expect(samFunnel.filter.rep).toBe('sam');
  expect(samFunnel.lostReasons).toEqual([{ reason: 'no budget', count: 1 }]);
  expect((await call(h.url, 'GET', `/api/reports/funnel?rep=ravi`, { as: sam })).status).toBe(403);
  const desk = await accountFor(h, 'sue', 'support', { personId: 'sue' });
  expect((await call(h.url, 'GET', `/api/reports/quotes`, { as: desk })).status).toBe(403);
  expect((await call(h.url, 'POST', `/api/reports/rebuild`, { as: nina, body: {} })).status).toBe(403);
  // Filters by source and process.
  expect((await report('funnel', admin, { source: 'web' })).stages[0].entered).toBe(3);
  expect((await report('funnel', admin, { process: 'nope' })).stages[0].entered).toBe(0);
  // A bad period is refused with the field named.
  expect((await call(h.url, 'GET', `/api/reports/funnel?from=yesterday`, { as: admin })).status).toBe(400);

  // CSV: the main table.
  const csv = await call(h.url, 'GET', `/api/reports/funnel?${new URLSearchParams({ from, to, format: 'csv' })}`, { as: admin });
  expect(csv.contentType).toMatch(/^text\/csv/);
  const lines = String(csv.body).trim().split('\n');
  expect(lines[0]).toBe('stage,entered,next,converted,conversion,median_days_in_stage,p90_days_in_stage');
  expect(lines[1]).toMatch(/^contact,5,qualification,4,0.8,/);
  // A report with no rows is its header alone, the columns it has with rows.
  const emptyCsv = await call(h.url, 'GET', `/api/reports/campaigns?${new URLSearchParams({ from, to, campaign: `none-${uniq}`, format: 'csv' })}`, { as: admin });
  expect([emptyCsv.status, String(emptyCsv.body)]).toEqual([200, 'campaign,mailed,bounced,unsubscribed,replied,leads,converted\n']);

  // The CLI prints the same numbers as a table, and CSV.
  const target = await cliTarget(h, 'cli-reports', 'admin');
  const table = await runCli(target, ['report', 'funnel', '--from', from, '--to', to]);
  expect(table.code).toBe(0);
  expect(table.stdout).toMatch(/contact\s+5\s+qualification\s+4\s+80\.0%/);
  expect(table.stdout).toMatch(/1 won \(2000\.00\), 2 lost \(500\.00\); win rate 33\.3% by count, 80\.0% by value/);
  // Without dates: 90 days up to and including today, as the dashboard's "Last 90 days"; the
  // heading names the last day, not the exclusive end (tomorrow's date).
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  const defaults = await runCli(target, ['report', 'funnel']);
  expect(defaults.stdout.split('\n')[0]).toBe(`funnel ${day(endOfToday - 90 * 86_400_000)} to ${day(endOfToday - 86_400_000)} (UTC days)`);
  const forecastCsv = await runCli(target, ['report', 'forecast', '--from', from, '--to', '2028-01-01', '--csv']);
  expect(forecastCsv.stdout.trim().split('\n')).toEqual(['month,category,prospects,value,weighted', `${thisMonth},closed,1,2000.00,2000.00`, '2027-03,commit,1,300.00,150.00', '2027-04,best_case,1,400.00,200.00']);
  const emptyCliCsv = await runCli(target, ['report', 'campaigns', '--from', from, '--to', to, '--campaign', `none-${uniq}`, '--csv']);
  expect(emptyCliCsv).toMatchObject({ code: 0, stdout: 'campaign,mailed,bounced,unsubscribed,replied,leads,converted\n' });

  // The rebuild from the workflows gives exactly the rows the live feed wrote.
  const live = await dumpReadModel(h.database.db);
  expect(live.prospects).toHaveLength(5);
  expect(live.daily.length).toBeGreaterThan(20);
  const rebuilt = await runCli(target, ['report', 'rebuild', '--json']);
  expect(rebuilt.code).toBe(0);
  expect(JSON.parse(rebuilt.stdout)).toMatchObject({ prospects: 5, events: live.events.length });
  expect(await dumpReadModel(h.database.db)).toEqual(live);
}, 120_000);

test("the dashboard's filter choices are the read model's teams, reps, sources, campaigns and processes, within the caller's scope", async () => {
  // After the test above: ravi and rita (north), sam (south); amy's account owned by ravi.
  const dims = async (as: Credentials) => {
    const r = await call(h.url, 'GET', '/api/reports/dimensions', { as });
    expect(r.status).toBe(200);
    return r.body as { teams: { name: string; reps: string[] }[]; sources: string[]; campaigns: string[]; processes: string[] };
  };
  // The process is given inline, never published: it is a choice all the same.
  const processes = [definition.name];
  expect(await dims(admin)).toEqual({
    teams: [
      { name: 'north', reps: ['ravi', 'rita'] },
      { name: 'south', reps: ['sam'] },
    ],
    sources: ['campaign:spring', 'fair', 'web'],
    campaigns: ['spring'],
    processes,
  });
  // A manager: their team's; a rep: their own.
  const manager = await accountFor(h, 'nina-dims', 'manager', { personId: 'nina', team: 'north' });
  expect(await dims(manager)).toEqual({ teams: [{ name: 'north', reps: ['ravi', 'rita'] }], sources: ['campaign:spring', 'web'], campaigns: ['spring'], processes });
  const rep = await accountFor(h, 'sam-dims', 'rep', { personId: 'sam' });
  expect(await dims(rep)).toEqual({ teams: [{ name: 'south', reps: ['sam'] }], sources: ['fair'], campaigns: [], processes });
  // Who reads no reports reads no choices either.
  const desk = await accountFor(h, 'sue-dims', 'support', { personId: 'sue' });
  expect((await call(h.url, 'GET', '/api/reports/dimensions', { as: desk })).status).toBe(403);
});
