import { sql } from 'kysely';
import { accountFor, call, startServer, type Credentials, type ServerHarness, northSouthProcess, postOk } from '../helpers/server';

/**
 * GET /api/prospects?q=: a search of every prospect the caller may see, by id, name, company
 * or address, from the read model (the lists' pages of visibility hold names only in the
 * memo, so the web app searched only the rows it had loaded). Scoped as the list is: a rep
 * their own, a manager their teams'.
 */

let h: ServerHarness;
let admin: Credentials;
beforeAll(async () => {
  h = await startServer({ reporting: true });
  admin = await accountFor(h, 'root', 'admin');
});
afterAll(async () => {
  await h?.close();
});

const uniq = Date.now().toString(36);
const id = (name: string) => `${name}-${uniq}`;
const definition = northSouthProcess(`search-${uniq}`);

const post = (path: string, body: unknown) => postOk(h.url, admin, path, body);

async function search(as: Credentials, query: Record<string, string>): Promise<{ status: number; ids: string[]; next?: string; body: any }> {
  const r = await call(h.url, 'GET', `/api/prospects?${new URLSearchParams(query)}`, { as });
  const body = r.body as any;
  return { status: r.status, ids: (body.prospects ?? []).map((p: { id: string }) => p.id), next: body.nextPageToken, body };
}

beforeAll(async () => {
  const people = [
    ['ann', 'Ann Buyer', 'ACME Corp', 'ravi'],
    ['bea', 'Bea Acme', 'Other GmbH', 'rita'],
    ['carl', 'Carl Cole', 'Acme South', 'sam'],
    ['dora', 'Dora Dent', '50% Off Ltd', 'ravi'],
  ] as const;
  for (const [key, name, company, rep] of people) {
    await post('/api/prospects', { id: id(key), name, company, email: `${key}@${key}-mail.test`, rep, source: 'web', definition });
  }
  await post(`/api/prospects/${id('ann')}/qualify`, { answers: {}, outcome: 'qualified' });
});

test('a search finds by name, company, address or id, any case, every word, across every page', async () => {
  const acme = await search(admin, { q: 'acme' });
  expect(acme.status).toBe(200);
  // Newest first, as the list; company and name alike.
  expect(acme.ids).toEqual([id('carl'), id('bea'), id('ann')]);
  expect(acme.body.prospects.find((p: { id: string }) => p.id === id('ann'))).toMatchObject({ name: 'Ann Buyer', company: 'ACME Corp', stage: 'qualification', rep: 'ravi' });
  expect((await search(admin, { q: 'ANN acme' })).ids).toEqual([id('ann')]);
  expect((await search(admin, { q: 'dora-mail' })).ids).toEqual([id('dora')]);
  expect((await search(admin, { q: `carl-${uniq}` })).ids).toEqual([id('carl')]);
  // LIKE's wildcards are text: "%" is only Dora's company, "_" nobody's.
  expect((await search(admin, { q: '50%' })).ids).toEqual([id('dora')]);
  expect((await search(admin, { q: '_' })).ids).toEqual([]);
  expect((await search(admin, { q: 'nobody-like-this' })).ids).toEqual([]);
  // With the stage filter too.
  expect((await search(admin, { q: 'acme', stage: 'qualification' })).ids).toEqual([id('ann')]);

  // Paged: one a page, each page's token leads to the next, the last has none.
  const seen: string[] = [];
  let token: string | undefined;
  do {
    const page = await search(admin, { q: 'acme', limit: '1', ...(token ? { pageToken: token } : {}) });
    expect(page.ids.length).toBe(1);
    seen.push(...page.ids);
    token = page.next;
  } while (token);
  expect(seen).toEqual([id('carl'), id('bea'), id('ann')]);
});

test("a rep finds only their own, a manager their teams', nobody beyond their role", async () => {
  const ravi = await accountFor(h, `ravi-${uniq}`, 'rep', { personId: 'ravi', team: 'north' });
  expect((await search(ravi, { q: 'acme' })).ids).toEqual([id('ann')]);
  expect((await search(ravi, { q: 'acme', rep: 'sam' })).ids).toEqual([]);
  const nina = await accountFor(h, `nina-${uniq}`, 'manager', { personId: 'nina', team: 'north' });
  expect((await search(nina, { q: 'acme' })).ids).toEqual([id('bea'), id('ann')]);
  const sven = await accountFor(h, `sven-${uniq}`, 'manager', { personId: 'sven', team: 'south' });
  expect((await search(sven, { q: 'acme' })).ids).toEqual([id('carl')]);
});

test('the search has its trigram index where pg_trgm is there (the embedded PostgreSQL has it)', async () => {
  const { rows } = await sql<{ indexdef: string }>`select indexdef from pg_indexes where indexname = 'report_prospects_search'`.execute(h.database.db);
  expect(rows[0]?.indexdef).toMatch(/USING gin \(lower\(.*prospect_id.*name.*company.*email.*\) gin_trgm_ops\)/);
});

test('a blank search or a page token of something else is refused, saying why', async () => {
  const blank = await search(admin, { q: '   ' });
  expect(blank.status).toBe(400);
  expect(JSON.stringify(blank.body)).toContain('say what to search for');
  const foreign = await search(admin, { q: 'acme', pageToken: 'not-a-token' });
  expect(foreign.status).toBe(422);
  expect(foreign.body.detail).toBe('pageToken "not-a-token" is not a token from a previous page of this search');
});
