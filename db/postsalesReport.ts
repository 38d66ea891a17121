import { sql, type RawBuilder, type Transaction } from 'kysely';
import { insertFromJson, prepared, withoutQueryTimeout, type SalesflowDb } from './database';
import type { Database } from './schema';
import { ACCOUNT_CELLS, CELL_RECORD, DAILY_ACCOUNT_EVENTS, addDailyCells, addDailyDifference, customerDailySql, lockReportRows, pruneDaily } from './reportDaily';
import type { CustomerProjection } from '../domain/reporting/postsales';
import type { PostsalesReport, ReportFilter } from '../domain/reporting/reports';

/**
 * The post-sales read model (migration 007_report_customers): written by the customer
 * workflows' feed and by the rebuild, read by the `postsales` report. Each write brings an
 * account's rows to its projection, in one transaction, unless the stored record version is
 * newer (a write from an older run arriving late changes nothing).
 */

type Db = SalesflowDb | Transaction<Database>;

async function insertProjection(tx: Db, p: CustomerProjection): Promise<void> {
  await tx.insertInto('report_customers').values(customerRow(p)).execute();
  if (p.events.length > 0) {
    await tx
      .insertInto('report_customer_events')
      .values(p.events.map((e) => ({ workflow_id: p.workflowId, key: e.key, kind: e.kind, at: new Date(e.at), contract_id: e.contractId ?? null, value_cents: e.valueCents, actor: e.actor ?? null, detail: e.detail ?? null })))
      .execute();
  }
}

/** One account's projection, replacing its rows unless a newer version is stored. */
export async function writeCustomerProjection(db: SalesflowDb, p: CustomerProjection): Promise<void> {
  await writeCustomerProjections(db, [p]);
}

const CUSTOMER_EVENT_COLUMNS = { workflow_id: 'text', key: 'text', kind: 'text', at: 'timestamptz', contract_id: 'text', value_cents: 'bigint', actor: 'text', detail: 'text' } as const;

const CUSTOMER_COLUMNS = {
  workflow_id: 'text',
  customer_id: 'text',
  owner: 'text',
  team: 'text',
  process: 'text',
  version: 'integer',
  active_contracts: 'integer',
  recurring_cents: 'bigint',
  annual_recurring_cents: 'bigint',
  lost_revenue_cents: 'bigint',
} as const;

/**
 * Accounts' projections in one transaction (the worker's group commit: a commit costs more
 * than the rows): for each account the newest given, unless a newer version is stored.
 * Accounts in id order, as every group takes them, so two never deadlock. An event's key
 * names what it is (a term falling due, a referral won), so only events new or changed are
 * written and only those the projection no longer holds are deleted: an account with years
 * of contract terms does not rewrite them all at every deal.
 */
export async function writeCustomerProjections(db: SalesflowDb, projections: readonly CustomerProjection[]): Promise<void> {
  const newest = new Map<string, CustomerProjection>();
  for (const p of projections) {
    if ((newest.get(p.workflowId)?.snapshot.version ?? -1) <= p.snapshot.version) newest.set(p.workflowId, p);
  }
  if (newest.size === 0) return;
  const ids = [...newest.keys()].sort();
  await db.transaction().execute(async (tx) => {
    // Two writes of one account (an old run's late retry, the new run) queue.
    await lockReportRows(tx, ids);
    const before = await customerShares(tx, ids);
    const daily = new Set<string>(DAILY_ACCOUNT_EVENTS);
    const counted = (p: CustomerProjection) => p.events.some((e) => daily.has(e.kind));
    for (const id of ids) {
      const p = newest.get(id)!;
      // The row lock orders concurrent writes of one account (an old run's late retry, the new run).
      const stored = await tx.selectFrom('report_customers').select('version').where('workflow_id', '=', p.workflowId).forUpdate().executeTakeFirst();
      if (stored && stored.version > p.snapshot.version) continue;
      const keys = p.events.map((e) => e.key);
      // A contact the account's window archived keeps its row: a contact is never taken back.
      await prepared('report_customer_events_drop', sql`delete from report_customer_events where workflow_id = ${p.workflowId} and key <> all(${keys}::text[]) and kind <> 'contact'`).execute(tx);
      if (p.events.length > 0) {
        const rows = p.events.map((e) => ({ workflow_id: p.workflowId, key: e.key, kind: e.kind, at: e.at, contract_id: e.contractId ?? null, value_cents: e.valueCents, actor: e.actor ?? null, detail: e.detail ?? null }));
        await insertFromJson('report_customer_events_put', 'report_customer_events', CUSTOMER_EVENT_COLUMNS, rows, {
          key: ['workflow_id', 'key'],
          replace: true,
          where:
            '(report_customer_events.kind, report_customer_events.at, report_customer_events.contract_id, report_customer_events.value_cents, report_customer_events.actor, report_customer_events.detail) is distinct from (excluded.kind, excluded.at, excluded.contract_id, excluded.value_cents, excluded.actor, excluded.detail)',
        }).execute(tx);
      }
      await insertFromJson('report_customers_put', 'report_customers', CUSTOMER_COLUMNS, [customerRow(p)], { key: ['workflow_id'], replace: true }).execute(tx);
    }
    // Accounts without tasks or contacts, before and now (most writes: a deal booked), leave report_daily alone.
    if (before !== '[]' || [...newest.values()].some(counted)) {
      await applyCustomerShares(tx, ids, before);
      await pruneDaily(tx);
    }
  });
}

