import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { eventually } from '../helpers/eventually';
import { call } from '../helpers/server';
import { documentYaml } from '../../domain/process/document';
import { personLogsIn, screenshot, startWebStack, type WebStack } from './webHarness';

/** Sales ops: a broken process file shows its problems at their lines, a good one is published; a campaign runs to 100 %. */

let stack: WebStack;
const uniq = Date.now().toString(36);

beforeAll(async () => {
  stack = await startWebStack();
});
afterAll(async () => {
  await stack?.close();
});

const goodProcess = (name: string) => `# uploaded from the browser
name: ${name}
teams:
  - name: north
    manager: { id: nina, email: nina@sales.test }
    reps:
      - { id: ravi, email: ravi@sales.test }
quotePolicy:
  validity: 30d
  staleAfter: 3d
  escalateAfter: 7d
`;

test('ops uploads a broken process file and sees the problems at their lines, then publishes a good one', async () => {
  const { page } = await personLogsIn(stack, `olga-${uniq}`, 'ops');
  await page.getByRole('heading', { name: 'Processes' }).waitFor();
  const name = `web-ops-${uniq}`;
  // Line 9: an email that is not one; line 12: staleAfter not shorter than escalateAfter.
  const broken = goodProcess(name).replace('ravi@sales.test', 'not-an-address').replace('staleAfter: 3d', 'staleAfter: 9d');
  const dir = join(__dirname, 'screenshots');
  writeFileSync(join(dir, 'broken-process.yaml'), broken);
  await page.getByLabel('Definition file').setInputFiles(join(dir, 'broken-process.yaml'));
  await page.getByRole('button', { name: 'Validate' }).click();
  const problems = page.getByTestId('problems');
  await problems.waitFor();
  const text = await problems.textContent();
  expect(text).toMatch(/line 7: teams\[0\]\.reps\[0\]\.email/);
  expect(await page.locator('.code-line.bad[data-line="7"]').count()).toBe(1);
  expect(text).toMatch(/staleAfter must be shorter than escalateAfter/);
  expect(await page.getByRole('button', { name: /^Publish/ }).isDisabled()).toBe(true);
  await screenshot(page, 'ops-process-problems');
  // In a long file, the first problem is brought into the code view's box (the view scrolls, not the page).
  writeFileSync(join(dir, 'long-broken-process.yaml'), '# padding\n'.repeat(60) + broken);
  await page.getByLabel('Definition file').setInputFiles(join(dir, 'long-broken-process.yaml'));
  await page.getByRole('button', { name: 'Validate' }).click();
  const far = page.locator('.code-line.bad[data-line="67"]');
  await far.waitFor();
  const inBox = await far.evaluate((el) => {
    const box = el.closest('pre')!.getBoundingClientRect();
    const line = el.getBoundingClientRect();
    return line.top >= box.top && line.bottom <= box.bottom;
  });
  expect(inBox).toBe(true);

  await page.getByLabel('Or paste or edit the definition').fill(goodProcess(name));
  await page.getByRole('button', { name: 'Validate' }).click();
  await page.getByRole('button', { name: `Publish ${name}` }).click();
  await page.getByRole('heading', { name: `Process ${name}` }).waitFor();
  await page.getByText('Two').or(page.getByRole('cell', { name: 'north' })).first().waitFor();
  await screenshot(page, 'ops-process');
  // A prospect of ravi's on version 1, for the migration below.
  const lead = `mig-${uniq}`;
  expect((await call(stack.h.url, 'POST', '/api/prospects', { as: stack.admin, body: { id: lead, name: 'Mia Migrant', rep: 'ravi', process: name } })).status).toBe(201);

  // Version 2 takes ravi out (rita in) and shortens the validity: the comparison names the
  // reps by id and shows their fields as text, within the page's width.
  const v2 = goodProcess(name).replace('      - { id: ravi, email: ravi@sales.test }', '      - { id: rita, email: rita@sales.test }').replace('validity: 30d', 'validity: 14d');
  expect((await call(stack.h.url, 'POST', '/api/processes', { as: stack.admin, body: { yaml: v2 } })).status).toBe(201);
  await page.reload();
  const diff = page.getByTestId('diff');
  await diff.waitFor();
  const rows = await diff.locator('tbody tr').evaluateAll((all: any[]) => all.map((tr) => [...tr.querySelectorAll('td')].map((td: any) => td.textContent as string)));
  expect(rows).toEqual([
    ['quotePolicy.validity', '30d', '2w'],
    ['teams[north].reps[ravi]', 'id: ravi · email: ravi@sales.test', '—'],
    ['teams[north].reps[rita]', '—', 'id: rita · email: rita@sales.test'],
  ]);
  expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number)).toBeLessThanOrEqual(1280);
  await screenshot(page, 'ops-process-diff');

  // Migrating to v2: who left is picked from the reps v2 lacks, who takes over from v2's.
  const migrate = page.getByRole('form', { name: 'Migrate prospects' });
  const options = (label: string) => migrate.getByLabel(label).locator('option').evaluateAll((all: any[]) => all.map((o) => o.value as string));
  await eventually(async () => expect(await options('Rep who left (optional)')).toEqual(['', 'ravi']));
  await migrate.getByLabel('Rep who left (optional)').selectOption('ravi');
  expect(await options('Their prospects and accounts go to')).toEqual(['', 'rita']);
  await migrate.getByLabel('Their prospects and accounts go to').selectOption('rita');
  await migrate.getByRole('button', { name: 'Preview (dry run)' }).click();
  await migrate.getByText(/^Preview: 1 would move/).waitFor();
  await migrate.getByRole('button', { name: 'Migrate 1 prospect(s)' }).click();
  await migrate.getByText('Migrated 1; refused 0; unchanged 0.').waitFor();
  // What was previewed is no longer said above what was done.
  expect(await migrate.getByText(/^Preview:/).count()).toBe(0);
  expect((await call(stack.h.url, 'GET', `/api/prospects/${lead}`, { as: stack.admin })).body).toMatchObject({ info: { rep: 'rita' }, process: { version: 2 } });
  await screenshot(page, 'ops-process-migrated');
});

