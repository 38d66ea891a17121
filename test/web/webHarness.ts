import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { connectBrowser } from '../helpers/browser';
import { accountFor, call, PASSWORD, startServer, type Credentials, type ServerHarness, NORTH_SOUTH_TEAMS } from '../helpers/server';
import { createUser } from '../../db/accounts';
import type { Role } from '../../domain/accounts/accounts';

/**
 * The web app against the real stack: the salesflow server in-process (serving the built
 * app from dist/web, so `npm run build` first — `npm test` does), a worker on the shared dev
 * server, the SMTP sink, a fresh database; the run's one Chromium, a context per person.
 */

export const SCREENSHOTS = join(__dirname, 'screenshots');

export interface WebStack {
  h: ServerHarness;
  browser: Browser;
  admin: Credentials;
  close(): Promise<void>;
}

export async function startWebStack(server: Parameters<typeof startServer>[0] = {}): Promise<WebStack> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const h = await startServer(server);
  const browser = await connectBrowser();
  const admin = await accountFor(h, 'root', 'admin');
  const contexts: BrowserContext[] = [];
  return {
    h,
    browser,
    admin,
    async close() {
      await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
      await browser.close();
      await h.close();
    },
  };
}

export interface Person {
  page: Page;
  context: BrowserContext;
  login: string;
}

/** A person with an account, logged in through the login screen in their own browser context. */
export async function personLogsIn(
  stack: WebStack,
  login: string,
  role: Role,
  extra: { personId?: string; team?: string } = {},
  view: { width: number; height: number } = { width: 1280, height: 860 },
): Promise<Person> {
  await createUser(stack.h.database.db, { login, role, password: PASSWORD, displayName: login.replace(/-.*/, ''), ...extra });
  return logsIn(stack, login, PASSWORD, view);
}

/** An existing account logs in through the login screen, in a browser context of its own. */
export async function logsIn(stack: WebStack, login: string, password: string, view: { width: number; height: number } = { width: 1280, height: 860 }): Promise<Person> {
  const context = await stack.browser.newContext({ viewport: view, timezoneId: 'Europe/Berlin', locale: 'en-GB', deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${stack.h.url}/`);
  await page.getByLabel('Login').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('.sidebar').waitFor();
  return { page, context, login };
}

/** Where the README's screenshots live: the tests that make them keep them current. */
export const DOCS = join(__dirname, '..', '..', 'docs');

/** A full-page screenshot in test/web/screenshots, and with `docsName` also as the README's `docs/<docsName>.png`. */
export async function screenshot(page: Page, name: string, docsName?: string): Promise<void> {
  // Let polling spinners and fonts settle.
  await page.waitForTimeout(150);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  if (docsName) copyFileSync(join(SCREENSHOTS, `${name}.png`), join(DOCS, `${docsName}.png`));
}

/** A prospect driven over the API (as the admin) to the stage a test starts from. */
export async function prospectAt(
  stack: WebStack,
  id: string,
  stage: 'contact' | 'inquiry' | 'quotation-sent',
  info: { name: string; company?: string; email?: string; rep: string; process: string },
): Promise<void> {
  const as = stack.admin;
  const base = stack.h.url;
  const post = async (path: string, body: unknown) => {
    const r = await call(base, 'POST', path, { as, body });
    if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  await post('/api/prospects', { id, ...info });
  if (stage === 'contact') return;
  await post(`/api/prospects/${id}/log-contact`, { channel: 'call', direction: 'inbound', note: 'asked about pumps' });
  await post(`/api/prospects/${id}/qualify`, { answers: { budget: 20000, authority: 'CFO', timeline: 'Q2' }, outcome: 'qualified' });
  await post(`/api/prospects/${id}/create-inquiry`, { items: [{ product: 'PUMP-X', quantity: 2 }] });
  if (stage === 'inquiry') return;
  await post(`/api/prospects/${id}/create-quote`, { lines: [{ product: 'PUMP-X', quantity: 2, unitPrice: '1999.90' }] });
  await post(`/api/prospects/${id}/send-quote`, {});
}

export async function prospectState(stack: WebStack, id: string): Promise<any> {
  const r = await call(stack.h.url, 'GET', `/api/prospects/${id}`, { as: stack.admin });
  return r.body;
}

/** A published process whose teams the tests use: north (nina; ravi, rita), south (sven; sam). */
export async function publishTeams(stack: WebStack, name: string, quotePolicy: Record<string, string> = {}): Promise<void> {
  const definition = {
    name,
    version: 1,
    teams: NORTH_SOUTH_TEAMS,
    tasks: { qualified: [{ kind: 'call', title: 'First call with {{name}}', due: '2h', escalateAfter: '1d' }] },
    quotePolicy: { validity: '30d', staleAfter: '3d', escalateAfter: '7d', followUpDueIn: '1d', ...quotePolicy },
  };
  const r = await call(stack.h.url, 'POST', '/api/processes', { as: stack.admin, body: { definition } });
  if (r.status !== 201) throw new Error(`publish: ${r.status} ${JSON.stringify(r.body)}`);
}
