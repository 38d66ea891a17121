import type { Page } from 'playwright-core';
import { call, PASSWORD } from '../helpers/server';
import { createUser } from '../../db/accounts';
import { eventually } from '../helpers/eventually';
import { personLogsIn, prospectAt, prospectState, publishTeams, screenshot, startWebStack, type WebStack } from './webHarness';

/**
 * A rep's day in the browser: My day, completing a task, the prospect page, a quotation
 * created and sent, a refusal shown at its field, and another rep's prospect out of reach.
 */

let stack: WebStack;
const uniq = Date.now().toString(36);
const processName = `web-rep-${uniq}`;
const mine = `pump-${uniq}`;
const theirs = `other-${uniq}`;

beforeAll(async () => {
  stack = await startWebStack();
  await publishTeams(stack, processName);
  await prospectAt(stack, mine, 'inquiry', { name: 'Hanna Hydro', company: 'Hydro GmbH', email: `hanna-${uniq}@customer.test`, rep: 'ravi', process: processName });
  await prospectAt(stack, theirs, 'contact', { name: 'Otto Other', company: 'Other AG', rep: 'rita', process: processName });
});
afterAll(async () => {
  await stack?.close();
});

test('a rep completes a task on My day and sends a quotation from the prospect page; a refused one changes nothing', async () => {
  const { page } = await personLogsIn(stack, `ravi-${uniq}`, 'rep', { personId: 'ravi', team: 'north' });
  // The first call, made by qualifying: it shows up by itself (My day refreshes).
  await page.getByRole('heading', { name: 'My day' }).waitFor();
  const task = page.locator('.task', { hasText: 'First call with Hanna Hydro' });
  await task.waitFor({ timeout: 30_000 });
  await screenshot(page, 'rep-my-day');
  const openCount = page.locator('.summary-card', { hasText: 'open tasks' }).locator('.n');
  const before = Number(await openCount.textContent());
  await task.getByRole('button', { name: /Complete/ }).click();
  // Without an outcome the server says so at the field; the inputs and the buttons stay level.
  await task.getByRole('button', { name: 'Mark done' }).click();
  await task.getByText('an outcome is required').waitFor();
  const outcomeBox = (await task.getByLabel('Outcome').boundingBox())!;
  const noteBox = (await task.getByLabel('Note (optional)').boundingBox())!;
  const doneBox = (await task.getByRole('button', { name: 'Mark done' }).boundingBox())!;
  expect(Math.abs(noteBox.y - outcomeBox.y)).toBeLessThanOrEqual(1);
  expect(Math.abs(doneBox.y + doneBox.height / 2 - (outcomeBox.y + outcomeBox.height / 2))).toBeLessThanOrEqual(3);
  await task.getByLabel('Outcome').fill('reached, wants a quotation');
  // Visibility lags a completion: the inbox the page refetches right after still lists the task.
  const stale = await (await page.request.get(`${stack.h.url}/api/tasks?limit=50`)).text();
  expect(stale).toContain('First call with Hanna Hydro');
  const inbox = (url: URL) => url.pathname === '/api/tasks';
  await page.route(inbox, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: stale }));
  await task.getByRole('button', { name: 'Mark done' }).click();
  // Done at once: the row leaves (no form, no second "Mark done"), the count drops, and it says so.
  await task.waitFor({ state: 'detached', timeout: 3_000 });
  expect(await page.getByRole('button', { name: 'Mark done' }).count()).toBe(0);
  expect(Number(await openCount.textContent())).toBe(before - 1);
  await page.getByRole('status').filter({ hasText: 'Marked done: First call with Hanna Hydro' }).waitFor();
  await screenshot(page, 'rep-my-day-done');
  await page.unroute(inbox);
  const afterTask = await prospectState(stack, mine);
  expect(afterTask.tasks.find((t: any) => t.title === 'First call with Hanna Hydro')).toMatchObject({ state: 'done', outcome: 'reached, wants a quotation' });

  // The prospect page from My prospects.
  await page.getByRole('link', { name: 'Prospects' }).click();
  await page.getByRole('link', { name: 'Hanna Hydro' }).click();
  await page.getByRole('heading', { name: /Hanna Hydro/ }).waitFor();
  await page.getByRole('tab', { name: 'Quotation' }).click();

  // A zero price without "free": the server refuses, its message sits at the price field.
  const form = page.getByRole('form', { name: 'Create quotation' });
  await form.getByLabel(/Unit price/).fill('0');
  await form.getByRole('button', { name: 'Create quotation' }).click();
  const priceError = form.locator('.field-invalid', { has: page.getByLabel(/Unit price/) }).locator('.field-error');
  await priceError.waitFor();
  // In the form's own words: its "Free of charge" box, not the CLI's --free.
  expect(await priceError.textContent()).toBe('a zero price is a free offer: tick “Free of charge” to say so');
  expect(await form.getByLabel(/Unit price/).getAttribute('aria-invalid')).toBe('true');
  await screenshot(page, 'rep-refused-at-field');
  const refused = await prospectState(stack, mine);
  expect(refused.quotes).toEqual([]);
  expect(refused.stage).toBe('inquiry');

  // Priced properly, created, then sent by mail.
  await form.getByLabel(/Unit price/).fill('1999.90');
  await form.getByLabel('Discount %').fill('5');
  await form.getByRole('button', { name: 'Create quotation' }).click();
  await page.getByTestId('quote-rev-1').waitFor();
  // The revision says what its amount is: net of the discount, before the seller's tax.
  await expect(page.getByTestId('quote-rev-1').textContent()).resolves.toMatch(/3,799\.81\s*net, after €199\.99 discount, before tax/);
  await page.getByRole('tab', { name: 'Send' }).click();
  await page.getByRole('form', { name: 'Send quotation' }).getByRole('button', { name: 'Send quotation' }).click();
  await page.getByText(`Sent to hanna-${uniq}@customer.test`).waitFor();
  // The header's next due is the lists' one: with no task open, the quotation's reminder.
  const summary = page.getByRole('region', { name: 'Summary' });
  await expect(summary.locator('.fact', { hasText: 'Next due' }).locator('.v').textContent()).resolves.not.toBe('—');
  // A quotation out with the customer has nothing to renew: the Send tab does not offer it.
  expect(await page.getByRole('button', { name: 'Renew expired quotation' }).count()).toBe(0);
  const sent = await prospectState(stack, mine);
  expect(sent.stage).toBe('quotation');
  expect(sent.quotes).toHaveLength(1);
  expect(sent.quotes[0]).toMatchObject({ status: 'sent', totals: { netCents: 379981 } });
  await stack.h.stack.sink.waitFor((m) => m.recipients.includes(`hanna-${uniq}@customer.test`));
  // The timeline has it, in the viewer's zone (the context runs in Europe/Berlin).
  await page.getByTestId('timeline').getByText(/sent quotation|quotation revision 1/i).first().waitFor();
  // Amounts the server wrote into the record read like the rest of the page (it wrote "3799.81 EUR").
  await page.getByTestId('timeline').getByText('created quotation revision 1 (€3,799.81)').waitFor();
  // A logged contact is one entry, the contact (not also its "logged inbound call" change);
  // the stored document's hash is cut to 12 digits; the order button says what it does.
  const timeline = page.getByTestId('timeline');
  await timeline.getByText(/stored document .+ \(SHA-256 [0-9a-f]{12}…\)/).waitFor({ timeout: 20_000 });
  expect(await timeline.getByText('logged inbound call', { exact: true }).count()).toBe(0);
  expect(await timeline.getByText(/Inbound call: asked about pumps/).count()).toBe(1);
  await page.getByRole('button', { name: 'Show oldest first' }).waitFor();
  // The rep opens the PDF as it was sent: the bytes the revision's hash names.
  const pdfLink = page.getByTestId('quote-pdf-1');
  await pdfLink.waitFor({ timeout: 20_000 });
  const pdf = await page.request.get(`${stack.h.url}${await pdfLink.getAttribute('href')}`);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toBe('application/pdf');
  expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
  const withHash = await prospectState(stack, mine);
  expect(pdf.headers()['x-content-sha256']).toBe(withHash.quotes[0].documentSha256);
  // Another rep's prospect's documents are not there for this rep, as the prospect is not.
  expect((await page.request.get(`${stack.h.url}/api/prospects/${theirs}/quotes/1/document`)).status()).toBe(404);
  await screenshot(page, 'rep-prospect-page', 'web-prospect');

  // The same page on a phone: what is open (tasks, the quotation) above the timeline, which grows.
  await page.setViewportSize({ width: 390, height: 844 });
  const top = async (name: string) => (await page.getByRole('heading', { name, exact: true }).boundingBox())!.y;
  expect(await top('Open tasks')).toBeLessThan(await top('Timeline'));
  expect(await top('Quotation')).toBeLessThan(await top('Timeline'));
  expect(await top('Actions')).toBeLessThan(await top('Open tasks'));
  // Every panel as wide as the page's column.
  const widths = await page.locator('.record-grid .panel').evaluateAll((all: any[]) => all.map((el) => Math.round(el.getBoundingClientRect().width)));
  expect(new Set(widths).size).toBe(1);
  await screenshot(page, 'rep-prospect-page-phone');

  // The rep's list on the phone: each prospect a card with every column named, nothing scrolled out of sight.
  await page.getByRole('button', { name: 'Menu' }).click();
  await page.getByRole('link', { name: 'Prospects' }).click();
  const row = page.locator('table.cards-on-phone tr', { hasText: 'Hanna Hydro' });
  await row.waitFor();
  const wrap = await page.locator('.table-wrap').first().evaluate((el: any) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
  expect(wrap.scroll).toBeLessThanOrEqual(wrap.client);
  const due = (await row.locator('td[data-label="Next due"]').boundingBox())!;
  expect(due.x + due.width).toBeLessThanOrEqual(390);
  await screenshot(page, 'rep-prospects-phone');
});