test('a published example process with tasks opens, its durations with their units in the readable view and the YAML', async () => {
  const name = `web-sales-${uniq}`;
  const yaml = readFileSync(join(__dirname, '..', '..', 'examples', 'process-sales.yaml'), 'utf8').replace(/^name: sales$/m, `name: ${name}`);
  const published = await call(stack.h.url, 'POST', '/api/processes', { as: stack.admin, body: { yaml } });
  expect(published.status).toBe(201);
  const { page } = await personLogsIn(stack, `oona-${uniq}`, 'ops');
  const crashes: string[] = [];
  page.on('pageerror', (e) => crashes.push(e.message));
  await page.goto(`${stack.h.url}/processes/${name}`);
  await page.getByRole('heading', { name: 'Tasks by stage' }).waitFor();
  const readable = (await page.locator('.panel', { has: page.getByRole('heading', { name: 'Tasks by stage' }) }).textContent()) ?? '';
  // Quotations valid for 30d; the demo due in 1 business day; the first call in 20s.
  for (const shown of ['30d', '1w', '1bd', '20s', '4h']) expect(readable).toContain(shown);
  expect(readable).not.toMatch(/2592000000|\d{6,}/);
  // A rule without a value reads whole: "(answers.authority exists)", no stray space.
  await page.getByText(/\(answers\.authority exists\)/).waitFor();
  await screenshot(page, 'ops-process-tasks');

  await page.getByRole('tab', { name: 'YAML' }).click();
  const code = page.getByLabel(/as YAML$/);
  await code.waitFor();
  const text = (await code.locator('.code-line > span:not(.ln)').allTextContents()).join('\n');
  expect(text).toMatch(/^ {2}validity: 30d$/m);
  expect(text).toMatch(/due: 1bd/);
  // No duration as milliseconds (the seller's tax id is the one long number the file has).
  expect(text.replace(/taxId: \S+/, '')).not.toMatch(/businessDays|\bms:|\d{6,}/);
  // The very text `salesflow process show` prints (after its header line).
  const stored = await call(stack.h.url, 'GET', `/api/processes/${name}`, { as: stack.admin });
  expect(text.trimEnd()).toBe(documentYaml((stored.body as { definition: never }).definition).trimEnd());
  expect(crashes).toEqual([]);
});

