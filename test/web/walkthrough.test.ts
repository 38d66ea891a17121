import type { Locator } from 'playwright-core';
import { call, PASSWORD } from '../helpers/server';
import { eventually } from '../helpers/eventually';
import { logsIn, personLogsIn, prospectState, screenshot, startWebStack, type Person, type WebStack } from './webHarness';

/**
 * The done-when, in the browser only: the admin creates a rep (the password the
 * server generates, shown once) and a manager; the rep works a new prospect from contact to
 * won; the manager's board, refreshing by itself, shows the card move from column to column.
 */

let stack: WebStack;
const uniq = Date.now().toString(36);
// People of a process of this file's own, so the board holds only this walk-through's prospect.
const rep = `rob${uniq}`;
const manager = `mia${uniq}`;
const team = `team${uniq}`;
const processName = `walk-${uniq}`;
const id = `acme-${uniq}`;

beforeAll(async () => {
  stack = await startWebStack();
  const definition = {
    name: processName,
    teams: [{ name: team, manager: { id: manager, email: `${manager}@sales.test` }, reps: [{ id: rep, email: `${rep}@sales.test` }] }],
    quotePolicy: { validity: '30d', staleAfter: '3d', escalateAfter: '7d' },
  };
  const r = await call(stack.h.url, 'POST', '/api/processes', { as: stack.admin, body: { definition } });
  if (r.status !== 201) throw new Error(`publish: ${r.status} ${JSON.stringify(r.body)}`);
});
afterAll(async () => {
  await stack?.close();
});

/** The manager's board shows the card in that stage's column (the board polls; no reload). */
async function onBoard(m: Person, stage: string): Promise<void> {
  await m.page.locator(`[data-stage="${stage}"]`).getByTestId(`card-${id}`).waitFor({ timeout: 25_000 });
}

/** One action on the prospect page: its tab, its form filled, submitted, and the page saying it is done. */
async function act(page: Person['page'], tab: string, fill: (form: Locator) => Promise<unknown>, submit: string, done: string): Promise<void> {
  await page.getByRole('tab', { name: tab, exact: true }).click();
  const panel = page.getByRole('tabpanel');
  await fill(panel);
  await panel.getByRole('button', { name: submit, exact: true }).click();
  const message = page.getByTestId('action-done').filter({ hasText: done });
  await message.waitFor();
  // The message stands clear of whatever follows it in the panel.
  const gap = await message.evaluate((el: any) => {
    const next = el.nextElementSibling?.querySelector('label, h3, p, .notice') ?? el.nextElementSibling;
    return next ? next.getBoundingClientRect().top - el.getBoundingClientRect().bottom : 99;
  });
  expect(gap).toBeGreaterThanOrEqual(8);
}

