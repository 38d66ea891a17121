import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { prospectWorkflowId } from '../../domain/pipeline/prospect';
import { call } from '../helpers/server';
import { personLogsIn, screenshot, startWebStack, type WebStack } from './webHarness';

/**
 * The Temporal UI reads salesflow's compressed payloads through the remote codec: the dev
 * server's own UI (the run's shared dev server serves it for the web tests), in Chromium,
 * set up as the README says — its Codec Server set to salesflow's endpoint with
 * "Include cross-origin credentials", so the browser sends the admin's salesflow session.
 * The UI's origin is allowed (SALESFLOW_CODEC_ORIGINS, as `npm start` sets it); a page of
 * another origin is not, and nothing else in the API opens to the UI's origin.
 */

let stack: WebStack;
let stranger: Server;
let strangerOrigin: string;
const ui = process.env.SALESFLOW_TEST_TEMPORAL_UI ?? '';
const uniq = Date.now().toString(36);

beforeAll(async () => {
  if (!ui) throw new Error('no Temporal UI: test/helpers/globalSetup.ts starts the dev server with one for web tests (SALESFLOW_TEST_TEMPORAL_UI)');
  stranger = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>another site</title>'));
  await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', () => resolve()));
  strangerOrigin = `http://127.0.0.1:${(stranger.address() as AddressInfo).port}`;
  stack = await startWebStack({ codecOrigins: [ui] });
});

afterAll(async () => {
  await stack?.close();
  stranger?.close();
});

/** A fetch from the page's origin, as the UI makes it: JSON, X-Namespace, credentials included. */
async function fetchFrom(page: Page, url: string, body: unknown): Promise<{ status: number; body: any } | { failed: string }> {
  return page.evaluate(
    async ({ url, body }) => {
      try {
        const r = await fetch(url, { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default' }, body: JSON.stringify(body) });
        return { status: r.status, body: await r.json() };
      } catch (err) {
        return { failed: String(err) };
      }
    },
    { url, body },
  );
}

test("an admin reads a prospect's compressed start input in the Temporal UI; other origins and roles get nothing", async () => {
  // A prospect whose start input (the process definition travels in it) is over the 1 KiB
  // from which payloads are stored compressed: a team of 30.
  const process = `ui-codec-${uniq}`;
  const reps = Array.from({ length: 30 }, (_, i) => ({ id: `rep${i}`, email: `rep${i}@sales.test` }));
  const created = await call(stack.h.url, 'POST', '/api/prospects', {
    as: stack.admin,
    body: { id: `ui-${uniq}`, name: 'Ula Buyer', email: `ula-${uniq}@customer.test`, rep: 'ravi', definition: { name: process, version: 1, teams: [{ name: 'north', manager: { id: 'nina', email: 'nina@sales.test' }, reps: [{ id: 'ravi', email: 'ravi@sales.test' }, ...reps] }], quotePolicy: { validity: '30d', staleAfter: '3d', escalateAfter: '7d' } } },
  });
  expect(created.status).toBe(201);
  const workflowId = prospectWorkflowId(`ui-${uniq}`);
  const { runId } = await stack.h.stack.raw.workflow.getHandle(workflowId).describe();

  const admin = await personLogsIn(stack, 'codec-admin', 'admin');
  const { page } = admin;
  const history = `${ui}/namespaces/default/workflows/${workflowId}/${runId}/history`;
  await page.goto(history);
  // Without the codec the UI shows the input as the deflated bytes in base64, and the
  // process's name is nowhere.
  await page.getByText(/^"[A-Za-z0-9+/]{200,}={0,2}"$/).first().waitFor();
  expect(await page.getByText(process).count()).toBe(0);

  // The README's steps: Codec Server (top bar) → my browser setting → endpoint → credentials.
  await page.getByRole('button', { name: /codec server/i }).click();
  await page.getByText('Use my browser setting and ignore Cluster-level setting.').click();
  await page.getByPlaceholder('Paste your endpoint here').fill(`${stack.h.url}/api/temporal-codec`);
  await page.getByText('Include cross-origin credentials').click();
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.goto(history);
  await page.getByText(process).first().waitFor();
  await screenshot(page, 'temporal-ui-codec', 'temporal-ui-codec');

  // The same request from a page of an origin not configured: the browser withholds the answer.
  const wire = { payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('{}').toString('base64') }] };
  await page.goto(`${strangerOrigin}/`);
  expect(await fetchFrom(page, `${stack.h.url}/api/temporal-codec/decode`, wire)).toEqual({ failed: expect.stringMatching(/TypeError/) });
  // From the UI's origin, CORS is open on the codec's two routes only.
  await page.goto(`${ui}/namespaces/default/workflows`);
  expect(await fetchFrom(page, `${stack.h.url}/api/temporal-codec/decode`, wire)).toMatchObject({ status: 200 });
  expect(await fetchFrom(page, `${stack.h.url}/api/prospects`, { id: 'x' })).toEqual({ failed: expect.stringMatching(/TypeError/) });

  // A rep's session reaches the codec from the UI and is refused (payloads hold every prospect);
  // with no session the answer is a readable 401, not a CORS error.
  const rep = await personLogsIn(stack, 'codec-rep', 'rep', { personId: 'ravi' });
  await rep.page.goto(`${ui}/namespaces/default/workflows`);
  expect(await fetchFrom(rep.page, `${stack.h.url}/api/temporal-codec/decode`, wire)).toMatchObject({ status: 403, body: { detail: expect.stringMatching(/only an admin/) } });
  const nobody = await stack.browser.newContext();
  const anonymous = await nobody.newPage();
  await anonymous.goto(`${ui}/namespaces/default/workflows`);
  expect(await fetchFrom(anonymous, `${stack.h.url}/api/temporal-codec/decode`, wire)).toMatchObject({ status: 401 });
  await nobody.close();
});