test('ops uploads a campaign with its CSV, starts it and watches the progress reach 100 %', async () => {
  const { page } = await personLogsIn(stack, `otto-${uniq}`, 'ops');
  const id = `spring-${uniq}`;
  const dir = join(__dirname, 'screenshots');
  const yaml = `id: ${id}\nname: Spring offer ${uniq}\ntemplate:\n  subject: "{{name}}, spring prices"\n  text: "Dear {{name}}, PUMP-X is cheaper until April."\naudience:\n  csv: spring.csv\nthrottle: 120\n`;
  const rows = Array.from({ length: 6 }, (_, i) => `${i}-${uniq}@customer.test,Customer ${i}`);
  const csv = ['email,name', ...rows, 'not-an-address,Broken Row'].join('\n') + '\n';
  // Recipient 3 opted out before: skipped, and the page says so with the reason, as the CLI does.
  const optedOut = `2-${uniq}@customer.test`;
  const suppressed = await call(stack.h.url, 'POST', '/api/suppressions', { as: stack.admin, body: { email: optedOut, reason: 'unsubscribed', note: 'asked by phone' } });
  expect(suppressed.status).toBeLessThan(300);
  writeFileSync(join(dir, 'campaign.yaml'), yaml);
  writeFileSync(join(dir, 'spring.csv'), csv);
  await page.getByRole('link', { name: 'Campaigns' }).click();
  await page.getByRole('link', { name: 'New campaign' }).click();
  // A first campaign can start from the README's example: definition and CSV, valid as they are.
  await page.getByRole('button', { name: 'Start from the example' }).click();
  expect(await page.getByLabel('Definition', { exact: true }).inputValue()).toBe(readFileSync(join(__dirname, '..', '..', 'examples', 'campaign-spring.yaml'), 'utf8'));
  await page.getByRole('button', { name: 'Validate' }).click();
  await page.getByTestId('campaign-validation').getByText(/Valid: Spring pump offer \(spring-offer\) · 61 recipient/).waitFor();
  await page.reload();
  await page.getByLabel('Campaign definition (YAML)').setInputFiles(join(dir, 'campaign.yaml'));
  // Validated without its CSV, the page asks for the file the definition names, in its own words.
  await page.getByRole('button', { name: 'Validate' }).click();
  await page.getByText(/^This campaign's audience is .+\.csv: choose that file here\.$/).waitFor();
  await page.getByLabel('Audience CSV').setInputFiles(join(dir, 'spring.csv'));
  await page.getByRole('button', { name: 'Validate' }).click();
  const validation = page.getByTestId('campaign-validation');
  await validation.waitFor();
  expect(await validation.textContent()).toMatch(/6 recipient/);
  expect(await validation.textContent()).toMatch(/line 8/);
  await screenshot(page, 'ops-campaign-validated');
  await page.getByRole('button', { name: 'Start campaign' }).click();
  await page.getByRole('heading', { name: `Spring offer ${uniq}` }).waitFor();
  await page.getByTestId('campaign-percent').filter({ hasText: '100%' }).waitFor({ timeout: 60_000 });
  expect(await page.locator('.badge', { hasText: 'completed' }).count()).toBe(1);
  for (const r of rows.filter((r) => !r.startsWith(optedOut))) await stack.h.stack.sink.waitFor((m) => m.recipients.includes(r.split(',')[0]!));
  // Who was not mailed and why: the refused CSV row by its line, the skipped recipient by address.
  const notMailed = page.getByTestId('campaign-not-mailed');
  await notMailed.getByRole('cell', { name: optedOut }).waitFor();
  const lines = (await notMailed.locator('tbody tr').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^CSV line 8 — invalid .*not an email address/);
  expect(lines[1]).toMatch(new RegExp(`^recipient 3 ${optedOut.replace(/[.]/g, '\\.')} skipped suppressed: unsubscribed`));
  // The state the CLI lists from says the same.
  const state = (await call(stack.h.url, 'GET', `/api/campaigns/${id}/state`, { as: stack.admin })).body as { exceptions: { email: string; reason: string }[]; invalidRowSamples: { line: number; message: string }[] };
  expect(state.exceptions.map((e) => e.email)).toEqual([optedOut]);
  expect(lines[1]).toContain(state.exceptions[0]!.reason);
  for (const r of state.invalidRowSamples) expect(lines[0]).toContain(r.message);
  // One batch of 6 at 120/min, done in well under a second: the average is the throttle's
  // 120/min at most (5 mails, the skipped one took its slot), not 6 over that fraction of a second.
  const rate = (await page.getByTestId('campaign-rate').textContent()) ?? '';
  expect(rate).toMatch(/^\d+\.\d mails\/min on average \(limit 120\/min\)$/);
  expect(Number.parseFloat(rate)).toBeLessThanOrEqual(120);
  expect(Number.parseFloat(rate)).toBeCloseTo(100, 0);
  const progress = (await call(stack.h.url, 'GET', `/api/campaigns/${id}`, { as: stack.admin })).body as { averagePerMinute: number };
  expect(rate.startsWith(progress.averagePerMinute.toFixed(1))).toBe(true);
  // The bar stands clear of the figures under it.
  const bar = await page.getByRole('progressbar', { name: 'Campaign progress' }).boundingBox();
  const firstFact = await page.locator('.progress + .kv dt').first().boundingBox();
  expect(firstFact!.y - (bar!.y + bar!.height)).toBeGreaterThanOrEqual(8);
  await screenshot(page, 'ops-campaign-progress');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByTestId('campaign-not-mailed').waitFor();
  expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number)).toBeLessThanOrEqual(390);
  // On a phone each row reads whole: the reason is on screen, not scrolled out to the right.
  const reason = await page.getByTestId('campaign-not-mailed').getByText(/suppressed: unsubscribed/).boundingBox();
  expect(reason!.x + reason!.width).toBeLessThanOrEqual(390);
  // The figures keep a readable width next to their labels (a long label wraps instead).
  const rateBox = await page.getByTestId('campaign-rate').boundingBox();
  expect(rateBox!.width).toBeGreaterThanOrEqual(150);
  await screenshot(page, 'ops-campaign-progress-390');
  await page.setViewportSize({ width: 1280, height: 860 });

  await page.getByRole('link', { name: 'Suppression list' }).click();
  await page.getByRole('heading', { name: 'Suppression list' }).waitFor();
  await page.locator('.empty, table').first().waitFor();
  // Someone who asked on the phone not to be mailed goes on the list from the page.
  const caller = `phoned-${uniq}@customer.test`;
  const add = page.getByRole('form', { name: 'Add an address' });
  await add.getByLabel('Email address').fill(caller);
  await add.getByLabel('Why (optional)').fill('asked on the phone');
  await add.getByRole('button', { name: 'Add to the list' }).click();
  await add.getByText(`${caller} is on the list`).waitFor();
  await page.getByRole('row').filter({ hasText: caller }).getByText('asked on the phone').waitFor();
  // Its source reads as who added it, not as the API's `api:<login>`.
  await page.getByRole('row').filter({ hasText: caller }).getByText(`added by otto-${uniq}`).waitFor();
  const listed = (await call(stack.h.url, 'GET', '/api/suppressions', { as: stack.admin })).body.suppressed as { email: string; reason: string; detail: string; source: string }[];
  expect(listed.find((e) => e.email === caller)).toMatchObject({ reason: 'manual', detail: 'asked on the phone', source: `api:otto-${uniq}` });
  await screenshot(page, 'ops-suppressions');
});