test('the admin creates a rep and a manager; the rep works a prospect from contact to won in the browser; the manager watches it cross the board', async () => {
  // The admin: a rep without a password (the server generates one, shown once) and a manager with one.
  const admin = await personLogsIn(stack, `adam-${uniq}`, 'admin');
  await admin.page.getByRole('heading', { name: 'Users' }).waitFor();
  const newUser = admin.page.getByRole('form', { name: 'New user' });
  await newUser.getByLabel('Login').fill(`rob-${uniq}`);
  await newUser.getByLabel('Display name').fill('Rob Rep');
  await newUser.getByLabel('Role').selectOption('rep');
  await newUser.getByLabel('Person id').fill(rep);
  await newUser.getByRole('button', { name: 'Create user' }).click();
  const generated = (await admin.page.getByTestId('generated-password').textContent())?.trim() ?? '';
  expect(generated.length).toBeGreaterThanOrEqual(12);
  await screenshot(admin.page, 'admin-users-created');
  await newUser.getByLabel('Login').fill(`mia-${uniq}`);
  await newUser.getByLabel('Display name').fill('Mia Manager');
  await newUser.getByLabel('Role').selectOption('manager');
  await newUser.getByLabel('Person id').fill(manager);
  await newUser.getByLabel('Team').fill(team);
  await newUser.getByLabel('Password (optional)').fill(PASSWORD);
  await newUser.getByRole('button', { name: 'Create user' }).click();
  await admin.page.getByTestId('created-user').filter({ hasText: `mia-${uniq}` }).waitFor();
  // Typed, so nothing to show; the rep's password is gone from the screen.
  expect(await admin.page.getByTestId('generated-password').count()).toBe(0);
  await admin.page.getByTestId(`user-mia-${uniq}`).getByText('manager', { exact: true }).waitFor();
  expect(await admin.page.getByTestId(`user-rob-${uniq}`).textContent()).toContain(rep);
  // The form is back to a rep (not the manager just made), and a taken login is marked at its field.
  expect(await newUser.getByLabel('Role').inputValue()).toBe('rep');
  await newUser.getByLabel('Login').fill(`rob-${uniq}`);
  await newUser.getByRole('button', { name: 'Create user' }).click();
  await newUser.locator('.field-invalid', { has: admin.page.getByLabel('Login') }).getByText(`"rob-${uniq}" is already taken`).waitFor();
  // A manager whose team no process has (a typo) is created, and the admin told they would see nothing.
  await newUser.getByLabel('Login').fill(`typo-${uniq}`);
  await newUser.getByLabel('Role').selectOption('manager');
  await newUser.getByLabel('Team').fill(`${team}x`);
  await newUser.getByRole('button', { name: 'Create user' }).click();
  const said = `team "${team}x" is in no published process`;
  await admin.page.getByTestId('created-user').filter({ hasText: `typo-${uniq}` }).getByText(said, { exact: false }).waitFor();
  await admin.page.getByTestId(`user-typo-${uniq}`).getByText(said, { exact: false }).waitFor();
  expect(await admin.page.getByTestId(`user-mia-${uniq}`).locator('.account-warnings').count()).toBe(0);
  await newUser.getByLabel('Login').fill('');

  // The manager's board: empty until the rep's prospect turns up.
  const mia = await logsIn(stack, `mia-${uniq}`, PASSWORD);
  // The board's polls are conditional (If-None-Match with the last ETag).
  const boardPolls: { ifNoneMatch: string | undefined; status: number }[] = [];
  mia.page.on('response', (r) => {
    if (new URL(r.url()).pathname === '/api/board') boardPolls.push({ ifNoneMatch: r.request().headers()['if-none-match'], status: r.status() });
  });
  await mia.page.getByRole('heading', { name: 'Pipeline board' }).waitFor();

  // The rep logs in with the generated password and creates the prospect on the team's process.
  const rob = await logsIn(stack, `rob-${uniq}`, generated);
  const page = rob.page;
  await page.getByRole('heading', { name: 'My day' }).waitFor();
  await page.getByRole('link', { name: 'Prospects' }).click();
  await page.getByRole('button', { name: 'New prospect' }).click();
  const create = page.getByRole('form', { name: 'New prospect' });
  await create.getByLabel('Id', { exact: true }).fill(id);
  await create.getByLabel('Name', { exact: true }).fill('Ann Buyer');
  await create.getByLabel('Company').fill('ACME Corp');
  await create.getByLabel('Email').fill(`ann-${uniq}@acme.test`);
  // The team's published process from the list (the built-in one otherwise).
  await create.getByLabel('Process').selectOption(processName);
  await create.getByRole('button', { name: 'Create prospect' }).click();
  // Created: the page opens the prospect.
  await page.getByRole('heading', { name: /Ann Buyer/ }).waitFor();
  expect(new URL(page.url()).pathname).toBe(`/prospects/${id}`);
  // A new prospect opens on its first step.
  expect(await page.getByRole('tab', { selected: true }).textContent()).toBe('Log contact');
  // The same id again is not silently "done": the form stays, naming whose the id is.
  await page.getByRole('link', { name: 'Prospects' }).click();
  await page.getByRole('button', { name: 'New prospect' }).click();
  const again = page.getByRole('form', { name: 'New prospect' });
  await again.getByLabel('Id', { exact: true }).fill(id);
  await again.getByLabel('Name', { exact: true }).fill('Someone Else');
  await again.getByLabel('Process').selectOption(processName);
  await again.getByRole('button', { name: 'Create prospect' }).click();
  await again.getByText('is Ann Buyer (ACME Corp) already: open it, or choose another id').waitFor();
  await again.getByRole('link', { name: 'Open Ann Buyer' }).click();
  await page.getByRole('heading', { name: /Ann Buyer/ }).waitFor();
  await onBoard(mia, 'contact');

  await act(page, 'Log contact', (f) => f.getByLabel('Note', { exact: true }).fill('intro call, needs pumps'), 'Log contact', 'Contact logged');
  await act(
    page,
    'Qualify',
    async (f) => {
      await f.getByLabel('Budget').fill('50000');
      await f.getByLabel('Authority').fill('CFO');
      await f.getByLabel('Timeline').fill('Q1');
      // The process has no qualification rules: the rules are not offered to decide.
      expect(await f.getByLabel('Decision').locator('option').allTextContents()).toEqual(['record answers only', 'qualified', 'disqualified']);
      await f.getByLabel('Decision').selectOption('qualified');
    },
    'Save qualification',
    'Qualification saved',
  );
  await act(
    page,
    'Inquiry',
    async (f) => {
      await f.getByLabel('Product 1').fill('PUMP-X');
      await f.getByLabel('Quantity').fill('4');
    },
    'Record inquiry',
    'Inquiry recorded',
  );
  await onBoard(mia, 'inquiry');
  await act(page, 'Quotation', (f) => f.getByLabel(/Unit price/).fill('1999.90'), 'Create quotation', 'Quotation created');
  await act(page, 'Send', async () => undefined, 'Send quotation', `Sent to ann-${uniq}@acme.test`);
  await stack.h.stack.sink.waitFor((m) => m.recipients.includes(`ann-${uniq}@acme.test`));
  // Opened again, the page shows the next step: the customer's answer to the sent quotation.
  await page.reload();
  await page.getByRole('heading', { name: /Ann Buyer/ }).waitFor();
  expect(await page.getByRole('tab', { selected: true }).textContent()).toBe('Won / lost');
  // Back on the Send tab, a sent revision is not offered for sending again.
  await page.getByRole('tab', { name: 'Log contact', exact: true }).click();
  await page.getByRole('tab', { name: 'Send', exact: true }).click();
  await page.getByTestId('send-not-draft').getByText(/^Revision 1 is sent \(sent .+\)\. Change the quotation/).waitFor();
  expect(await page.getByRole('button', { name: 'Send quotation' }).count()).toBe(0);
  await onBoard(mia, 'quotation');
  expect(await mia.page.getByTestId(`card-${id}`).textContent()).toContain('€7,999.60');
  await screenshot(mia.page, 'walkthrough-board-quotation');

  await act(page, 'Won / lost', (f) => f.getByLabel('Note', { exact: true }).fill('PO 4711'), 'Customer accepted: won', 'Won');
  await page.locator('.prospect-head').getByText('won').waitFor();
  // Won, the page links to the customer account the deal books into.
  await expect(page.getByRole('region', { name: 'Summary' }).getByRole('link', { name: 'acme-corp' }).getAttribute('href')).resolves.toBe('/customers/acme-corp');
  // It offers what a customer still needs (contacts, calls; support queries where the process
  // has a support team, which this one has not), not the pipeline's steps.
  await expect(page.getByRole('tablist', { name: 'Actions' }).getByRole('tab').allTextContents()).resolves.toEqual(['Log contact', 'Calls']);
  await screenshot(page, 'walkthrough-prospect-won');
  const state = await prospectState(stack, id);
  expect(state.stage).toBe('won');
  expect(state.info.rep).toBe(rep);
  expect(state.contacts[0]).toMatchObject({ note: 'intro call, needs pumps' });
  expect(state.quotes[0]).toMatchObject({ status: 'accepted', totals: { netCents: 799960 } });
  // Every step is recorded as the rep's own (their person id), none as an admin's.
  const by = state.changes.map((c: { by: string }) => c.by);
  expect(by.filter((b: string) => b === rep).length).toBeGreaterThan(3);
  expect(by).not.toContain(`adam-${uniq}`);
  expect(by).not.toContain('root');

  await onBoard(mia, 'won');
  expect(await mia.page.locator('[data-stage="quotation"]').getByTestId(`card-${id}`).count()).toBe(0);
  await screenshot(mia.page, 'walkthrough-board-won');
  expect(boardPolls.length).toBeGreaterThan(2);
  expect(boardPolls.slice(1).every((p) => p.ifNoneMatch?.startsWith('"'))).toBe(true);
});

