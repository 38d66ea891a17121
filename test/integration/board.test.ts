import { accountFor, call, startServer, type Credentials, type ServerHarness, northSouthProcess, postOk } from '../helpers/server';

/**
 * GET /api/board: every open prospect the caller may see, and the Won and Lost columns only
 * for the prospects closed within `closedDays` (from the read model's close time), so closed
 * deals neither pile up for ever nor take the open ones' places under `limit`. The server's
 * clock is moved on to see the window close.
 */

const DAY = 86_400_000;
let shift = 0;
let h: ServerHarness;
let admin: Credentials;
beforeAll(async () => {
  h = await startServer({ reporting: true, now: () => Date.now() + shift });
  admin = await accountFor(h, 'root', 'admin');
});
afterAll(async () => {
  await h?.close();
});

const uniq = Date.now().toString(36);
const id = (name: string) => `${name}-${uniq}`;
const definition = northSouthProcess(`board-${uniq}`);

const post = (path: string, body: unknown) => postOk(h.url, admin, path, body);

async function board(as: Credentials, query: Record<string, string> = {}): Promise<{ ids: string[]; moreOpen: boolean; closedTotal: number; since: string; status: number; body: any }> {
  const r = await call(h.url, 'GET', `/api/board?${new URLSearchParams(query)}`, { as });
  const body = r.body as any;
  const cards: { id: string }[] = body.cards ?? [];
  return { ids: cards.map((c) => c.id).sort(), moreOpen: body.moreOpen, closedTotal: body.closed?.total, since: body.closed?.since, status: r.status, body };
}

beforeAll(async () => {
  for (const [name, rep] of [['olga', 'ravi'], ['otto', 'rita'], ['sara', 'sam'], ['wanda', 'rita'], ['lars', 'ravi']] as const) {
    await post('/api/prospects', { id: id(name), name, email: `${name}@customer.test`, rep, source: 'web', definition });
  }
  await post(`/api/prospects/${id('wanda')}/qualify`, { answers: {}, outcome: 'qualified' });
  await post(`/api/prospects/${id('wanda')}/create-inquiry`, { items: [{ product: 'PUMP', quantity: 1 }] });
  await post(`/api/prospects/${id('wanda')}/create-quote`, { lines: [{ product: 'PUMP', quantity: 1, unitPrice: '100.00' }] });
  await post(`/api/prospects/${id('wanda')}/send-quote`, {});
  await post(`/api/prospects/${id('wanda')}/accept-quote`, {});
  await post(`/api/prospects/${id('lars')}/mark-lost`, { reason: 'no budget' });
});

afterEach(() => {
  shift = 0;
});

test('the board holds the open prospects and those closed in the last 30 days, each caller only their own', async () => {
  const all = await board(admin);
  expect(all.status).toBe(200);
  expect(all.ids).toEqual(['lars', 'olga', 'otto', 'sara', 'wanda'].map(id).sort());
  expect(all.moreOpen).toBe(false);
  expect(all.closedTotal).toBe(2);
  // From the start of the UTC day 30 days ago (so the answer's ETag holds for the day).
  expect(all.since).toBe(new Date((Math.floor(Date.now() / DAY) - 30) * DAY).toISOString());
  const won = all.body.cards.find((c: { id: string }) => c.id === id('wanda'));
  expect(won).toMatchObject({ stage: 'won', valueCents: 10_000 });

  // A manager: their team's, open and closed; the other team's not, nor counted.
  const nina = await accountFor(h, `nina-${uniq}`, 'manager', { personId: 'nina', team: 'north' });
  const north = await board(nina);
  expect(north.ids).toEqual(['lars', 'olga', 'otto', 'wanda'].map(id).sort());
  expect(north.closedTotal).toBe(2);
  const sven = await accountFor(h, `sven-${uniq}`, 'manager', { personId: 'sven', team: 'south' });
  const south = await board(sven);
  expect(south.ids).toEqual([id('sara')]);
  expect(south.closedTotal).toBe(0);

  // A rep: their own.
  const ravi = await accountFor(h, `ravi-${uniq}`, 'rep', { personId: 'ravi' });
  const own = await board(ravi);
  expect(own.ids).toEqual(['lars', 'olga'].map(id).sort());
  expect(own.closedTotal).toBe(1);
});

test('a month on, the won and lost deals have left the board and the open ones are still there', async () => {
  shift = 31 * DAY;
  const later = await board(admin);
  expect(later.ids).toEqual(['olga', 'otto', 'sara'].map(id).sort());
  expect(later.closedTotal).toBe(0);
  // A wider window brings them back.
  const wider = await board(admin, { closedDays: '60' });
  expect(wider.ids).toEqual(['lars', 'olga', 'otto', 'sara', 'wanda'].map(id).sort());
  expect(wider.closedTotal).toBe(2);
});

