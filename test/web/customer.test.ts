import { call } from '../helpers/server';
import { eventually } from '../helpers/eventually';
import { personLogsIn, prospectAt, screenshot, startWebStack, type WebStack } from './webHarness';

/**
 * After the sale in the browser: a deal won over the API becomes a customer; the rep finds
 * it under Customers, reads the customer page (the deal, the contract with its renewal date,
 * the profile), adds a referral there and opens a support query that shows the profile's
 * suggestion; the renewals list shows the contract, sorts, and links back to the customer.
 * What the pages show is checked against the API's answer.
 */

let stack: WebStack;
const uniq = Date.now().toString(36);
const processName = `web-care-${uniq}`;
const dealId = `hydro-${uniq}`;
const company = `Hydro ${uniq}`;
const customerId = `hydro-${uniq}`;

async function api(method: string, path: string, body?: unknown): Promise<any> {
  const r = await call(stack.h.url, method, path, { as: stack.admin, body });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

beforeAll(async () => {
  stack = await startWebStack();
  await api('POST', '/api/processes', {
    definition: {
      name: processName,
      teams: [{ name: 'north', manager: { id: 'nina', email: 'nina@sales.test' }, reps: [{ id: 'ravi', email: 'ravi@sales.test' }] }],
      quotePolicy: { validity: '30d', staleAfter: '3d', escalateAfter: '7d' },
      postSales: {
        onboardingAfter: '2d',
        renewal: { remindBefore: ['30d'], escalateBefore: '14d' },
        products: { CARE: { kind: 'contract', term: '60d' }, HOSTING: { kind: 'subscription', term: '75d', autoRenew: true } },
      },
    },
  });
  await prospectAt(stack, dealId, 'inquiry', { name: 'Hanna Hydro', company, email: `hanna-${uniq}@customer.test`, rep: 'ravi', process: processName });
  await api('POST', `/api/prospects/${dealId}/log-contact`, { channel: 'visit', direction: 'outbound', note: 'they keep old pumps running #repair-over-replace' });
  await api('POST', `/api/prospects/${dealId}/change-inquiry`, { items: [{ product: 'PUMP-X', quantity: 2 }, { product: 'CARE', quantity: 1 }, { product: 'HOSTING', quantity: 1 }] });
  await api('POST', `/api/prospects/${dealId}/create-quote`, {
    lines: [
      { product: 'PUMP-X', quantity: 2, unitPrice: '1999.90' },
      { product: 'CARE', quantity: 1, unitPrice: '800' },
      { product: 'HOSTING', quantity: 1, unitPrice: '240' },
    ],
  });
  await api('POST', `/api/prospects/${dealId}/send-quote`, {});
  await api('POST', `/api/prospects/${dealId}/accept-quote`, {});
  // The account is made by the won prospect's activity: wait until it holds the deal.
  await eventually(async () => expect((await api('GET', `/api/customers/${customerId}`)).contracts).toHaveLength(2), 30_000, 300);
});
afterAll(async () => {
  await stack?.close();
});

test('a won deal on the customer page and in the renewals list, with a referral added and a support query answered by the profile', async () => {
  const { page } = await personLogsIn(stack, `ravi-${uniq}`, 'rep', { personId: 'ravi', team: 'north' });

  // Customers in the menu: the rep's own account is listed (visibility may take a moment).
  await page.getByRole('link', { name: 'Customers', exact: true }).click();
  await eventually(async () => {
    await page.reload();
    await page.getByTestId('customers').getByRole('link', { name: company }).waitFor({ timeout: 2_000 });
  }, 30_000, 500);
  await page.getByTestId('customers').getByRole('link', { name: company }).click();
  await page.getByRole('heading', { name: new RegExp(company) }).waitFor();

  const customer = await api('GET', `/api/customers/${customerId}`);
  // The deal, as the API has it.
  const deal = page.getByTestId(`deal-${dealId}`);
  await deal.waitFor();
  expect(customer.deals).toEqual([expect.objectContaining({ prospectId: dealId, kind: 'first', status: 'won' })]);
  expect(await deal.textContent()).toContain('won');
  expect(await deal.getByRole('link', { name: dealId }).getAttribute('href')).toBe(`/prospects/${dealId}`);
  // Each contract with its renewal date: the API's end of term, shown in the viewer's zone.
  for (const k of customer.contracts) {
    const row = page.getByTestId(`contract-${k.id}`);
    expect(await row.locator('time').getAttribute('datetime')).toBe(k.end);
    const shown = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'Europe/Berlin' }).format(new Date(k.end));
    expect(await row.getByTestId('renewal-date').textContent()).toContain(shown);
    expect(await row.textContent()).toContain(k.product);
  }
  // The profile: the tagged note became a preference, the qualification's authority a decision maker.
  const profile = page.getByRole('region', { name: 'Service profile' });
  expect(await profile.textContent()).toContain('repair over replace');
  expect(await profile.textContent()).toContain('CFO');

  // A referral, added on the page: it becomes a prospect with its source, listed on the customer.
  await page.getByRole('tab', { name: 'Referral' }).click();
  const referralForm = page.getByRole('form', { name: 'Add referral' });
  await referralForm.getByLabel('Name').fill('Rhea Ref');
  await referralForm.getByLabel('Company').fill(`Rho Mills ${uniq}`);
  await referralForm.getByRole('button', { name: 'Add referral' }).click();
  await page.getByTestId('action-done').filter({ hasText: 'Referral added as prospect' }).waitFor();
  const withReferral = await api('GET', `/api/customers/${customerId}`);
  expect(withReferral.referrals).toEqual([expect.objectContaining({ name: 'Rhea Ref', company: `Rho Mills ${uniq}`, status: 'open', by: 'ravi' })]);
  const referredId: string = withReferral.referrals[0].prospectId;
  const referralRow = page.getByTestId(`referral-${referredId}`);
  await referralRow.waitFor();
  expect(await referralRow.textContent()).toContain(`Rhea Ref (Rho Mills ${uniq})`);
  const referred = await eventually(() => api('GET', `/api/prospects/${referredId}`), 30_000, 300);
  expect(referred.info).toMatchObject({ source: `referral:${customerId}`, rep: 'ravi' });

  // A support query shows the profile while it is taken, then what it suggests.
  await page.getByRole('tab', { name: 'Support query' }).click();
  expect(await page.getByTestId('support-profile').textContent()).toContain('repair over replace');
  const queryForm = page.getByRole('form', { name: 'Support query' });
  await queryForm.getByLabel('Topic').fill('pump leaks');
  await queryForm.getByLabel('Product').fill('PUMP-X');
  await queryForm.getByLabel('Question').fill('The PUMP-X drips oil');
  await queryForm.getByRole('button', { name: 'Open support query' }).click();
  await page.getByTestId('action-done').filter({ hasText: 'Support query' }).waitFor();
  const withQuery = await api('GET', `/api/customers/${customerId}`);
  const query = withQuery.supportCases[0];
  expect(query).toMatchObject({ topic: 'pump leaks', suggestion: 'repair' });
  const suggestion = page.getByTestId(`suggestion-${query.id}`);
  expect(await suggestion.textContent()).toContain('suggested: repair');
  expect(await suggestion.textContent()).toContain(query.why);
  await page.getByRole('tab', { name: 'Log contact' }).click();
  await page.mouse.move(0, 0);
  await screenshot(page, 'customer-page', 'customer');

  // The renewals list: both contracts end within 90 days, soonest first, each linking to the customer.
  await page.getByRole('link', { name: 'Renewals', exact: true }).click();
  const renewals = (await api('GET', '/api/renewals?within=90d')).renewals.filter((r: any) => r.customerId === customerId);
  expect(renewals.map((r: any) => r.product)).toEqual(['CARE', 'HOSTING']);
  const table = page.getByTestId('renewals');
  await eventually(async () => {
    await page.reload();
    await table.getByRole('link', { name: company }).first().waitFor({ timeout: 2_000 });
  }, 30_000, 500);
  const rowsOf = async () => (await table.locator('tbody tr').allTextContents()).filter((t) => t.includes(company));
  for (const r of renewals) {
    const row = page.getByTestId(`renewal-${customerId}-${r.contractId}`);
    expect(await row.locator('time').getAttribute('datetime')).toBe(r.end);
    expect(await row.textContent()).toContain(r.product);
  }
  expect((await rowsOf()).map((t) => (t.includes('CARE') ? 'CARE' : 'HOSTING'))).toEqual(['CARE', 'HOSTING']);
  // Sorted by value, highest first (two clicks): the 800 contract before the 240 subscription...
  // Each click waits for the head to show the new order (the sort lives in the address, so
  // the table re-renders after the navigation, not within the click).
  const sortedBy = (dir: 'ascending' | 'descending') => table.locator(`th[aria-sort="${dir}"]`, { hasText: 'Value / term' }).waitFor();
  await table.getByRole('button', { name: 'Value / term' }).click();
  await sortedBy('ascending');
  await table.getByRole('button', { name: 'Value / term' }).click();
  await sortedBy('descending');
  expect((await rowsOf()).map((t) => (t.includes('CARE') ? 'CARE' : 'HOSTING'))).toEqual(['CARE', 'HOSTING']);
  // ...and lowest first with one more.
  await table.getByRole('button', { name: 'Value / term' }).click();
  await sortedBy('ascending');
  expect((await rowsOf()).map((t) => (t.includes('CARE') ? 'CARE' : 'HOSTING'))).toEqual(['HOSTING', 'CARE']);
  await table.getByRole('button', { name: 'Renews' }).click();
  await page.mouse.move(0, 0);
  await screenshot(page, 'renewals', 'renewals');

  // On a phone each renewal is a card with its columns named: none scrolled out of sight.
  await page.setViewportSize({ width: 390, height: 844 });
  const card = page.getByTestId(`renewal-${customerId}-${renewals[0].contractId}`);
  const wrap = await page.locator('.table-wrap').first().evaluate((el: any) => ({ scroll: el.scrollWidth as number, client: el.clientWidth as number }));
  expect(wrap.scroll).toBeLessThanOrEqual(wrap.client);
  const quotation = (await card.locator('td[data-label="Renewal quotation"]').boundingBox())!;
  expect(quotation.x + quotation.width).toBeLessThanOrEqual(390);
  expect(await card.locator('td[data-label="Customer"]').textContent()).toContain(company);
  await screenshot(page, 'renewals-390');
  // The customer page's contracts and deals too.
  await page.goto(`${stack.h.url}/customers/${customerId}`);
  const dealRow = page.locator('[data-testid="deals"] tbody tr').first();
  await dealRow.waitFor();
  for (const table of ['contracts', 'deals']) {
    const frame = await page.getByTestId(table).evaluate((el: any) => ({ scroll: el.parentElement.scrollWidth as number, client: el.parentElement.clientWidth as number }));
    expect({ table, fits: frame.scroll <= frame.client }).toEqual({ table, fits: true });
  }
  const net = (await dealRow.locator('td[data-label="Net"]').boundingBox())!;
  expect(net.x + net.width).toBeLessThanOrEqual(390);
  await screenshot(page, 'customer-page-390');
  await page.goto(`${stack.h.url}/renewals`);
  await table.waitFor();
  await page.setViewportSize({ width: 1280, height: 860 });

  // The link leads to the customer page.
  await table.getByRole('link', { name: company }).first().click();
  await page.getByRole('heading', { name: new RegExp(company) }).waitFor();
  expect(new URL(page.url()).pathname).toBe(`/customers/${customerId}`);

  // The customer renews K1 there: a new term from the old end, the renewal date moves on.
  const before = (await api('GET', `/api/customers/${customerId}`)).contracts.find((k: any) => k.id === 'K1');
  await page.getByRole('button', { name: 'Renew or decline K1' }).click();
  const renewForm = page.getByRole('form', { name: 'Renew K1' });
  await renewForm.getByLabel('Note on the renewal').fill('signed on the phone');
  await renewForm.getByRole('button', { name: 'Renew: term 2' }).click();
  const after = await eventually(async () => {
    const k = (await api('GET', `/api/customers/${customerId}`)).contracts.find((x: any) => x.id === 'K1');
    expect(k.term).toBe(2);
    return k;
  }, 10_000, 200);
  expect(after.start).toBe(before.end);
  await page.getByTestId('contract-K1').locator(`time[datetime="${after.end}"]`).waitFor();

  // Renewing it again before that term has begun is refused, and the form says why (the
  // refusal names the contract, which is no field on the form), not "correct the marked fields".
  const again = page.getByRole('form', { name: 'Renew K1' });
  if (!(await again.isVisible())) await page.getByRole('button', { name: 'Renew or decline K1' }).click();
  await again.getByRole('button', { name: 'Renew: term 3' }).click();
  const why = again.getByRole('alert');
  await why.waitFor();
  expect(await why.textContent()).toMatch(/K1 is already renewed/);
  expect((await api('GET', `/api/customers/${customerId}`)).contracts.find((k: any) => k.id === 'K1').term).toBe(2);
}, 120_000);