test("a rep cannot open another rep's prospect by its URL", async () => {
  const { page } = await personLogsIn(stack, `ravi2-${uniq}`, 'rep', { personId: 'ravi', team: 'north' });
  await page.goto(`${stack.h.url}/prospects/${theirs}`);
  await page.getByRole('alert').filter({ hasText: 'Not found' }).waitFor();
  await page.getByRole('link', { name: 'Back to the prospects' }).waitFor();
  expect(await page.content()).not.toContain('Otto Other');
  // Nor in their list.
  await page.goto(`${stack.h.url}/prospects`);
  await page.getByRole('link', { name: 'Hanna Hydro' }).waitFor();
  expect(await page.getByRole('link', { name: 'Otto Other' }).count()).toBe(0);
});

test('a quotation that expired unanswered offers its renewal on the Send tab, which makes a new revision', async () => {
  const expiring = `expiring-${uniq}`;
  await prospectAt(stack, expiring, 'inquiry', { name: 'Eva Expired', company: 'Late GmbH', email: `eva-${uniq}@customer.test`, rep: 'ravi', process: processName });
  const post = (path: string, body: unknown) => call(stack.h.url, 'POST', `/api/prospects/${expiring}/${path}`, { as: stack.admin, body });
  expect((await post('create-quote', { lines: [{ product: 'PUMP-X', quantity: 2, unitPrice: '100.00' }], validTo: new Date(Date.now() + 3_000).toISOString() })).status).toBe(200);
  expect((await post('send-quote', {})).status).toBe(200);
  await eventually(async () => expect((await prospectState(stack, expiring)).quotes[0].status).toBe('expired'), 30_000);

  const { page } = await personLogsIn(stack, `ravi-exp-${uniq}`, 'rep', { personId: 'ravi', team: 'north' });
  await page.goto(`${stack.h.url}/prospects/${expiring}`);
  await page.getByRole('tab', { name: 'Send' }).click();
  await page.getByRole('button', { name: 'Renew expired quotation' }).click();


  await page.getByText('A renewed revision is ready to send').waitFor();
  const renewed = await prospectState(stack, expiring);
  // The expired revision is superseded by a draft with the same lines, valid from now on.
  expect(renewed.quotes.map((q: { status: string }) => q.status)).toEqual(['superseded', 'draft']);
  expect(renewed.quotes[1].lines).toEqual(renewed.quotes[0].lines);
  expect(Date.parse(renewed.quotes[1].requestedValidTo)).toBeGreaterThan(Date.now() + 86_400_000);
});

