import { eventually } from '../helpers/eventually';
import { personLogsIn, prospectAt, prospectState, publishTeams, screenshot, startWebStack, type WebStack } from './webHarness';

/** The manager's pipeline board: a stale quotation is marked, and a prospect is reassigned from its card. */

let stack: WebStack;
const uniq = Date.now().toString(36);
const processName = `web-board-${uniq}`;
const stale = `stale-${uniq}`;

beforeAll(async () => {
  stack = await startWebStack();
  // A quotation goes stale 2 s after it is sent (and escalates only after an hour).
  await publishTeams(stack, processName, { staleAfter: '2s', escalateAfter: '1h' });
  await prospectAt(stack, stale, 'quotation-sent', { name: 'Stella Stale', company: 'Slow Pumps Ltd', email: `stella-${uniq}@customer.test`, rep: 'ravi', process: processName });
  await prospectAt(stack, `fresh-${uniq}`, 'inquiry', { name: 'Fred Fresh', company: 'Fresh Water AG', rep: 'rita', process: processName });
  await prospectAt(stack, `new-${uniq}`, 'contact', { name: 'Nora New', company: 'Nordic Flow', rep: 'ravi', process: processName });
  await prospectAt(stack, `south-${uniq}`, 'contact', { name: 'Sören South', company: 'Südpumpen', rep: 'sam', process: processName });
});
afterAll(async () => {
  await stack?.close();
});

test('a manager sees a stale quotation marked on the board and reassigns the prospect', async () => {
  const { page } = await personLogsIn(stack, `nina-${uniq}`, 'manager', { personId: 'nina', team: 'north' });
  await page.getByRole('heading', { name: 'Pipeline board' }).waitFor();
  const card = page.getByTestId(`card-${stale}`);
  await card.waitFor();
  // In the quotation column, with its value; the board refreshes by itself until the mark shows.
  expect(await page.locator('[data-stage="quotation"]').getByTestId(`card-${stale}`).count()).toBe(1);
  expect(await card.textContent()).toContain('€3,999.80');
  await card.getByText('stale quote').waitFor({ timeout: 30_000 });
  expect(await card.getAttribute('class')).toContain('card-stale');
  // Only the manager's team: sam's prospect (south) is not on nina's board.
  expect(await page.getByTestId(`card-south-${uniq}`).count()).toBe(0);
  await screenshot(page, 'manager-board', 'web-board');

  await card.getByRole('button', { name: /Reassign/ }).click();
  await card.getByLabel('To rep').selectOption('rita');
  await card.getByRole('button', { name: 'Move' }).click();
  await eventually(async () => expect((await prospectState(stack, stale)).info.rep).toBe('rita'));
  await page.getByTestId(`card-${stale}`).getByText('rita', { exact: true }).waitFor({ timeout: 20_000 });

  // Filtered to one rep.
  await page.getByLabel('Rep', { exact: true }).selectOption('rita');
  await page.getByTestId(`card-fresh-${uniq}`).waitFor();
  await page.getByTestId(`card-new-${uniq}`).waitFor({ state: 'detached' });

  await page.getByRole('link', { name: 'Team tasks' }).click();
  await page.getByRole('heading', { name: 'Team tasks' }).waitFor();
  await page.locator('.empty, .task-list').first().waitFor();
  await screenshot(page, 'manager-team-tasks');
});