test("a rep cannot open another rep's customer by its URL", async () => {
  const { page } = await personLogsIn(stack, `sam-${uniq}`, 'rep', { personId: 'sam', team: 'south' });
  await page.goto(`${stack.h.url}/customers/${customerId}`);
  await page.getByRole('alert').filter({ hasText: 'Not found' }).waitFor();
  await page.getByRole('link', { name: 'Back to the customers' }).waitFor();
  expect(await page.content()).not.toContain('Hanna Hydro');
});

test("a renewal task's title reads as the page does: its end in the viewer's zone and its value in its currency, not the workflow's ISO instant", async () => {
  const shortProcess = `web-short-${uniq}`;
  await api('POST', '/api/processes', {
    definition: {
      name: shortProcess,
      teams: [{ name: 'north', manager: { id: 'nina', email: 'nina@sales.test' }, reps: [{ id: 'ravi', email: 'ravi@sales.test' }] }],
      quotePolicy: { validity: '30d', staleAfter: '3d', escalateAfter: '7d' },
      // A minute's contract, reminded 50 s before its end: the renewal task comes 10 s after the win.
      postSales: { onboardingAfter: '2d', renewal: { remindBefore: ['50s'], escalateBefore: '20s' }, products: { SHORT: { kind: 'contract', term: '60s' } } },
    },
  });
  const id = `brief-${uniq}`;
  await prospectAt(stack, id, 'inquiry', { name: 'Bo Brief', company: `Brief ${uniq}`, email: `bo-${uniq}@customer.test`, rep: 'ravi', process: shortProcess });
  await api('POST', `/api/prospects/${id}/change-inquiry`, { items: [{ product: 'SHORT', quantity: 1 }] });
  await api('POST', `/api/prospects/${id}/create-quote`, { lines: [{ product: 'SHORT', quantity: 1, unitPrice: '1200' }] });
  await api('POST', `/api/prospects/${id}/send-quote`, {});
  await api('POST', `/api/prospects/${id}/accept-quote`, {});
  const renewal = await eventually(async () => {
    const task = (await api('GET', `/api/customers/brief-${uniq}`)).tasks.find((t: any) => t.kind === 'renewal');
    expect(task?.title).toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    return task as { id: string; title: string };
  }, 40_000, 500);
  const { page } = await personLogsIn(stack, `ravi-renew-${uniq}`, 'rep', { personId: 'ravi', team: 'north' });
  await page.getByRole('heading', { name: 'My day' }).waitFor();
  const title = page.getByTestId(`task-${renewal.id}`).locator('.task-title');
  await title.waitFor({ timeout: 30_000 });
  const shown = (await title.textContent()) ?? '';
  expect(shown).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  expect(shown).toContain('€1,200.00');
  expect(shown).not.toContain('1200.00 EUR');
});