test('between batches of a throttled run the ETA counts down while the count stays what the run reported', async () => {
  // 6/min: one recipient every 10 s, so the page sits between batches for 10 s at a time.
  const id = `slow-${uniq}`;
  const yaml = `id: ${id}\nname: Slow drip ${uniq}\ntemplate:\n  subject: "Hello {{name}}"\n  text: "Dear {{name}}"\naudience:\n  csv: slow.csv\nthrottle: 6\n`;
  const csv = ['email,name', ...Array.from({ length: 3 }, (_, i) => `slow${i}-${uniq}@customer.test,Slow ${i}`)].join('\n') + '\n';
  const started = await call(stack.h.url, 'POST', '/api/campaigns', { as: stack.admin, body: { yaml, csv } });
  expect(started.status).toBe(201);
  const { page } = await personLogsIn(stack, `odin-${uniq}`, 'ops');
  await page.goto(`${stack.h.url}/campaigns/${id}`);
  const doneText = page.getByTestId('campaign-done');
  await doneText.filter({ hasText: /^1 of 3/ }).waitFor({ timeout: 30_000 });
  const seconds = async () => {
    const text = (await page.getByTestId('campaign-eta').textContent()) ?? '';
    const m = /^about (\d+) s /.exec(text);
    if (!m) throw new Error(`no ETA in seconds: "${text}"`);
    return Number(m[1]);
  };
  const first = await seconds();
  // Two remaining at 6/min: 20 s from the batch, less the moment it took to see it.
  expect(first).toBeGreaterThan(12);
  expect(first).toBeLessThanOrEqual(20);
  await page.waitForTimeout(3_000);
  const later = await seconds();
  // Still the first batch only: nothing was invented, and the ETA went down with the clock.
  expect(await doneText.textContent()).toMatch(/^1 of 3/);
  expect(await page.getByTestId('campaign-percent').textContent()).toBe('33%');
  expect(first - later).toBeGreaterThanOrEqual(2);
  expect(first - later).toBeLessThanOrEqual(4);
  await screenshot(page, 'ops-campaign-running');
  await call(stack.h.url, 'POST', `/api/campaigns/${id}/cancel`, { as: stack.admin, body: {} });
  // The two the cancel left unmailed are counted and listed under "Not mailed", not passed over.
  await page.reload();
  const notMailed = page.getByTestId('campaign-not-mailed');
  await notMailed.getByText('not sent: the run was cancelled').waitFor();
  expect((await notMailed.locator('tbody tr').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual(['recipients 2–3 — cancelled not sent: the run was cancelled']);
  expect(await page.getByText('2 recipients not sent: the run was cancelled', { exact: false }).count()).toBe(1);
  await screenshot(page, 'ops-campaign-cancelled');

  // The same definition again on the New campaign page: Validate warns that the id ran, and
  // the refusal of Start speaks of the page's definition, not of the CLI's --id.
  const dir = join(__dirname, 'screenshots');
  writeFileSync(join(dir, 'slow.csv'), csv);
  await page.goto(`${stack.h.url}/campaigns/new`);
  await page.getByLabel('Definition', { exact: true }).fill(yaml);
  await page.getByLabel('Audience CSV').setInputFiles(join(dir, 'slow.csv'));
  await page.getByRole('button', { name: 'Validate' }).click();
  await page.getByTestId('campaign-already-ran').getByText(`A run with the id ${id} already ran and was cancelled`).waitFor();
  await page.getByRole('button', { name: 'Start campaign' }).click();
  const refusal = page.getByTestId('form-error');
  await refusal.waitFor();
  expect(await refusal.textContent()).toBe(`Campaign ${id} already ran (cancelled). To mail its audience again, change id: in the definition to a new one, then validate and start.`);
  await screenshot(page, 'ops-campaign-id-ran');
});

test('at 390 px the folded menu bar stays a bar on short pages, and the suppression list fits the screen', async () => {
  const email = `a-rather-long-address-${uniq}@bounced-customer.example`;
  const added = await call(stack.h.url, 'POST', '/api/suppressions', { as: stack.admin, body: { email, reason: 'manual', note: 'asked on the phone' } });
  expect(added.status).toBeLessThan(300);
  const { page } = await personLogsIn(stack, `ossi-${uniq}`, 'ops', {}, { width: 390, height: 844 });
  for (const [path, heading] of [['/renewals', 'Renewals'], ['/customers', 'Customers']] as const) {
    await page.goto(`${stack.h.url}${path}`);
    await page.getByRole('heading', { name: heading, exact: true }).waitFor();
    await page.waitForTimeout(300);
    const bar = await page.locator('.sidebar').boundingBox();
    expect(bar!.height).toBeLessThan(80);
  }
  await screenshot(page, 'ops-renewals-390');
  await page.goto(`${stack.h.url}/suppressions`);
  await page.getByRole('cell', { name: email }).waitFor();
  await page.getByRole('button', { name: 'Unsuppress…' }).first().waitFor();
  expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number)).toBeLessThanOrEqual(390);
  // Each address a card: nothing scrolled out of sight in its table, the button on the screen.
  await fitsThePhone(page, page.getByRole('button', { name: 'Unsuppress…' }).first());
  expect(await page.locator('tr', { hasText: email }).locator('td[data-label="Since"]').isVisible()).toBe(true);
  await screenshot(page, 'ops-suppressions-390');

  // The accounts list too (an admin's): each account's buttons on the screen.
  const admin = await personLogsIn(stack, `adele-${uniq}`, 'admin', {}, { width: 390, height: 844 });
  await admin.page.goto(`${stack.h.url}/users`);
  const row = admin.page.getByTestId(`user-ossi-${uniq}`);
  await row.waitFor();
  await fitsThePhone(admin.page, row.getByRole('button', { name: `Disable ossi-${uniq}…` }));
  expect(await row.locator('td[data-label="Role"]').textContent()).toContain('ops');
  await screenshot(admin.page, 'admin-users-390');

  // Their API tokens: the Revoke button on the screen.
  await admin.page.goto(`${stack.h.url}/account`);
  await admin.page.getByLabel('Token name').fill('phone-script');
  await admin.page.getByRole('button', { name: 'Create token' }).click();
  const token = admin.page.getByTestId('token-phone-script');
  await token.waitFor();
  await fitsThePhone(admin.page, token.getByRole('button', { name: 'Revoke' }));
  await screenshot(admin.page, 'admin-account-390');
});

