import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { eventually } from '../helpers/eventually';
import { call, login, PASSWORD, type Credentials, NORTH_SOUTH_TEAMS } from '../helpers/server';
import { personLogsIn, screenshot, startWebStack, type WebStack } from './webHarness';

/**
 * The manager's dashboard against the real stack: prospects driven over the API to different
 * ends (won, rejected, lost early, an open sent quotation, one still in inquiry) feed the read
 * model through the worker; the dashboard draws each chart, and each chart's numbers table
 * shows exactly what the API answers for the same query (the card names it in data-query).
 */

let stack: WebStack;
const uniq = Date.now().toString(36);
const id = (name: string) => `${name}-${uniq}`;
const definition = {
  name: `dash-${uniq}`,
  version: 1,
  teams: NORTH_SOUTH_TEAMS,
  quotePolicy: { validity: '30d', staleAfter: '3d', escalateAfter: '7d' },
  tasks: { contact: [{ kind: 'call', title: 'Call {{name}}', due: '2d', escalateAfter: '1d' }] },
  stageProbabilities: { quotation: 0.5 },
};
// The open quotation is valid for about six weeks: it is forecast in that month, as commit.
const openValidTo = new Date(Date.now() + 45 * 86_400_000).toISOString();

async function post(path: string, body: unknown): Promise<any> {
  const r = await call(stack.h.url, 'POST', path, { as: stack.admin, body });
  if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function toQuotation(name: string, price: string, validTo?: string): Promise<void> {
  await post(`/api/prospects/${id(name)}/qualify`, { answers: {}, outcome: 'qualified' });
  await post(`/api/prospects/${id(name)}/create-inquiry`, { items: [{ product: 'PUMP', quantity: 1 }] });
  await post(`/api/prospects/${id(name)}/create-quote`, { lines: [{ product: 'PUMP', quantity: 1, unitPrice: price }], ...(validTo ? { validTo } : {}) });
  await post(`/api/prospects/${id(name)}/send-quote`, {});
}

beforeAll(async () => {
  stack = await startWebStack();
  const create = (name: string, rep: string, source: string) => post('/api/prospects', { id: id(name), name: `${name[0]!.toUpperCase()}${name.slice(1)} Buyer`, email: `${name}-${uniq}@customer.test`, rep, source, definition });
  // amy (ravi): visited, her call task done, quoted 2,000.00 and won.
  await create('amy', 'ravi', 'web');
  await post(`/api/prospects/${id('amy')}/log-contact`, { channel: 'visit', note: 'met at the fair' });
  const amy = (await call(stack.h.url, 'GET', `/api/prospects/${id('amy')}`, { as: stack.admin })).body as any;
  const task = amy.tasks[0].id as string;
  await eventually(async () => expect((await call(stack.h.url, 'GET', `/api/tasks/${task}`, { as: stack.admin })).status).toBe(200));
  expect((await call(stack.h.url, 'POST', `/api/tasks/${task}/complete`, { as: stack.admin, body: { outcome: 'reached' } })).status).toBeLessThan(300);
  await toQuotation('amy', '2000.00');
  await post(`/api/prospects/${id('amy')}/accept-quote`, {});
  // bob (rita): quoted 500.00, rejected.
  await create('bob', 'rita', 'web');
  await toQuotation('bob', '500.00');
  await post(`/api/prospects/${id('bob')}/reject-quote`, { reason: 'too expensive' });
  // dee (ravi): 3,000.00 sent, open.
  await create('dee', 'ravi', 'campaign:spring');
  await toQuotation('dee', '3000.00', openValidTo);
  // fay (rita): called in, still in inquiry.
  await create('fay', 'rita', 'fair');
  await post(`/api/prospects/${id('fay')}/log-contact`, { channel: 'call', direction: 'inbound', note: 'asked for a price' });
  await post(`/api/prospects/${id('fay')}/qualify`, { answers: {}, outcome: 'qualified' });
  await post(`/api/prospects/${id('fay')}/create-inquiry`, { items: [{ product: 'PUMP', quantity: 3 }] });
  // Eight leads that stay in contact: the funnel's first stage far wider than its last.
  for (let k = 0; k < 8; k++) await create(`lead${k}`, k % 2 ? 'rita' : 'ravi', 'fair');
  // cid (sam, south): lost at once; not on north's dashboard.
  await create('cid', 'sam', 'fair');
  await post(`/api/prospects/${id('cid')}/mark-lost`, { reason: 'no budget' });

  // The live feed catches up: each prospect's snapshot at its record's version.
  await eventually(async () => {
    for (const name of ['amy', 'bob', 'dee', 'fay', 'cid']) {
      const state = (await call(stack.h.url, 'GET', `/api/prospects/${id(name)}`, { as: stack.admin })).body as any;
      const row = await stack.h.database.db.selectFrom('report_prospects').select(['version']).where('prospect_id', '=', id(name)).executeTakeFirst();
      expect({ name, version: row?.version }).toEqual({ name, version: (state.archived?.changes ?? 0) + state.changes.length });
    }
  }, 30_000);
  // amy's won deal became her customer account, fed to the post-sales read model.
  await eventually(async () => expect(Number((await stack.h.database.db.selectFrom('report_customers').select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBeGreaterThanOrEqual(1), 30_000);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

/** The report the card shows, fetched by the test over the API with the card's own query. */
async function apiReport(page: Page, as: Credentials, chart: string, report: string): Promise<any> {
  const query = await page.getByTestId(`chart-${chart}`).getAttribute('data-query');
  expect(query).toBeTruthy();
  const r = await call(stack.h.url, 'GET', `/api/reports/${report}?${query}`, { as });
  expect(r.status).toBe(200);
  return r.body;
}

/** A card's numbers table as the reader sees it: per row, each cell's value and text. */
async function numbers(page: Page, chart: string): Promise<{ values: Record<string, string>[]; texts: Record<string, string>[] }> {
  const card = page.getByTestId(`chart-${chart}`);
  const toggle = card.getByRole('button', { name: /numbers/ });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  const table = page.getByTestId(`numbers-${chart}`).locator('table');
  await table.waitFor();
  await fitsItsCard(page, chart);
  // Runs in the page (the test's tsconfig has no DOM types).
  return table.evaluate((t: any) => {
    const rows: any[] = [...t.querySelectorAll('tbody tr[data-row]')];
    const cells = (r: any): any[] => [...r.querySelectorAll('td[data-key]')];
    return {
      values: rows.map((r) => Object.fromEntries(cells(r).map((c) => [c.dataset.key!, c.dataset.value!]))),
      texts: rows.map((r) => Object.fromEntries(cells(r).map((c) => [c.dataset.key!, c.textContent!.trim()]))),
    };
  });
}

/**
 * A card's numbers fit the card (the tests' window is 1280 px wide): no column is cut off or
 * left to scroll to, and no number or column head is broken over two lines ("0.2 / s").
 */
async function fitsItsCard(page: Page, chart: string): Promise<void> {
  const fit = await page.getByTestId(`numbers-${chart}`).evaluate((wrap: any) => {
    const lines = (cell: any): number => {
      const range = cell.ownerDocument.createRange();
      range.selectNodeContents(cell);
      return new Set([...range.getClientRects()].map((r: any) => Math.round(r.top))).size;
    };
    return {
      // How far the table runs past the card (the part one would have to scroll to).
      cutOff: (wrap.scrollWidth as number) - (wrap.clientWidth as number),
      wrapped: [...wrap.querySelectorAll('th, td.num')].filter((c: any) => lines(c) > 1).map((c: any) => c.textContent as string),
    };
  });
  expect({ chart, ...fit }).toEqual({ chart, cutOff: 0, wrapped: [] });
}

const str = (v: unknown) => (v === null || v === undefined ? 'null' : String(v));
const rowsOf = (rows: Record<string, unknown>[], keys: string[]) => rows.map((r) => Object.fromEntries(keys.map((k) => [k, str(r[k])])));
const euro = (cents: number) => new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR' }).format(cents / 100);

/** A card with nothing to chart says so; otherwise its chart is drawn. */
async function drawn(page: Page, chart: string, empty: boolean): Promise<boolean> {
  if (empty) {
    await page.getByTestId(`chart-${chart}`).locator('.empty').waitFor();
    return false;
  }
  await page.getByTestId(`chart-${chart}-plot`).locator('svg.recharts-surface').first().waitFor();
  return true;
}

/** Every chart draws, and its table shows exactly the API's numbers for the card's query. */
async function checkEveryChart(page: Page, as: Credentials): Promise<{ funnel: any; forecast: any; quotes: any; activity: any }> {
  const plot = (chart: string) => page.getByTestId(`chart-${chart}-plot`);

  const funnel = await apiReport(page, as, 'funnel', 'funnel');
  if (await drawn(page, 'funnel', funnel.stages.every((s: any) => s.entered === 0))) {
    // The funnel draws contact → won, one trapezoid each, labelled with the API's counts.
    await expect(plot('funnel').locator('.recharts-funnel-trapezoid').count()).resolves.toBe(5);
    // A stage much smaller than the first is still drawn a sixth as wide at least, its number inside it.
    const widths = await plot('funnel').locator('.recharts-funnel-trapezoid').evaluateAll((all: any[]) => all.map((el) => el.getBoundingClientRect().width as number));
    const counts = ['contact', 'qualification', 'inquiry', 'quotation', 'won'].map((stage) => funnel.stages.find((s: any) => s.stage === stage).entered as number);
    for (const [k, w] of widths.entries()) if (counts[k]! > 0) expect(w).toBeGreaterThanOrEqual(Math.max(...widths) / 6 - 1);
    const labels = await plot('funnel').locator('.recharts-label-list text').allTextContents();
    for (const stage of ['contact', 'qualification', 'inquiry', 'quotation', 'won']) {
      expect(labels).toContain(String(funnel.stages.find((s: any) => s.stage === stage).entered));
    }
    const table = await numbers(page, 'funnel');
    expect(table.values).toEqual(rowsOf(funnel.stages, ['stage', 'entered', 'next', 'converted', 'conversion']));
    expect(table.texts.map((r) => r.entered)).toEqual(funnel.stages.map((s: any) => String(s.entered)));
  }

  const forecast = await apiReport(page, as, 'forecast', 'forecast');
  if (await drawn(page, 'forecast', forecast.months.length === 0)) {
    const table = await numbers(page, 'forecast');
    expect(table.values).toEqual(rowsOf(forecast.months, ['month', 'category', 'count', 'valueCents', 'weightedCents']));
    expect(table.texts.map((r) => [r.valueCents, r.weightedCents])).toEqual(forecast.months.map((m: any) => [euro(m.valueCents), euro(m.weightedCents)]));
    // One bar segment per (month, category) with a weighted value.
    await expect(plot('forecast').locator('path.recharts-rectangle').count()).resolves.toBe(forecast.months.filter((m: any) => m.weightedCents > 0).length);
  }

  // Time in stage: a box per stage the closed prospects spent time in, the API's distribution in its table.
  const boxes = funnel.timeInStage.filter((t: any) => t.count > 0);
  if (await drawn(page, 'time-in-stage', boxes.length === 0)) {
    await expect(plot('time-in-stage').locator('[data-testid^="box-"]').count()).resolves.toBe(boxes.length);
    const table = await numbers(page, 'time-in-stage');
    expect(table.values).toEqual(rowsOf(funnel.timeInStage, ['stage', 'count', 'minMs', 'q1Ms', 'medianMs', 'q3Ms', 'p90Ms', 'maxMs']));
  }

  const activity = await apiReport(page, as, 'activity', 'activity');
  if (await drawn(page, 'activity', activity.weeks.length === 0)) {
    const table = await numbers(page, 'activity');
    expect(table.values).toEqual(rowsOf(activity.weeks, ['week', 'contacts', 'tasksDone']));
    // Contacts as a bar per week that had any; tasks done as a line with a dot per week of the period.
    await expect(plot('activity').locator('path.recharts-rectangle').count()).resolves.toBe(activity.weeks.filter((w: any) => w.contacts > 0).length);
    expect(await plot('activity').locator('.recharts-line-dot').count()).toBeGreaterThanOrEqual(activity.weeks.length);
  }

  const quotes = await apiReport(page, as, 'quotes', 'quotes');
  const measures = [
    { measure: 'sent', count: str(quotes.sent), valueCents: str(quotes.sentValueCents) },
    { measure: 'accepted', count: str(quotes.accepted), valueCents: str(quotes.acceptedValueCents) },
    { measure: 'rejected', count: str(quotes.rejected), valueCents: str(quotes.rejectedValueCents) },
    { measure: 'expired', count: str(quotes.expired), valueCents: str(quotes.expiredValueCents) },
    { measure: 'superseded', count: str(quotes.superseded), valueCents: 'null' },
    { measure: 'stale', count: str(quotes.stale.count), valueCents: 'null' },
    { measure: 'escalated', count: str(quotes.escalated.count), valueCents: 'null' },
  ];
  if (await drawn(page, 'quotes', measures.every((m) => m.count === '0'))) {
    expect((await numbers(page, 'quotes')).values).toEqual(measures);
    await expect(plot('quotes').locator('path.recharts-rectangle').count()).resolves.toBe(measures.filter((m) => m.count !== '0').length);
  }

  const postsales = await apiReport(page, as, 'postsales', 'postsales');
  const after = [
    { measure: 'renewals_due', count: str(postsales.renewals.due.count), valueCents: str(postsales.renewals.due.valueCents) },
    { measure: 'renewed', count: str(postsales.renewals.renewed.count), valueCents: str(postsales.renewals.renewed.valueCents) },
    { measure: 'lapsed', count: str(postsales.renewals.lapsed.count), valueCents: str(postsales.renewals.lapsed.valueCents) },
    { measure: 'referrals_given', count: str(postsales.referrals.given), valueCents: 'null' },
    { measure: 'referrals_won', count: str(postsales.referrals.won.count), valueCents: str(postsales.referrals.won.valueCents) },
    { measure: 'referrals_lost', count: str(postsales.referrals.lost), valueCents: 'null' },
  ];
  if (await drawn(page, 'postsales', postsales.recurring.customers === 0 && after.every((m) => m.count === '0'))) {
    expect((await numbers(page, 'postsales')).values).toEqual(after);
    await expect(page.getByTestId('recurring-revenue').textContent()).resolves.toBe(euro(postsales.recurring.annualRecurringCents));
  }

  if (await drawn(page, 'lost-reasons', funnel.lostReasons.length === 0)) {
    expect((await numbers(page, 'lost-reasons')).values).toEqual(rowsOf(funnel.lostReasons, ['reason', 'count']));
    await expect(plot('lost-reasons').locator('path.recharts-rectangle').count()).resolves.toBe(funnel.lostReasons.length);
  }
  return { funnel, forecast, quotes, activity };
}

test('a manager reads the dashboard: every chart drawn, every numbers table exactly the API', async () => {
  const { page } = await personLogsIn(stack, `nina-${uniq}`, 'manager', { personId: 'nina', team: 'north' });
  const nina = await login(stack.h.url, `nina-${uniq}`, PASSWORD);
  await page.getByRole('link', { name: 'Dashboard' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  await page.getByText('Team north').first().waitFor();

  const { funnel, forecast, quotes } = await checkEveryChart(page, nina);
  // North's own numbers: amy won, bob rejected, dee open, fay in inquiry, eight leads in contact (sam's cid is south's).
  expect(funnel.filter.team).toBe('north');
  expect(funnel.stages.map((s: any) => [s.stage, s.entered])).toEqual([
    ['contact', 12],
    ['qualification', 4],
    ['inquiry', 4],
    ['quotation', 3],
    ['won', 1],
    ['lost', 1],
  ]);
  expect(funnel.won).toEqual({ count: 1, valueCents: 200_000 });
  expect(funnel.lostReasons).toEqual([{ reason: 'quotation rejected: too expensive', count: 1 }]);
  // The open quotation's weighted value in its month, as commit.
  expect(forecast.months).toContainEqual({ month: openValidTo.slice(0, 7), category: 'commit', count: 1, valueCents: 300_000, weightedCents: 150_000 });
  expect(forecast.months).toContainEqual({ month: new Date().toISOString().slice(0, 7), category: 'closed', count: 1, valueCents: 200_000, weightedCents: 200_000 });
  expect(quotes).toMatchObject({ sent: 3, accepted: 1, rejected: 1 });
  // After the sale: amy's account (no contract in this process).
  await expect(page.getByTestId('chart-postsales').textContent()).resolves.toContain('1 account');
  await expect(page.getByTestId('kpi-won').textContent()).resolves.toContain('€2,000.00');
  // Campaign results: the spring campaign brought dee (a lead, not won), mailed nobody here.
  const spring = page.getByTestId('campaign-results').locator('tr[data-row="spring"]');
  await spring.waitFor();
  expect(await spring.locator('th, td').allTextContents()).toEqual(['spring', '0', '0', '0', '0', '—', '1', '0', percentText(0)]);
  expect(await page.getByTestId('campaign-results').getByRole('link', { name: 'CSV' }).getAttribute('href')).toMatch(/^\/api\/reports\/campaigns\?.*&format=csv$/);
  // What Mailed counts is said under the table, with the way to a campaign without leads.
  expect(await page.getByTestId('campaign-results').locator('.panel-note').textContent()).toMatch(/^Mailed and Replied count prospects: .* its sends, bounces and opt-outs are on its own page under Campaigns\.$/);

  // Open pipeline: every open prospect now, as the CLI's "open pipeline by stage" (dee's
  // quotation, fay in inquiry, eight leads), whatever the forecast chart's window.
  await expect(page.getByTestId('kpi-pipeline').textContent()).resolves.toContain('€1,500.00€3,000.00 unweighted · 10 open prospects');

  // A CSV link on every chart: the report's CSV where its table holds the chart's figures;
  // otherwise (time in stage, lost reasons, activity per week) the chart's own numbers as a
  // file made in the page: the numbers table's keys and values, row for row.
  const csvLink = (chart: string) => page.getByTestId(`chart-${chart}`).getByRole('link', { name: /CSV/ });
  for (const chart of ['funnel', 'forecast', 'quotes', 'postsales']) {
    expect({ chart, text: await csvLink(chart).textContent(), href: await csvLink(chart).getAttribute('href') }).toEqual({ chart, text: 'CSV', href: expect.stringMatching(new RegExp(`^/api/reports/${chart}\\?.*&format=csv$`)) });
  }
  for (const [chart, file] of [['time-in-stage', 'time-in-stage.csv'], ['lost-reasons', 'lost-reasons.csv'], ['activity', 'activity-per-week.csv']] as const) {
    const link = csvLink(chart);
    expect(await link.textContent()).toBe('CSV');
    expect(await link.getAttribute('download')).toBe(file);
    const href = (await link.getAttribute('href')) ?? '';
    expect(href.startsWith('data:text/csv;charset=utf-8,')).toBe(true);
    const lines = decodeURIComponent(href.slice(href.indexOf(',') + 1)).trim().split('\n');
    const table = page.getByTestId(`numbers-${chart}`);
    const keys = await table.locator('th').evaluateAll((all: any[]) => all.map((th) => th.dataset.key as string));
    const values = await table.locator('tbody tr').evaluateAll((rows: any[]) =>
      rows.map((tr) => [...tr.querySelectorAll('td')].map((td: any) => (td.dataset.value === 'null' ? '' : (td.dataset.value as string))).join(',')),
    );
    expect({ chart, lines }).toEqual({ chart, lines: [keys.join(','), ...values] });
    expect(values.length).toBeGreaterThan(0);
  }

  // Every numbers table open, as checked above: each fits its card.
  await screenshot(page, 'dashboard-numbers');
  // The screenshot for the README: the forecast's numbers open, the rest as charts.
  for (const chart of ['funnel', 'time-in-stage', 'activity', 'quotes', 'lost-reasons', 'postsales']) await page.getByTestId(`chart-${chart}`).getByRole('button', { name: 'Hide numbers' }).click();
  await page.mouse.move(0, 0);
  // The whole page in one tall viewport (a full-page capture would leave the sticky sidebar mid-page).
  const height = await page.evaluate(() => (globalThis as any).document.documentElement.scrollHeight as number);
  await page.setViewportSize({ width: 1280, height });
  await screenshot(page, 'dashboard', 'dashboard');
  await page.setViewportSize({ width: 390, height: 844 });
  // The per-rep and per-campaign tables read a card per row, every column on the screen.
  for (const [table, last] of [['rep-activity', 'Escalated'], ['campaign-results', 'Conversion']] as const) {
    const frame = await page.getByTestId(table).locator('.table-wrap').evaluate((el: any) => ({ scroll: el.scrollWidth as number, client: el.clientWidth as number }));
    expect({ table, fits: frame.scroll <= frame.client }).toEqual({ table, fits: true });
    const cell = (await page.getByTestId(table).locator(`td[data-label="${last}"]`).first().boundingBox())!;
    expect(cell.x + cell.width).toBeLessThanOrEqual(390);
  }
  await page.getByTestId('rep-activity').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(__dirname, 'screenshots', 'dashboard-390-tables.png') });
  await page.setViewportSize({ width: 1280, height: 860 });

  // The rep choices are the manager's team's reps the reports hold (not sam, south's), and the
  // source field suggests the sources they came from.
  const repChoices = () => page.getByLabel('Rep', { exact: true }).locator('option').evaluateAll((all: any[]) => all.map((o) => `${o.value}=${o.textContent}`));
  await eventually(async () => expect(await repChoices()).toEqual(['=Whole team', 'ravi=ravi (north)', 'rita=rita (north)']));
  const sourceList = await page.getByLabel('Source', { exact: true }).getAttribute('list');
  expect(await page.locator(`datalist[id="${sourceList}"] option`).evaluateAll((all: any[]) => all.map((o) => o.value))).toEqual(['campaign:spring', 'fair', 'web']);

  // A filter narrows every chart to one rep: rita (bob rejected, fay in inquiry, four leads).
  await page.getByLabel('Rep', { exact: true }).selectOption('rita');
  await eventually(async () => expect(await page.getByTestId('chart-funnel').getAttribute('data-query')).toContain('rep=rita'));
  const rita = await eventually(async () => {
    const r = await checkEveryChart(page, nina);
    expect(r.funnel.filter.rep).toBe('rita');
    expect(r.funnel.stages[0]).toMatchObject({ stage: 'contact', entered: 6 });
    return r;
  }, 30_000);
  expect(rita.funnel.won.count).toBe(0);
}, 180_000);

test('a rep sees only their own numbers, as the server scopes them', async () => {
  const { page } = await personLogsIn(stack, `ravi-${uniq}`, 'rep', { personId: 'ravi' });
  const ravi = await login(stack.h.url, `ravi-${uniq}`, PASSWORD);
  await page.goto(`${stack.h.url}/dashboard`);
  await page.getByText('Your own prospects (ravi)').waitFor();
  // No team or rep filters for a rep: the server decides their scope.
  expect(await page.getByLabel('Rep', { exact: true }).count()).toBe(0);
  const { funnel } = await checkEveryChart(page, ravi);
  expect(funnel.filter.rep).toBe('ravi');
  // amy (won), dee (open) and four leads: six prospects entered contact.
  expect(funnel.stages[0]).toMatchObject({ stage: 'contact', entered: 6 });
  expect(funnel.won.count).toBe(1);
}, 120_000);

/** A share as the dashboard prints it (web/src/ui/charts.tsx `percent`). */
function percentText(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}