/**
 * The new-user test's findings on the customer page, on an account of its own: a process with
 * tiers, an auto-renewing subscription and a consumable.
 */
describe('after the sale, as a new user found it', () => {
  const fixProcess = `web-fixes-${uniq}`;
  const fixDeal = `fixit-${uniq}`;
  const fixCompany = `Fixit ${uniq}`;
  const fixId = `fixit-${uniq}`;
  let ravi: import('playwright-core').Page;
  const openAccount = async () => {
    await ravi.goto(`${stack.h.url}/customers/${fixId}`);
    await ravi.getByRole('heading', { name: new RegExp(fixCompany) }).waitFor();
  };

  beforeAll(async () => {
    await api('POST', '/api/processes', {
      definition: {
        name: fixProcess,
        teams: [{ name: 'north', manager: { id: 'nina', email: 'nina@sales.test' }, reps: [{ id: 'ravi', email: 'ravi@sales.test' }] }],
        quotePolicy: { validity: '30d', staleAfter: '3d', escalateAfter: '7d' },
        postSales: {
          onboardingAfter: '2d',
          tiers: { gold: { checkInEvery: '30d' }, silver: { checkInEvery: '60d' } },
          renewal: { remindBefore: ['30d'], escalateBefore: '14d' },
          products: { HOSTING: { kind: 'subscription', term: '75d', autoRenew: true }, FILTER: { kind: 'consumable', reorderEvery: '60d' } },
        },
      },
    });
    await prospectAt(stack, fixDeal, 'inquiry', { name: 'Fay Fixit', company: fixCompany, email: `fay-${uniq}@customer.test`, rep: 'ravi', process: fixProcess });
    await api('POST', `/api/prospects/${fixDeal}/change-inquiry`, { items: [{ product: 'PUMP-X', quantity: 1 }, { product: 'HOSTING', quantity: 1 }, { product: 'FILTER', quantity: 10 }] });
    await api('POST', `/api/prospects/${fixDeal}/create-quote`, {
      lines: [
        { product: 'PUMP-X', quantity: 1, unitPrice: '1999.90' },
        { product: 'HOSTING', quantity: 1, unitPrice: '240' },
        { product: 'FILTER', quantity: 10, unitPrice: '12' },
      ],
    });
    await api('POST', `/api/prospects/${fixDeal}/send-quote`, {});
    await api('POST', `/api/prospects/${fixDeal}/accept-quote`, {});
    await eventually(async () => expect((await api('GET', `/api/customers/${fixId}`)).consumables).toHaveLength(1), 30_000, 300);
    ravi = (await personLogsIn(stack, `ravi-fix-${uniq}`, 'rep', { personId: 'ravi', team: 'north' })).page;
  });

  test('a declined auto-renewing subscription no longer says it auto-renews, on the customer page and in the renewals list', async () => {
    await openAccount();
    const row = ravi.getByTestId('contract-K1');
    expect(await row.textContent()).toContain('subscription, auto-renews');
    await ravi.getByRole('button', { name: 'Renew or decline K1' }).click();
    const decline = ravi.getByRole('form', { name: 'Decline K1' });
    await decline.getByLabel('Why they decline').fill('moving to in-house hosting');
    await decline.getByRole('button', { name: 'Decline renewal' }).click();
    await row.getByText('declined: moving to in-house hosting').waitFor();
    expect(await row.textContent()).toContain('subscription, declined');
    expect(await row.textContent()).not.toContain('auto-renews');
    await ravi.goto(`${stack.h.url}/renewals`);
    const listed = ravi.getByTestId(`renewal-${fixId}-K1`);
    await eventually(async () => {
      await ravi.reload();
      await listed.waitFor({ timeout: 2_000 });
      expect(await listed.textContent()).toContain('declined');
    }, 30_000, 500);
    expect(await listed.textContent()).not.toContain('auto-renews');
  }, 60_000);

  test('a refused order clears the earlier "Order recorded": only the field error is shown', async () => {
    await openAccount();
    await ravi.getByRole('tab', { name: 'Order' }).click();
    const form = ravi.getByRole('form', { name: 'Record order' });
    await form.getByLabel('Quantity').fill('5');
    await form.getByRole('button', { name: 'Record order' }).click();
    await ravi.getByTestId('action-done').filter({ hasText: 'Order recorded' }).waitFor();
    await form.getByLabel('Quantity').fill('-3');
    await form.getByRole('button', { name: 'Record order' }).click();
    await form.locator('.field-error').waitFor();
    expect(await form.getByRole('alert').first().textContent()).toBeTruthy();
    expect(await ravi.getByTestId('action-done').count()).toBe(0);
    expect((await api('GET', `/api/customers/${fixId}`)).consumables[0].quantity).toBe(5);
  }, 60_000);

  test('Log contact on the customer page has the prospect form\'s Direction and When, and the web channel', async () => {
    await openAccount();
    await ravi.getByRole('tab', { name: 'Log contact' }).click();
    const form = ravi.getByRole('form', { name: 'Log contact' });
    await form.getByLabel('Channel').selectOption('web');
    await form.getByLabel('Direction').selectOption({ label: 'they reached us' });
    // 10:00 in Berlin (the browser's zone) on a past day: 09:00 UTC.
    await form.getByLabel('When').fill('2026-11-20T10:00');
    await form.getByLabel('Note').fill('asks for an invoice copy through the portal');
    await form.getByRole('button', { name: 'Log contact' }).click();
    await ravi.getByTestId('action-done').filter({ hasText: 'Contact logged' }).waitFor();
    const c = await api('GET', `/api/customers/${fixId}`);
    expect(c.contactLog[c.contactLog.length - 1]).toMatchObject({ channel: 'web', direction: 'inbound', by: 'ravi' });
    expect(Date.parse(c.contactLog[c.contactLog.length - 1].at)).toBe(Date.parse('2026-11-20T09:00:00Z'));
    expect(c.changes[c.changes.length - 1].what).toBe('logged inbound web: asks for an invoice copy through the portal');
  }, 60_000);

  test('a manager with a person id has My day beside Team tasks; support lands on Customers, with no My day when it acts as no one', async () => {
    const nina = (await personLogsIn(stack, `nina-${uniq}`, 'manager', { personId: 'nina', team: 'north' })).page;
    const menu = nina.getByRole('navigation', { name: 'Main' });
    await menu.getByRole('link', { name: 'Team tasks' }).waitFor();
    await menu.getByRole('link', { name: 'My day' }).click();
    await nina.getByRole('heading', { name: 'My day' }).waitFor();
    expect(await nina.getByText('This account acts as no rep').count()).toBe(0);
    await nina.context().close();

    const sue = (await personLogsIn(stack, `sue-${uniq}`, 'support')).page;
    await sue.getByRole('heading', { name: 'Customers' }).waitFor();
    expect(new URL(sue.url()).pathname).toBe('/customers');
    expect(await sue.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My day' }).count()).toBe(0);
    await sue.context().close();
  }, 60_000);

  test('a support query reads in words: "replacement quote" suggested (as the CLI says), the answer preselected, "replacement deal" once answered', async () => {
    await api('POST', `/api/customers/${fixId}/profile`, { addPreferences: ['replace over repair'] });
    const opened = await api('POST', `/api/customers/${fixId}/support-queries`, { topic: 'filter clogs', question: 'Filters clog after two weeks', product: 'PUMP-X' });
    const queryId: string = opened.result.ref;
    await openAccount();
    const query = ravi.getByTestId(`query-${queryId}`);
    expect(await query.getByTestId(`suggestion-${queryId}`).textContent()).toContain('suggested: replacement quote');
    await query.getByRole('button', { name: 'Answer…' }).click();
    const form = ravi.getByRole('form', { name: `Answer ${queryId}` });
    // The profile suggests a replacement: the answer form offers it first.
    expect(await form.getByLabel('It becomes').inputValue()).toBe('new_deal');
    await form.getByLabel('Answer').fill('offered the PUMP-Y');
    await form.getByRole('button', { name: 'Answer' }).click();
    await query.getByText('Answer: offered the PUMP-Y', { exact: false }).waitFor();
    expect(await query.locator('.badge').first().textContent()).toBe('replacement deal');
    const timeline = (await ravi.getByTestId('timeline').textContent()) ?? '';
    expect(timeline).toContain(`answered support query ${queryId}: replacement deal`);
    expect(await query.textContent()).not.toContain('new_deal');
    expect(timeline).not.toContain('new_deal');
  }, 60_000);

  test("an empty Quantity on the Order tab says what it records: the consumable's usual quantity", async () => {
    const usual: number = (await api('GET', `/api/customers/${fixId}`)).consumables[0].quantity;
    await openAccount();
    await ravi.getByRole('tab', { name: 'Order' }).click();
    const form = ravi.getByRole('form', { name: 'Record order' });
    const quantity = form.getByLabel('Quantity');
    const hintId = (await quantity.getAttribute('aria-describedby')) ?? '';
    expect(hintId).not.toBe('');
    expect(await ravi.locator(`[id="${hintId}"]`).textContent()).toBe(`empty: the usual ${usual}`);
    await form.getByRole('button', { name: 'Record order' }).click();
    await ravi.getByTestId('action-done').filter({ hasText: 'Order recorded' }).waitFor();
    const c = await api('GET', `/api/customers/${fixId}`);
    expect(c.changes[c.changes.length - 1].what).toBe(`reordered ${usual} x FILTER`);
  }, 60_000);

  test("the Profile tab's Tier is a pick-list of the process's tiers; disabled, saying why, when it has none", async () => {
    await openAccount();
    await ravi.getByRole('tab', { name: 'Profile' }).click();
    const form = ravi.getByRole('form', { name: 'Change profile' });
    const tier = form.getByLabel('Tier');
    expect(await tier.evaluate((el) => el.tagName)).toBe('SELECT');
    expect(await tier.locator('option').allTextContents()).toEqual(['(unchanged)', 'gold', 'silver']);
    await tier.selectOption('gold');
    await form.getByRole('button', { name: 'Save profile' }).click();
    await ravi.getByTestId('action-done').filter({ hasText: 'Profile changed' }).waitFor();
    expect((await api('GET', `/api/customers/${fixId}`)).info.tier).toBe('gold');
    // The first account's process names no tiers: nothing to pick, and the field says so.
    await ravi.goto(`${stack.h.url}/customers/${customerId}`);
    await ravi.getByRole('heading', { name: new RegExp(company) }).waitFor();
    await ravi.getByRole('tab', { name: 'Profile' }).click();
    const none = ravi.getByRole('form', { name: 'Change profile' }).getByLabel('Tier');
    expect(await none.isDisabled()).toBe(true);
    const hintId = (await none.getAttribute('aria-describedby')) ?? '';
    expect(await ravi.locator(`[id="${hintId}"]`).textContent()).toContain('names no tiers');
    await ravi.setViewportSize({ width: 390, height: 844 });
    await screenshot(ravi, 'customer-profile-tier-390');
    await ravi.setViewportSize({ width: 1280, height: 860 });
  }, 60_000);
});
