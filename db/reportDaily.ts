import { sql, type RawBuilder } from 'kysely';

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

/** The metrics an account contributes: its tasks', as a prospect's (activity report). */
export const ACCOUNT_METRICS = ['task_done', 'task_on_time', 'task_overdue', 'task_escalated'] as const;

/**
 * Customer accounts' contributions to `report_daily` (of the accounts `ids`, or all), from
 * their task events (domain/reporting/postsales.ts, which already counts an overdue or
 * escalated task once per rep): the rep credited is the actor; rep, team and process are the
 * account's owner, team and process; accounts have no source or campaign ('').
 */
export function customerDailySql(ids: readonly string[] | null): RawBuilder<unknown> {
  const only = ids === null ? sql`true` : sql`e.workflow_id = any(${[...ids]}::text[])`;
  return sql`
    select m.metric, (e.at at time zone 'UTC')::date as day, ${ACCOUNT_KEY}::text as key, e.actor, c.owner as rep, c.team, c.process, ''::text as source, ''::text as campaign,
      count(*) as n, 0::numeric as value, 0::numeric as weighted
    from report_customer_events e
    join report_customers c on c.workflow_id = e.workflow_id
    cross join lateral (values (e.kind), (case when e.kind = 'task_done' and e.detail = 'on_time' then 'task_on_time' end)) as m(metric)
    where ${only} and e.kind in ('task_done', 'task_overdue', 'task_escalated') and e.actor is not null and m.metric is not null
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9`;
}
