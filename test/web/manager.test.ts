import { eventually } from '../helpers/eventually';
import { call } from '../helpers/server';
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
  // A won deal: the WON column has a total, like QUOTATION.
  await prospectAt(stack, `won-${uniq}`, 'quotation-sent', { name: 'Wanda Won', company: 'Winning Pumps', email: `wanda-${uniq}@customer.test`, rep: 'rita', process: processName });
  const accepted = await call(stack.h.url, 'POST', `/api/prospects/won-${uniq}/accept-quote`, { as: stack.admin, body: {} });
  expect(accepted.status).toBe(200);
  // A lost one: its card says why.
  await prospectAt(stack, `lost-${uniq}`, 'contact', { name: 'Lars Lost', company: 'Gone GmbH', rep: 'rita', process: processName });
  const lost = await call(stack.h.url, 'POST', `/api/prospects/lost-${uniq}/mark-lost`, { as: stack.admin, body: { reason: 'went with a competitor' } });
  expect(lost.status).toBe(200);
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
  // Every column head alike: its total on a line under the stage (WON's as QUOTATION's), cards starting level.
  await page.getByTestId(`card-won-${uniq}`).waitFor();
  expect(await page.locator('[data-stage="won"] .column-sum').textContent()).toBe('€3,999.80');
  const heads = await page.locator('.column-head').evaluateAll((all: any[]) =>
    all.map((head) => {
      const title = head.querySelector('h2').getBoundingClientRect();
      const sum = head.querySelector('.column-sum').getBoundingClientRect();
      return { stage: head.parentElement.dataset.stage as string, sumUnderTitle: sum.top >= title.bottom - 1, height: Math.round(head.getBoundingClientRect().height) };
    }),
  );
  expect(heads.map((h) => ({ ...h, height: heads[0]!.height === h.height }))).toEqual(heads.map((h) => ({ stage: h.stage, sumUnderTitle: true, height: true })));
  // A closed card says when it closed (not a growing age in its column), a lost one why.
  const wonCard = (await page.getByTestId(`card-won-${uniq}`).textContent()) ?? '';
  expect(wonCard).toMatch(/won [A-Z][a-z]{2} \d{1,2}, \d{4}|won \d/);
  expect(wonCard).not.toContain('in stage');
  const lostCard = page.locator('[data-stage="lost"]').getByTestId(`card-lost-${uniq}`);
  await lostCard.getByText('went with a competitor').waitFor({ timeout: 20_000 });
  await screenshot(page, 'manager-board', 'web-board');

  await card.getByRole('button', { name: /Reassign/ }).click();
  // The picker is as wide as the card and clear of the buttons, which stay inside the card.
  // Only her own team's reps (sam is south's): the server would refuse another team's.
  expect(await card.getByLabel('To rep').locator('option').allTextContents()).toEqual(['rita']);
  const picker = (await card.getByLabel('To rep').boundingBox())!;
  const cardBox = (await card.boundingBox())!;
  const move = (await card.getByRole('button', { name: 'Move' }).boundingBox())!;
  const cancel = (await card.getByRole('button', { name: 'Cancel' }).boundingBox())!;
  expect(picker.width).toBeGreaterThan(cardBox.width * 0.7);
  expect(move.y).toBeGreaterThanOrEqual(picker.y + picker.height);
  expect(cancel.x + cancel.width).toBeLessThanOrEqual(cardBox.x + cardBox.width);
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

test('a long column shows its first 20 cards, longest in stage first, and the rest on request; an admin filters the board by team', async () => {
  // 21 more leads in contact for ravi: with Nora New, 22.
  for (let k = 0; k < 21; k++) await prospectAt(stack, `lead${k}-${uniq}`, 'contact', { name: `Lead ${k}`, rep: 'ravi', process: processName });
  const { page } = await personLogsIn(stack, `admin-board-${uniq}`, 'admin');
  await page.goto(`${stack.h.url}/board`);
  const contact = page.locator('[data-stage="contact"]');
  await contact.getByRole('button', { name: 'Show all 23' }).waitFor();
  // 23: sam's Sören South too, the admin sees every team.
  expect(await contact.locator('article.card').count()).toBe(20);
  // The one longest in contact (made first) leads the column.
  expect(await contact.locator('article.card').first().getAttribute('data-testid')).toBe(`card-new-${uniq}`);
  await contact.getByRole('button', { name: 'Show all 23' }).click();
  expect(await contact.locator('article.card').count()).toBe(23);
  await contact.getByRole('button', { name: 'Show the first 20' }).waitFor();

  // Two teams: the admin narrows the board to one (the server filters).
  expect(await page.getByLabel('Team', { exact: true }).locator('option').allTextContents()).toEqual(['All teams', 'north', 'south']);
  await page.getByLabel('Team', { exact: true }).selectOption('south');
  await page.getByTestId(`card-new-${uniq}`).waitFor({ state: 'detached' });
  await page.getByTestId(`card-south-${uniq}`).waitFor();
  expect(await page.locator('article.card').evaluateAll((all: any[]) => all.map((c) => c.dataset.testid))).toEqual([`card-south-${uniq}`]);
  expect(new URL(page.url()).searchParams.get('team')).toBe('south');
});