test('open prospects beyond the limit are left off and the answer says so; a bad window is refused', async () => {
  const first = await board(admin, { limit: '2' });
  expect(first.moreOpen).toBe(true);
  const open = first.body.cards.filter((c: { stage: string }) => c.stage !== 'won' && c.stage !== 'lost');
  expect(open).toHaveLength(2);
  // The closed ones are not crowded out by the open ones' limit.
  expect(first.ids).toEqual(expect.arrayContaining([id('wanda'), id('lars')]));
  expect((await board(admin, { limit: '3' })).moreOpen).toBe(false);

  for (const closedDays of ['0', '366', 'soon']) {
    const refused = await board(admin, { closedDays });
    expect(refused.status).toBe(400);
    expect(refused.body.detail ?? refused.body.title).toMatch(/closedDays/);
  }
});

test('a manager hands a prospect only to a rep of their own team; the card offers just those', async () => {
  const nina = await accountFor(h, `nina-move-${uniq}`, 'manager', { personId: 'nina', team: 'north' });
  const card = (await board(nina)).body.cards.find((c: { id: string }) => c.id === id('olga'));
  expect(card.reps).toEqual(['ravi', 'rita']);
  // Another team's rep: refused, nothing moved.
  const refused = await call(h.url, 'POST', `/api/prospects/${id('olga')}/reassign`, { as: nina, body: { rep: 'sam' } });
  expect(refused.status).toBe(403);
  expect((refused.body as { detail: string }).detail).toBe('managers reassign within their team (north): sam is in south; ops or an admin moves a prospect to another team');
  expect((await call(h.url, 'GET', `/api/prospects/${id('olga')}`, { as: admin })).body).toMatchObject({ info: { rep: 'ravi' } });
  // Their own team's: done.
  const moved = await call(h.url, 'POST', `/api/prospects/${id('olga')}/reassign`, { as: nina, body: { rep: 'rita' } });
  expect(moved.status).toBe(200);
  expect(moved.body).toMatchObject({ info: { rep: 'rita' } });
  // An admin moves it to another team; their card offers every rep.
  expect((await board(admin)).body.cards.find((c: { id: string }) => c.id === id('olga')).reps).toEqual(['ravi', 'rita', 'sam']);
  const across = await call(h.url, 'POST', `/api/prospects/${id('olga')}/reassign`, { as: admin, body: { rep: 'sam' } });
  expect(across.status).toBe(200);
});

test("a card names what became of a quotation that no longer binds", async () => {
  await post(`/api/prospects/${id('otto')}/qualify`, { answers: {}, outcome: 'qualified' });
  await post(`/api/prospects/${id('otto')}/create-inquiry`, { items: [{ product: 'PUMP', quantity: 1 }] });
  await post(`/api/prospects/${id('otto')}/create-quote`, { lines: [{ product: 'PUMP', quantity: 1, unitPrice: '70.00' }] });
  await post(`/api/prospects/${id('otto')}/send-quote`, {});
  await post(`/api/prospects/${id('otto')}/reject-quote`, { reason: 'too dear' });
  const card = (await board(admin)).body.cards.find((c: { id: string }) => c.id === id('otto'));
  expect(card).toMatchObject({ stage: 'lost', quoteStatus: 'rejected' });
  expect(card.valueCents).toBeUndefined();
  expect((await board(admin)).body.cards.find((c: { id: string }) => c.id === id('wanda'))).toMatchObject({ quoteStatus: 'accepted', valueCents: 10_000 });
});

test("a manager whose account names another team still reaches the teams the process makes them manager of", async () => {
  // nina manages north in this process; her account names some other team.
  await post('/api/prospects', { id: id('nora'), name: 'nora', email: 'nora@customer.test', rep: 'rita', source: 'web', definition });
  const nina = await accountFor(h, `nina-elsewhere-${uniq}`, 'manager', { personId: 'nina', team: 'east' });
  expect((await call(h.url, 'GET', `/api/prospects/${id('otto')}`, { as: nina })).status).toBe(200);
  expect((await call(h.url, 'GET', `/api/prospects/${id('sara')}`, { as: nina })).status).toBe(404);
  const seen = (await board(nina)).body.cards.map((c: { id: string }) => c.id);
  // The open north prospect, and (north found managed among them) north's closed ones.
  expect(seen).toEqual(expect.arrayContaining([id('nora'), id('otto'), id('wanda')]));
  expect(seen).not.toContain(id('sara'));
});