test('GET answers carry an ETag; the same GET with it is 304 and empty; a change makes a new one; writes never 304', async () => {
  const as = stack.admin;
  const first = await call(stack.h.url, 'GET', '/api/board', { as });
  expect(first.status).toBe(200);
  const etag = first.headers.get('etag')!;
  expect(etag).toMatch(/^"[\w-]+"$/);
  expect(first.headers.get('cache-control')).toBe('private, no-cache');
  const again = await call(stack.h.url, 'GET', '/api/board', { as, headers: { 'if-none-match': etag } });
  expect(again.status).toBe(304);
  expect(again.body).toBeNull();
  const tasks = await call(stack.h.url, 'GET', `/api/tasks?rep=${rep}`, { as });
  expect((await call(stack.h.url, 'GET', `/api/tasks?rep=${rep}`, { as, headers: { 'if-none-match': `W/${tasks.headers.get('etag')}, "other"` } })).status).toBe(304);

  // A new prospect changes the board: its old tag no longer matches, once visibility lists it
  // (the board is read from visibility, which is eventually consistent: until then the board,
  // and so its tag, is unchanged).
  const created = await call(stack.h.url, 'POST', '/api/prospects', { as, body: { id: `etag-${uniq}`, name: 'Eve Etag', rep, process: processName }, headers: { 'if-none-match': etag } });
  expect(created.status).toBe(201);
  const changed = await eventually(async () => {
    const answer = await call(stack.h.url, 'GET', '/api/board', { as, headers: { 'if-none-match': etag } });
    if (answer.status !== 200) throw new Error(`the board still answers ${answer.status}`);
    return answer;
  });
  expect(changed.headers.get('etag')).not.toBe(etag);
  expect(changed.body.cards.map((c: { id: string }) => c.id)).toContain(`etag-${uniq}`);
  // A refusal is never tagged.
  expect((await call(stack.h.url, 'GET', '/api/prospects/nobody-here', { as })).headers.get('etag')).toBeNull();
});