test('a session that ends sends the rep to the login with one clear sentence, and logging in again goes back to that screen', async () => {
  const login = `ravi3-${uniq}`;
  const { page } = await personLogsIn(stack, login, 'rep', { personId: 'ravi', team: 'north' });
  await page.goto(`${stack.h.url}/prospects/${mine}`);
  await page.getByRole('heading', { name: /Hanna Hydro/ }).waitFor();
  const contactsBefore = (await prospectState(stack, mine)).contacts.length;
  await endSessionsOf(login);
  // The rep's next request meets the ended session: logging a contact.
  await page.getByRole('tab', { name: 'Log contact', exact: true }).click();
  await page.getByRole('form', { name: 'Log contact' }).getByLabel('Note').fill('left a message');
  await page.getByRole('form', { name: 'Log contact' }).getByRole('button', { name: 'Log contact' }).click();
  const ended = page.getByTestId('session-ended');
  await ended.waitFor();
  expect(await ended.textContent()).toBe('Your session has ended; log in again to go back to where you were.');
  await page.waitForURL(/\/login\?next=/);
  expect(new URL(page.url()).searchParams.get('next')).toBe(`/prospects/${mine}`);
  expect((await prospectState(stack, mine)).contacts).toHaveLength(contactsBefore);

  // Logging in again: back on the prospect page, and it stays there (not the rep's home).
  await logInHere(page, login);
  await page.getByRole('heading', { name: /Hanna Hydro/ }).waitFor();
  await page.waitForTimeout(500);
  expect(new URL(page.url()).pathname).toBe(`/prospects/${mine}`);
  expect(await page.getByTestId('session-ended').count()).toBe(0);
});

