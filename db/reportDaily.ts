import { sql, type RawBuilder, type Transaction } from 'kysely';
import { prepared } from './database';
import type { Database } from './schema';

/**
 * `report_daily`'s shape (migration 006), shared by the prospects' writer (db/reporting.ts)
 * and the customer accounts' (db/postsalesReport.ts), which both keep their shares of it.
 */

export const DAILY_COLUMNS = sql`(metric, day, key, actor, rep, team, process, source, campaign, n, value, weighted)`;

export const DAILY_KEY = sql`metric, day, key, actor, rep, team, process, source, campaign`;

/** A cell's columns as `jsonb_to_recordset` reads them back from JSON (numeric sums exact). */
export const CELL_RECORD = sql`(metric text, day date, key text, actor text, rep text, team text, process text, source text, campaign text, n bigint, value numeric, weighted numeric)`;

/** The `key` of an account's cells: tells them from a prospect's (key ''), so a rebuild of the accounts replaces theirs only. */
export const ACCOUNT_KEY = 'account';

/** The metrics an account contributes under ACCOUNT_KEY: its tasks', as a prospect's (activity report). */
export const ACCOUNT_METRICS = ['task_done', 'task_on_time', 'task_overdue', 'task_escalated'] as const;

/**
 * An account's logged contacts (activity report): a metric of their own, since their `key`
 * is the channel, as a prospect's contacts' is, and the accounts' rebuild must tell them
 * from the prospects'. The report adds both per channel.
 */
export const ACCOUNT_CONTACT = 'account_contact';

/** Which cells of report_daily are the accounts' (what their rebuild replaces). */
export const ACCOUNT_CELLS = sql`((key = ${ACCOUNT_KEY} and metric in (${sql.join([...ACCOUNT_METRICS])})) or metric = ${ACCOUNT_CONTACT})`;

/** The account events that count in report_daily (the rest are the post-sales report's own). */
export const DAILY_ACCOUNT_EVENTS = ['task_done', 'task_overdue', 'task_escalated', 'contact'] as const;

/**
 * Customer accounts' contributions to `report_daily` (of the accounts `ids`, or all), from
 * their task events (domain/reporting/postsales.ts, which already counts an overdue or
 * escalated task once per rep) and their logged contacts: the person credited is the actor
 * (the task's rep, whoever logged the contact); rep, team and process are the account's
 * owner, team and process; accounts have no source or campaign ('').
 */
export function customerDailySql(ids: readonly string[] | null): RawBuilder<unknown> {
  const only = ids === null ? sql`true` : sql`e.workflow_id = any(${[...ids]}::text[])`;
  return sql`
    select m.metric, (e.at at time zone 'UTC')::date as day, m.key, e.actor, c.owner as rep, c.team, c.process, ''::text as source, ''::text as campaign,
      count(*) as n, 0::numeric as value, 0::numeric as weighted
    from report_customer_events e
    join report_customers c on c.workflow_id = e.workflow_id
    cross join lateral (values
      (case when e.kind = 'contact' then ${ACCOUNT_CONTACT} else e.kind end, case when e.kind = 'contact' then e.detail else ${ACCOUNT_KEY} end),
      (case when e.kind = 'task_done' and e.detail = 'on_time' then 'task_on_time' end, ${ACCOUNT_KEY})) as m(metric, key)
    where ${only} and e.kind in (${sql.join([...DAILY_ACCOUNT_EVENTS])}) and e.actor is not null and m.metric is not null
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9`;
}

/** A cell already there takes the new one's counts on top: what every write and rebuild adds. */
const ADD_TO_CELL = sql`on conflict (metric, day, key, actor, rep, team, process, source, campaign) do update
      set n = report_daily.n + excluded.n, value = report_daily.value + excluded.value, weighted = report_daily.weighted + excluded.weighted`;

/**
 * The statement's last part that adds the cells of CTE `now` less those of CTE `before` to
 * `report_daily`. Cells go in key order and unchanged cells stay untouched: the prospects'
 * and the accounts' writers lock shared cells (today's counts of a rep) in one order, so
 * they queue instead of deadlocking, and hold them only from this statement to the commit.
 */
export function addDailyDifference(now: string, before: string): RawBuilder<unknown> {
  return sql`
    insert into report_daily ${DAILY_COLUMNS}
    select ${DAILY_KEY}, sum(n), sum(value), sum(weighted)
    from (
      select ${DAILY_KEY}, n, value, weighted from ${sql.table(now)}
      union all
      select ${DAILY_KEY}, -n, -value, -weighted from ${sql.table(before)}
    ) d
    group by ${DAILY_KEY}
    having sum(n) <> 0 or sum(value) <> 0 or sum(weighted) <> 0
    order by ${DAILY_KEY}
    ${ADD_TO_CELL}`;
}

/** `insert into report_daily` of these cells, added to any already there (the rebuild's second writer). */
export function addDailyCells(cells: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`insert into report_daily ${DAILY_COLUMNS} ${cells} ${ADD_TO_CELL}`;
}

/** Cells a write emptied (a prospect moved on from a stage, an account's task counted again). */
export async function pruneDaily(tx: Transaction<Database>): Promise<void> {
  await prepared('report_daily_prune', sql`delete from report_daily where n = 0`).execute(tx);
}

/**
 * Per read-model row (a prospect's or an account's workflow id), in id order as every writer
 * takes them: two writes of one row (a retry overlapping a slow attempt) queue, so neither
 * reads the other's share of report_daily as its own.
 */
export async function lockReportRows(tx: Transaction<Database>, ids: readonly string[]): Promise<void> {
  await prepared('report_lock', sql`select pg_advisory_xact_lock(hashtextextended('report:' || id, 0)) from unnest(${[...ids]}::text[]) as id`).execute(tx);
}