/** These accounts' shares of `report_daily` computed from their rows, as JSON text (numeric sums exact). */
async function customerShares(tx: Transaction<Database>, ids: readonly string[]): Promise<string> {
  const query = prepared('report_daily_customers_before', sql`select coalesce(json_agg(d), '[]')::text as rows from (${customerDailySql(ids)}) d`);
  const { rows } = await (query as RawBuilder<{ rows: string }>).execute(tx);
  return rows[0]!.rows;
}

/**
 * The accounts' change to `report_daily` in one statement: their shares now less `before`,
 * added as the prospects' writer adds theirs (db/reportDaily.ts addDailyDifference).
 */
async function applyCustomerShares(tx: Transaction<Database>, ids: readonly string[], before: string): Promise<void> {
  await prepared('report_daily_customers_apply', sql`
    with now as materialized (${customerDailySql(ids)}),
    old as (select * from jsonb_to_recordset(${before}::jsonb) as old${CELL_RECORD})
    ${addDailyDifference('now', 'old')}`).execute(tx);
}

/** An account's `report_customers` row, for the rebuild's insert and the live write's upsert. */
function customerRow(p: CustomerProjection) {
  const s = p.snapshot;
  return {
    workflow_id: p.workflowId,
    customer_id: s.customerId,
    owner: s.owner,
    team: s.team,
    process: s.process,
    version: s.version,
    active_contracts: s.activeContracts,
    recurring_cents: s.recurringCents,
    annual_recurring_cents: s.annualRecurringCents,
    lost_revenue_cents: s.lostRevenueCents,
  };
}

/** The rebuild: every account's rows replaced by the projections given, in one transaction. */
export async function replaceCustomerProjections(db: SalesflowDb, projections: readonly CustomerProjection[]): Promise<{ customers: number; events: number }> {
  let events = 0;
  // The rebuild's transaction grows with the accounts: no query timeout (db/database.ts).
  await withoutQueryTimeout(() => db.transaction().execute(async (tx) => {
    await sql`truncate report_customer_events, report_customers`.execute(tx);
    for (const p of projections) {
      await insertProjection(tx, p);
      events += p.events.length;
    }
    // The accounts' shares of report_daily, from their new rows (a prospects' rebuild keeps them too).
    await sql`delete from report_daily where ${ACCOUNT_CELLS}`.execute(tx);
    await addDailyCells(customerDailySql(null)).execute(tx);
  }));
  return { customers: projections.length, events };
}

export async function dumpCustomerReadModel(db: SalesflowDb): Promise<{ customers: unknown[]; events: unknown[] }> {
  const customers = await db.selectFrom('report_customers').selectAll().orderBy('workflow_id').execute();
  const events = await db.selectFrom('report_customer_events').selectAll().orderBy('workflow_id').orderBy('key').execute();
  return { customers, events };
}

const num = (v: unknown) => Number(v ?? 0);

/**
 * Renewals falling due, renewed and lapsed, and referrals over the period; recurring revenue
 * now. Filters: rep (the account's owner), team (the owner's team), process; prospects'
 * source and campaign do not apply to accounts.
 */
export async function postsalesReport(db: SalesflowDb, f: ReportFilter): Promise<PostsalesReport> {
  // Whole UTC days, as every report (db/reporting.ts dayRange; not imported: reporting.ts imports this file).
  const DAY = 86_400_000;
  const from = new Date(Math.floor(Date.parse(f.from) / DAY) * DAY);
  const to = new Date(Math.ceil(Date.parse(f.to) / DAY) * DAY);
  const scope = sql.join(
    [
      sql`true`,
      ...(f.rep !== undefined ? [sql`c.owner = ${f.rep}`] : []),
      ...(f.team !== undefined ? [sql`c.team = ${f.team}`] : []),
      ...(f.process !== undefined ? [sql`c.process = ${f.process}`] : []),
    ],
    sql` and `,
  );
  const events = await sql<{ kind: string; n: string; value: string }>`
    select e.kind, count(*) as n, coalesce(sum(e.value_cents), 0) as value
    from report_customer_events e join report_customers c on c.workflow_id = e.workflow_id
    where e.at >= ${from} and e.at < ${to} and ${scope}
    group by e.kind`.execute(db);
  const now = await sql<{ customers: string; active: string; recurring: string; annual: string }>`
    select count(*) as customers, coalesce(sum(c.active_contracts), 0) as active, coalesce(sum(c.recurring_cents), 0) as recurring, coalesce(sum(c.annual_recurring_cents), 0) as annual
    from report_customers c where ${scope}`.execute(db);
  const of = (kind: string) => {
    const row = events.rows.find((r) => r.kind === kind);
    return { count: num(row?.n), valueCents: num(row?.value) };
  };
  const renewed = of('renewed');
  const lapsed = of('lapsed');
  const decided = renewed.count + lapsed.count;
  const r = now.rows[0];
  return {
    filter: f,
    renewals: { due: of('term_due'), renewed, lapsed, renewalRate: decided ? Math.round((renewed.count / decided) * 10_000) / 10_000 : null },
    recurring: { customers: num(r?.customers), activeContracts: num(r?.active), recurringCents: num(r?.recurring), annualRecurringCents: num(r?.annual) },
    referrals: { given: of('referral_given').count, won: of('referral_won'), lost: of('referral_lost').count },
  };
}