/** The page's first table does not scroll sideways inside its frame, and `target` is within the 390 px screen. */
async function fitsThePhone(page: Page, target: Locator): Promise<void> {
  const wrap = await page.locator('.table-wrap').first().evaluate((el: any) => ({ scroll: el.scrollWidth as number, client: el.clientWidth as number }));
  expect(wrap.scroll).toBeLessThanOrEqual(wrap.client);
  const box = (await target.boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(390);
}

test('ops imports prospects from a CSV: a bad line or a rep the process lacks blocks the import; a taken id is listed; the file again creates nothing twice', async () => {
  const { page } = await personLogsIn(stack, `iris-${uniq}`, 'ops');
  const dir = join(__dirname, 'screenshots');
  const ids = Array.from({ length: 6 }, (_, k) => `web-imp-${uniq}-${k}`);
  const rows = ids.map((id, k) => `${id},Person ${k},Firm ${k},${id}@import.test,${['alice', 'bob', 'carol'][k % 3]},north`);
  const HEADER = 'id,name,company,email,rep,territory';
  // Line 4 has no name; line 5's rep is not in the built-in process (alice, bob, carol).
  writeFileSync(join(dir, 'import-bad.csv'), [HEADER, ...rows.slice(0, 2), `${ids[2]},,Firm,x@import.test,alice,north`, `web-imp-${uniq}-zed,Zed,Zulu,zed@import.test,zed,north`].join('\n') + '\n');
  await page.getByRole('link', { name: 'Prospects' }).first().click();
  await page.getByRole('link', { name: 'Import CSV' }).click();
  await page.getByRole('heading', { name: 'Import prospects' }).waitFor();
  await page.getByLabel('CSV file').setInputFiles(join(dir, 'import-bad.csv'));
  await page.getByRole('button', { name: 'Check the file' }).click();
  const problems = page.getByTestId('import-problems');
  await problems.waitFor();
  expect(await problems.textContent()).toMatch(/line 4.*name: must not be empty/);
  expect(await problems.textContent()).toMatch(/line 5.*rep: "zed" is not a rep of process "default" v1/);
  expect(await page.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(true);
  await screenshot(page, 'ops-import-problems');

  writeFileSync(join(dir, 'import.csv'), [HEADER, ...rows].join('\n') + '\n');
  await page.getByLabel('CSV file').setInputFiles(join(dir, 'import.csv'));
  await page.getByRole('button', { name: 'Check the file' }).click();
  await page.getByRole('button', { name: 'Import 6 prospect(s)' }).click();
  const outcome = page.getByTestId('import-outcome');
  await outcome.getByText('6 of 6 done: 6 created, 0 already there.').waitFor({ timeout: 30_000 });
  for (const [k, id] of ids.entries()) {
    const shown = await call(stack.h.url, 'GET', `/api/prospects/${id}`, { as: stack.admin });
    expect(shown.body).toMatchObject({ info: { id, name: `Person ${k}`, company: `Firm ${k}`, rep: ['alice', 'bob', 'carol'][k % 3], source: 'import', fields: { territory: 'north' } } });
  }
  // The same file again, with ids[0] given to someone else: nothing doubled, the taken id listed.
  writeFileSync(join(dir, 'import-again.csv'), [HEADER, `${ids[0]},Someone Else,Other,other@import.test,alice,north`, ...rows.slice(1)].join('\n') + '\n');
  await page.getByLabel('CSV file').setInputFiles(join(dir, 'import-again.csv'));
  await page.getByRole('button', { name: 'Check the file' }).click();
  await page.getByRole('button', { name: 'Import 6 prospect(s)' }).click();
  await outcome.getByText("6 of 6 done: 0 created, 5 already there, 1 not imported (its id is someone else's).").waitFor({ timeout: 30_000 });
  expect(await outcome.getByRole('list', { name: 'Lines whose id is taken' }).textContent()).toContain(`line 2: ${ids[0]} is already Person 0 <${ids[0]}@import.test>, not Someone Else <other@import.test>`);
  // The bar has finished its last step (it animates its width) before the README's picture.
  await page.waitForFunction(() => {
    const bar = (globalThis as any).document.querySelector('[aria-label="Import progress"]');
    return bar && Math.abs(bar.firstElementChild.getBoundingClientRect().width - bar.getBoundingClientRect().width) < 1;
  });
  await screenshot(page, 'ops-import', 'import');
  // On a phone the page fits the screen: the fields stack, the lists wrap.
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number)).toBeLessThanOrEqual(390);
  await screenshot(page, 'ops-import-390');
});