test('a person creates and revokes their own API token and changes their password; an admin disables an account', async () => {
  const tess = await personLogsIn(stack, `tess-${uniq}`, 'rep', { personId: `tess${uniq}` });
  const page = tess.page;
  await page.getByRole('link', { name: 'My account' }).click();
  await page.getByRole('heading', { name: 'My account' }).waitFor();
  await page.getByLabel('Token name').fill('crm-sync');
  await page.getByRole('button', { name: 'Create token' }).click();
  const secret = (await page.getByTestId('new-token').locator('code').textContent())?.trim() ?? '';
  expect((await call(stack.h.url, 'GET', '/api/me', { as: { token: secret } })).body.account.login).toBe(`tess-${uniq}`);
  await page.getByTestId('token-crm-sync').waitFor();
  await screenshot(page, 'account-token-created');
  await page.getByTestId('token-crm-sync').getByRole('button', { name: 'Revoke' }).click();
  await page.getByTestId('token-crm-sync').getByText('revoked').waitFor();
  expect((await call(stack.h.url, 'GET', '/api/me', { as: { token: secret } })).status).toBe(401);

  // A wrong current password is refused at its field; the right one ends the session.
  const form = page.getByRole('form', { name: 'Change password' });
  await form.getByLabel('Current password').fill('not my password');
  await form.getByLabel('New password', { exact: true }).fill('a brand new passphrase 42');
  await form.getByLabel('New password again').fill('a brand new passphrase 42');
  await form.getByRole('button', { name: 'Change password' }).click();
  expect(await form.locator('.field-invalid', { has: page.getByLabel('Current password') }).locator('.field-error').textContent()).toMatch(/wrong/);
  await form.getByLabel('Current password').fill(PASSWORD);
  await form.getByRole('button', { name: 'Change password' }).click();
  expect(await page.getByTestId('session-ended').textContent()).toMatch(/password was changed/);
  await tess.context.close();
  const again = await logsIn(stack, `tess-${uniq}`, 'a brand new passphrase 42');
  await again.context.close();

  const admin = await personLogsIn(stack, `ada-${uniq}`, 'admin');
  const row = admin.page.getByTestId(`user-tess-${uniq}`);
  // An account's person and team change after it was made (PATCH /api/users/:id).
  await row.getByRole('button', { name: `Edit tess-${uniq}…` }).click();
  const edit = admin.page.getByRole('form', { name: `Edit tess-${uniq}` });
  await edit.getByLabel('Person id').fill('tina');
  await edit.getByLabel('Team').fill('south');
  await edit.getByRole('button', { name: `Save tess-${uniq}` }).click();
  await row.getByText('tina · south').waitFor();
  expect(await admin.page.getByTestId(`edit-tess-${uniq}`).count()).toBe(0);
  // An admin without a person id is told where to give itself one, and the link goes there.
  await admin.page.goto(`${stack.h.url}/day`);
  await admin.page.getByText('This account acts as no rep').waitFor();
  await admin.page.locator('.empty').getByRole('link', { name: 'Users', exact: true }).click();
  await admin.page.getByRole('heading', { name: 'Users' }).waitFor();
  await row.getByRole('button', { name: /Disable/ }).click();
  await row.getByRole('button', { name: `Disable tess-${uniq}` }).click();
  await row.getByText('disabled', { exact: true }).waitFor();
  await screenshot(admin.page, 'admin-users');
  expect((await call(stack.h.url, 'POST', '/api/session', { body: { login: `tess-${uniq}`, password: 'a brand new passphrase 42' } })).status).toBe(401);
});