test('logging in from a link opens that screen; a next that leads off the app opens the home screen', async () => {
  // Two accounts: logging in is rate-limited per login (5 a minute).
  const login = `ravi4-${uniq}`;
  const other = `ravi5-${uniq}`;
  for (const name of [login, other]) await createUser(stack.h.database.db, { login: name, role: 'rep', password: PASSWORD, personId: 'ravi', team: 'north' });
  const context = await stack.browser.newContext({ viewport: { width: 1280, height: 860 }, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    // A deep link before logging in: the login carries it, and logging in opens it for good.
    await page.goto(`${stack.h.url}/prospects/${mine}?tab=x`);
    await page.waitForURL(/\/login\?next=/);
    expect(new URL(page.url()).searchParams.get('next')).toBe(`/prospects/${mine}?tab=x`);
    await logInHere(page, login);
    await page.getByRole('heading', { name: /Hanna Hydro/ }).waitFor();
    await page.waitForTimeout(500);
    expect(`${new URL(page.url()).pathname}${new URL(page.url()).search}`).toBe(`/prospects/${mine}?tab=x`);

    // No open redirect: another host, a full URL, a backslash browsers read as "//".
    for (const next of ['//evil.test/x', 'https://evil.test/x', '/\\evil.test/x', '/login?next=/prospects']) {
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('button', { name: 'Log in' }).waitFor();
      await page.goto(`${stack.h.url}/login?next=${encodeURIComponent(next)}`);
      await logInHere(page, other);
      await page.getByRole('heading', { name: 'My day' }).waitFor();
      expect({ next, at: page.url() }).toEqual({ next, at: `${stack.h.url}/day` });
    }
  } finally {
    await context.close();
  }
});

/** Logs in on the login screen the page shows. */
async function logInHere(page: Page, login: string): Promise<void> {
  await page.getByLabel('Login').fill(login);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('.sidebar').waitFor();
}

/** Ends every session of an account, as logging out elsewhere or an expiry does. */
async function endSessionsOf(login: string): Promise<void> {
  const db = stack.h.database.db;
  const user = await db.selectFrom('users').select('id').where('login', '=', login).executeTakeFirstOrThrow();
  await db.deleteFrom('sessions').where('user_id', '=', user.id).execute();
}

test("a contact dated in the future is refused at its field, whole and in the rep's time, and the field shows its month", async () => {
  const { page } = await personLogsIn(stack, `ravi-when-${uniq}`, 'rep', { personId: 'ravi', team: 'north' });
  await page.goto(`${stack.h.url}/prospects/${mine}`);
  await page.getByRole('heading', { name: /Hanna Hydro/ }).waitFor();
  await page.getByRole('tab', { name: 'Log contact', exact: true }).click();
  const form = page.getByRole('form', { name: 'Log contact' });
  // Wide enough for "12/01/2030, 10:00 AM" and its picker, not cut at the month.
  expect((await form.getByLabel('When').boundingBox())!.width).toBeGreaterThanOrEqual(220);
  await form.getByLabel('When').fill('2030-12-01T10:00');
  await form.getByRole('button', { name: 'Log contact' }).click();
  const why = form.locator('.field-invalid', { has: page.getByLabel('When') }).locator('.field-error');
  await why.waitFor();
  const text = (await why.textContent()) ?? '';
  // The whole rule (it holds a "; "), the instant as the page writes times, not 2030-12-01T...Z.
  expect(text).toMatch(/is in the future \(rule: a contact is logged when it has happened; at most 5 minutes of clock skew\)$/);
  expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  await screenshot(page, 'rep-contact-future');
});

test('a prospect whose process has no support team offers no Support query tab', async () => {
  const id = `nosupport-${uniq}`;
  // The built-in process has no support section.
  expect((await call(stack.h.url, 'POST', '/api/prospects', { as: stack.admin, body: { id, name: 'Nils Nosupport', rep: 'alice' } })).status).toBe(201);
  const { page } = await personLogsIn(stack, `alice-ns-${uniq}`, 'rep', { personId: 'alice' });
  await page.goto(`${stack.h.url}/prospects/${id}`);
  await page.getByRole('heading', { name: /Nils Nosupport/ }).waitFor();
  await page.getByRole('tab', { name: 'Log contact', exact: true }).waitFor();
  expect(await page.getByRole('tab', { name: 'Support query' }).count()).toBe(0);
});

test('the search box finds a prospect among all of the rep’s, not only the page loaded', async () => {
  // A rep of their own (a process of this test's), so that the list holds exactly what is made here.
  const rep = `sofia${uniq.replace(/[^a-z0-9]/g, '')}`;
  const definition = { name: `web-search-${uniq}`, version: 1, teams: [{ name: 'east', manager: { id: 'erik', email: 'erik@sales.test' }, reps: [{ id: rep, email: 'sofia@sales.test' }] }], quotePolicy: { validity: '30d', staleAfter: '3d', escalateAfter: '7d' } };
  const create = async (id: string, name: string, company: string) => {
    const r = await call(stack.h.url, 'POST', '/api/prospects', { as: stack.admin, body: { id, name, company, rep, definition } });
    if (r.status !== 201) throw new Error(`create ${id}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  await create(`fjord-${uniq}`, 'Frida Fjord', 'Fjordkraft AS');
  // More newer ones than a page (50) holds: Frida is on the second page of the list.
  for (let i = 0; i < 51; i++) await create(`filler-${i}-${uniq}`, `Filler ${i}`, 'Busy Co');
  const { page } = await personLogsIn(stack, `sofia-${uniq}`, 'rep', { personId: rep, team: 'east' });
  await page.goto(`${stack.h.url}/prospects`);
  await page.getByRole('link', { name: 'Filler 50' }).waitFor();
  expect(await page.getByRole('link', { name: 'Frida Fjord' }).count()).toBe(0);
  await page.getByText('the first 50 prospects; more below').waitFor();
  await page.getByLabel('Search', { exact: true }).fill('FJORDKRAFT');
  await page.getByRole('link', { name: 'Frida Fjord' }).waitFor();
  expect(await page.locator('tbody tr').count()).toBe(1);
  await page.getByText('1 match for “FJORDKRAFT”').waitFor();
  // The search is in the address: a reload or a shared link shows the same.
  expect(new URL(page.url()).searchParams.get('q')).toBe('FJORDKRAFT');
  await page.reload();
  await page.getByRole('link', { name: 'Frida Fjord' }).waitFor();
  await screenshot(page, 'rep-prospect-search');
  await page.getByLabel('Search', { exact: true }).fill('nobody at all');
  await page.getByText('Nothing matches the filter.').waitFor();
});