test('a prospect list validates as "N prospects", and at 390 px the campaign list is a card per run', async () => {
  const prospect = `plist-${uniq}`;
  expect((await call(stack.h.url, 'POST', '/api/prospects', { as: stack.admin, body: { id: prospect, name: 'Pia List', email: `pia-${uniq}@customer.test`, rep: 'alice' } })).status).toBe(201);
  const id = `web-pros-${uniq}`;
  const yaml = `id: ${id}\nname: Web prospects with a rather long campaign name ${uniq}\ntemplate:\n  subject: "Hello {{name}}"\n  text: "Dear {{name}}"\naudience:\n  prospects: [${prospect}]\n`;
  const { page } = await personLogsIn(stack, `orla-${uniq}`, 'ops');
  await page.goto(`${stack.h.url}/campaigns/new`);
  // A misspelt key is marked on its own line (3), not on the file's first.
  await page.getByLabel('Definition', { exact: true }).fill(yaml.replace('template:', 'templat:'));
  await page.getByRole('button', { name: 'Validate' }).click();
  await page.locator('.code-line.bad[data-line="3"]').waitFor();
  expect(await page.getByText(/line 3: templat: unknown key \(keys at the top of the file: id, name, /).count()).toBe(1);
  await page.getByLabel('Definition', { exact: true }).fill(yaml);
  await page.getByRole('button', { name: 'Validate' }).click();
  const valid = page.getByTestId('campaign-validation');
  await valid.waitFor();
  expect((await valid.textContent())?.trim()).toBe(`Valid: Web prospects with a rather long campaign name ${uniq} (${id}) · 1 prospect`);
  await page.getByRole('button', { name: 'Start campaign' }).click();
  await page.getByRole('heading', { name: `Web prospects with a rather long campaign name ${uniq}` }).waitFor();
  // What is skipped is what the label says: suppressed addresses (duplicates are refused rows).
  expect(await page.getByText('Skipped (suppressed)', { exact: true }).count()).toBe(1);

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${stack.h.url}/campaigns`);
  const row = page.getByTestId('campaign-list').locator('tr', { hasText: id });
  await row.waitFor();
  expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number)).toBeLessThanOrEqual(390);
  // Each run a card: its status, count and start on lines of their own with their names, the name not wrapped a word a line.
  expect(await row.locator('td[data-label="Status"]').isVisible()).toBe(true);
  const name = (await row.getByRole('link').boundingBox())!;
  expect(name.height).toBeLessThan(60);
  expect(name.x + name.width).toBeLessThanOrEqual(390);
  await screenshot(page, 'ops-campaigns-390');
});
