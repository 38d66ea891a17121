import { InsertQueryNode, RawNode, type KyselyPlugin, type OperationNode } from 'kysely';
import { CampaignStore, LedgerWriter, type LedgerEntry } from '../../db/campaignStore';
import { freshDatabase, type TestDatabase } from '../helpers/database';

/**
 * The send ledger's group commit against a real PostgreSQL: rows that arrive while a batch
 * sends share an INSERT (they linger for it), `flush` ends the lingering, and a committed row
 * is what a retried batch reads.
 */

let t: TestDatabase;
let store: CampaignStore;
/** INSERTs into the ledger, counted on their way to PostgreSQL. */
let inserts = 0;
/** A raw statement's text, nested fragments included (the ledger's insert is raw SQL, prepared). */
const rawText = (node: OperationNode): string => (RawNode.is(node) ? [...node.sqlFragments, ...node.parameters.map(rawText)].join(' ') : '');
const countInserts: KyselyPlugin = {
  transformQuery(args) {
    if (InsertQueryNode.is(args.node) && args.node.into?.table.identifier.name === 'campaign_ledger') inserts++;
    else if (/insert into campaign_ledger\b/.test(rawText(args.node))) inserts++;
    return args.node;
  },
  async transformResult(args) {
    return args.result;
  },
};

beforeAll(async () => {
  t = await freshDatabase();
  store = new CampaignStore(t.db.withPlugin(countInserts));
});
afterAll(async () => {
  await t?.drop();
});

const entry = (i: number): LedgerEntry => ({ i, email: `r${i}@ledger.test`, status: 'sent', messageId: `<r${i}@salesflow.invalid>`, subject: 'Hello', at: new Date().toISOString() });
const sleep = (ms: number) => new Promise<'waited'>((r) => setTimeout(() => r('waited'), ms));

test('rows arriving one by one while a batch sends share INSERTs instead of one each', async () => {
  const writer = store.ledger('run-linger');
  inserts = 0;
  const rows: Promise<void>[] = [];
  for (let i = 0; i < 40; i++) {
    rows.push(writer.record(entry(i)));
    await sleep(2);
  }
  await writer.flush();
  await Promise.all(rows);
  // About 90 ms of arrivals: a handful of 25 ms groups. Without the linger each INSERT takes
  // the one or two rows that came during the last, some twenty or more.
  expect(inserts).toBeGreaterThan(0);
  expect(inserts).toBeLessThanOrEqual(8);
  const ledger = await store.readLedger('run-linger', 0, 40);
  expect([...ledger.keys()].sort((a, b) => a - b)).toEqual([...Array(40).keys()]);
  expect(writer.pending).toBe(0);
});

test('a row lingers until its group is due, goes at once after flush, and a full group does not wait', async () => {
  // A linger far longer than any INSERT, so what is observed is whether a row waited for it.
  const writer = new LedgerWriter(t.db, 'run-flush', 60_000);
  const first = writer.record(entry(0));
  expect(await Promise.race([first.then(() => 'committed' as const), sleep(300)])).toBe('waited');
  expect(writer.pending).toBe(1);
  await writer.flush();
  await first;
  expect(writer.pending).toBe(0);
  // After flush (the batch has stopped sending) nothing lingers: a bounce's row goes at once.
  expect(await Promise.race([writer.record(entry(1)).then(() => 'committed' as const), sleep(10_000)])).toBe('committed');

  const full = new LedgerWriter(t.db, 'run-full', 60_000);
  const group = Array.from({ length: 200 }, (_, i) => full.record(entry(i)));
  expect(await Promise.race([Promise.all(group).then(() => 'committed' as const), sleep(10_000)])).toBe('committed');
  expect((await store.readLedger('run-full', 0, 200)).size).toBe(200);
});
