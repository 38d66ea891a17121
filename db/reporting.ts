import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from './schema';
import type { SalesflowDb } from './database';
import { STAGES, type Stage } from '../domain/pipeline/stages';
import { CHANNELS } from '../domain/pipeline/contact';
import type { ProspectProjection, ProspectSnapshot, ReportEvent } from '../domain/reporting/projection';
import type {
  ActivityReport,
  CampaignsReport,
  Distribution,
  ForecastReport,
  FunnelReport,
  QuotesReport,
  ReportFilter,
} from '../domain/reporting/reports';

/**
 * The reporting read model's queries: writing projections (live batches and the rebuild)
 * and the reports, each one SQL statement or a few over the indexes of 003_reporting.
 */

/** A stage's bit in `report_prospects.reached`. */
export function stageBit(stage: Stage): number {
  return 1 << STAGES.indexOf(stage);
}

/** The stage a funnel converts each stage to. */
const NEXT: Partial<Record<Stage, Stage>> = { contact: 'qualification', qualification: 'inquiry', inquiry: 'quotation', quotation: 'won' };

function snapshotRow(workflowId: string, s: ProspectSnapshot) {
  return {
    workflow_id: workflowId,
    prospect_id: s.prospectId,
    version: s.version,
    rep: s.rep,
    team: s.team,
    process: s.process,
    process_version: s.processVersion,
    source: s.source,
    campaign: s.campaign,
    stage: s.stage,
    created_at: new Date(s.createdAt),
    closed_at: s.closedAt === null ? null : new Date(s.closedAt),
    value_cents: s.valueCents,
    currency: s.currency,
    probability: s.probability,
    expected_close: s.expectedClose === null ? null : new Date(s.expectedClose),
    category: s.category,
    lost_reason: s.lostReason,
    ms_contact: s.stageMs.contact ?? null,
    ms_qualification: s.stageMs.qualification ?? null,
    ms_inquiry: s.stageMs.inquiry ?? null,
    ms_quotation: s.stageMs.quotation ?? null,
    reached: s.reached.reduce((bits, stage) => bits | stageBit(stage), 0),
  };
}

function eventRow(workflowId: string, e: ReportEvent) {
  return {
    workflow_id: workflowId,
    seq: e.seq,
    at: new Date(e.at),
    kind: e.kind,
    stage: e.stage ?? null,
    rep: e.rep ?? null,
    channel: e.channel ?? null,
    direction: e.direction ?? null,
    quote_revision: e.quoteRevision ?? null,
    value_cents: e.valueCents ?? null,
    task_id: e.taskId ?? null,
    task_kind: e.taskKind ?? null,
    reason: e.reason ?? null,
    campaign: e.campaign ?? null,
    ms: e.ms ?? null,
    on_time: e.onTime ?? null,
  };
}

/** Rows per insert statement (PostgreSQL allows 65,535 parameters; an event row has 16). */
const CHUNK = 2_000;

async function insertEvents(db: SalesflowDb | Transaction<Database>, rows: ReturnType<typeof eventRow>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto('report_events')
      .values(rows.slice(i, i + CHUNK))
      // Keyed by (workflow id, seq): a retried batch writes nothing twice.
      .onConflict((oc) => oc.columns(['workflow_id', 'seq']).doNothing())
      .execute();
  }
}

/**
 * Writes one batch of projections (the live feed): events once each, and each prospect's
 * snapshot unless the row already holds a newer version (a late retry of an older batch).
 */
export async function writeProjections(db: SalesflowDb, batch: readonly { workflowId: string; snapshot: ProspectSnapshot; events: readonly ReportEvent[] }[]): Promise<void> {
  if (batch.length === 0) return;
  await db.transaction().execute(async (tx) => {
    await insertEvents(tx, batch.flatMap((b) => b.events.map((e) => eventRow(b.workflowId, e))));
    for (const b of batch) {
      const row = snapshotRow(b.workflowId, b.snapshot);
      const { workflow_id: _key, ...update } = row;
      await tx
        .insertInto('report_prospects')
        .values(row)
        .onConflict((oc) => oc.column('workflow_id').doUpdateSet(update).where('report_prospects.version', '<=', row.version))
        .execute();
    }
  });
}

/** Replaces the whole read model with these projections, in one transaction (the rebuild). */
export async function replaceProjections(db: SalesflowDb, projections: readonly ProspectProjection[]): Promise<{ prospects: number; events: number }> {
  let events = 0;
  await db.transaction().execute(async (tx) => {
    await sql`truncate report_events, report_prospects`.execute(tx);
    const snapshots = projections.map((p) => snapshotRow(p.workflowId, p.snapshot));
    for (let i = 0; i < snapshots.length; i += CHUNK / 2) await tx.insertInto('report_prospects').values(snapshots.slice(i, i + CHUNK / 2)).execute();
    const rows = projections.flatMap((p) => p.events.map((e) => eventRow(p.workflowId, e)));
    events = rows.length;
    await insertEvents(tx, rows);
  });
  return { prospects: projections.length, events };
}

/** Every row of the read model in key order: what the rebuild-equals-live test compares. */
export async function dumpReadModel(db: SalesflowDb): Promise<{ prospects: unknown[]; events: unknown[] }> {
  const prospects = await db.selectFrom('report_prospects').selectAll().orderBy('workflow_id').execute();
  const events = await db.selectFrom('report_events').selectAll().orderBy('workflow_id').orderBy('seq').execute();
  return { prospects, events };
}

// ---- reports ----

function and(parts: RawBuilder<unknown>[]): RawBuilder<unknown> {
  return parts.length === 0 ? sql`true` : sql.join(parts, sql` and `);
}

/** The prospect-level filters on `report_prospects` aliased `p`. */
function prospectWhere(f: ReportFilter, options: { people?: boolean } = {}): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (options.people !== false) {
    if (f.rep !== undefined) parts.push(sql`p.rep = ${f.rep}`);
    if (f.team !== undefined) parts.push(sql`p.team = ${f.team}`);
  }
  if (f.process !== undefined) parts.push(sql`p.process = ${f.process}`);
  if (f.source !== undefined) parts.push(sql`p.source = ${f.source}`);
  if (f.campaign !== undefined) parts.push(sql`p.campaign = ${f.campaign}`);
  return and(parts);
}

function needsProspect(f: ReportFilter, people = true): boolean {
  return (people && (f.rep !== undefined || f.team !== undefined)) || f.process !== undefined || f.source !== undefined || f.campaign !== undefined;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Math.round(Number(v)));
const ratio = (a: number, b: number): number | null => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);

/** percentile_cont over min, q1, median, q3, p90, max of an expression (nulls ignored). */
function distributionSql(expr: RawBuilder<unknown>, filter?: RawBuilder<unknown>): RawBuilder<unknown> {
  const where = filter ? sql` filter (where ${filter})` : sql``;
  return sql`percentile_cont(array[0, 0.25, 0.5, 0.75, 0.9, 1]::float8[]) within group (order by ${expr})${where}`;
}

function distribution(count: unknown, pct: unknown, avg: unknown): Distribution {
  const p = (pct as (number | null)[] | null) ?? [];
  const at = (i: number) => numOrNull(p[i]);
  return { count: num(count), minMs: at(0), q1Ms: at(1), medianMs: at(2), q3Ms: at(3), p90Ms: at(4), maxMs: at(5), avgMs: numOrNull(avg) };
}

export async function funnelReport(db: SalesflowDb, f: ReportFilter): Promise<FunnelReport> {
  const from = new Date(f.from);
  const to = new Date(f.to);
  const nextBit = sql.raw(
    `case e.stage ${Object.entries(NEXT)
      .map(([s, n]) => `when '${s}' then ${stageBit(n)}`)
      .join(' ')} else 0 end`,
  );
  const entered = await sql<{ stage: Stage; entered: string; converted: string }>`
    select e.stage, count(*) as entered, count(*) filter (where p.reached & ${nextBit} <> 0) as converted
    from (select distinct e.workflow_id, e.stage from report_events e where e.kind = 'stage' and e.at >= ${from} and e.at < ${to}) e
    join report_prospects p on p.workflow_id = e.workflow_id
    where ${prospectWhere(f)}
    group by e.stage`.execute(db);
  const byStage = new Map(entered.rows.map((r) => [r.stage, r]));

  const closedIn = sql`p.closed_at >= ${from} and p.closed_at < ${to} and ${prospectWhere(f)}`;
  const cycle = sql`extract(epoch from (p.closed_at - p.created_at)) * 1000`;
  const outcome = await sql<Record<string, unknown>>`
    select count(*) filter (where p.stage = 'won') as won, coalesce(sum(p.value_cents) filter (where p.stage = 'won'), 0) as won_value,
      count(*) filter (where p.stage = 'lost') as lost, coalesce(sum(p.value_cents) filter (where p.stage = 'lost'), 0) as lost_value,
      count(*) as closed, ${distributionSql(cycle)} as cycle, avg(${cycle}) as cycle_avg,
      ${sql.join(
        (['contact', 'qualification', 'inquiry', 'quotation'] as const).map(
          (s) => sql`count(${sql.ref(`p.ms_${s}`)}) as ${sql.ref(`n_${s}`)}, ${distributionSql(sql.ref(`p.ms_${s}`))} as ${sql.ref(`d_${s}`)}, avg(${sql.ref(`p.ms_${s}`)}) as ${sql.ref(`a_${s}`)}`,
        ),
      )}
    from report_prospects p where ${closedIn}`.execute(db);
  const o = outcome.rows[0] ?? {};
  const reasons = await sql<{ reason: string; count: string }>`
    select p.lost_reason as reason, count(*) as count from report_prospects p
    where p.stage = 'lost' and p.lost_reason is not null and ${closedIn}
    group by p.lost_reason order by count(*) desc, p.lost_reason limit 20`.execute(db);

  const won = num(o.won);
  const lost = num(o.lost);
  const wonValue = num(o.won_value);
  const lostValue = num(o.lost_value);
  return {
    filter: f,
    stages: STAGES.map((stage) => {
      const row = byStage.get(stage);
      const next = NEXT[stage] ?? null;
      const n = num(row?.entered);
      const converted = next ? num(row?.converted) : null;
      return { stage, entered: n, next, converted, conversion: converted === null ? null : ratio(converted, n) };
    }),
    won: { count: won, valueCents: wonValue },
    lost: { count: lost, valueCents: lostValue },
    winRate: { byCount: ratio(won, won + lost), byValue: ratio(wonValue, wonValue + lostValue) },
    cycle: distribution(o.closed, o.cycle, o.cycle_avg),
    timeInStage: (['contact', 'qualification', 'inquiry', 'quotation'] as const).map((stage) => ({ stage, ...distribution(o[`n_${stage}`], o[`d_${stage}`], o[`a_${stage}`]) })),
    lostReasons: reasons.rows.map((r) => ({ reason: r.reason, count: num(r.count) })),
  };
}

export async function forecastReport(db: SalesflowDb, f: ReportFilter): Promise<ForecastReport> {
  const from = new Date(f.from);
  const to = new Date(f.to);
  const months = await sql<{ month: string; category: ForecastReport['months'][number]['category']; count: string; value: string; weighted: string }>`
    select to_char(p.expected_close at time zone 'UTC', 'YYYY-MM') as month, p.category, count(*) as count,
      sum(p.value_cents) as value, round(sum(p.value_cents * p.probability)) as weighted
    from report_prospects p
    where p.category is not null and p.expected_close >= ${from} and p.expected_close < ${to}
      and (p.closed_at is null or p.stage = 'won') and ${prospectWhere(f)}
    group by 1, 2 order by 1, 2`.execute(db);
  const pipeline = await sql<{ stage: Stage; count: string; value: string; weighted: string }>`
    select p.stage, count(*) as count, sum(p.value_cents) as value, round(sum(p.value_cents * p.probability)) as weighted
    from report_prospects p where p.closed_at is null and ${prospectWhere(f)}
    group by p.stage`.execute(db);
  const byStage = new Map(pipeline.rows.map((r) => [r.stage, r]));
  const monthRows = months.rows.map((m) => ({ month: m.month, category: m.category, count: num(m.count), valueCents: num(m.value), weightedCents: num(m.weighted) }));
  const open = monthRows.filter((m) => m.category !== 'closed');
  return {
    filter: f,
    months: monthRows,
    pipeline: (['contact', 'qualification', 'inquiry', 'quotation'] as const).map((stage) => {
      const r = byStage.get(stage);
      return { stage, count: num(r?.count), valueCents: num(r?.value), weightedCents: num(r?.weighted) };
    }),
    totals: {
      valueCents: open.reduce((s, m) => s + m.valueCents, 0),
      weightedCents: open.reduce((s, m) => s + m.weightedCents, 0),
      wonCents: monthRows.filter((m) => m.category === 'closed').reduce((s, m) => s + m.valueCents, 0),
    },
  };
}

/** `from report_events e` joined to its prospect only when a prospect-level filter asks for it. */
function eventsFrom(f: ReportFilter, people = true): RawBuilder<unknown> {
  return needsProspect(f, people) ? sql`report_events e join report_prospects p on p.workflow_id = e.workflow_id` : sql`report_events e`;
}

export async function quotesReport(db: SalesflowDb, f: ReportFilter): Promise<QuotesReport> {
  const from = new Date(f.from);
  const to = new Date(f.to);
  const answered = sql`e.kind in ('quote_accepted', 'quote_rejected')`;
  const counts = await sql<Record<string, unknown>>`
    select count(*) filter (where e.kind = 'quote_sent') as sent, coalesce(sum(e.value_cents) filter (where e.kind = 'quote_sent'), 0) as sent_value,
      count(*) filter (where e.kind = 'quote_accepted') as accepted, coalesce(sum(e.value_cents) filter (where e.kind = 'quote_accepted'), 0) as accepted_value,
      count(*) filter (where e.kind = 'quote_rejected') as rejected, count(*) filter (where e.kind = 'quote_expired') as expired,
      count(*) filter (where e.kind = 'quote_superseded') as superseded,
      count(e.ms) filter (where ${answered}) as answers, ${distributionSql(sql`e.ms`, answered)} as answer, avg(e.ms) filter (where ${answered}) as answer_avg
    from ${eventsFrom(f)}
    where e.kind in ('quote_sent', 'quote_accepted', 'quote_rejected', 'quote_expired', 'quote_superseded') and e.at >= ${from} and e.at < ${to} and ${prospectWhere(f)}`.execute(db);
  const c = counts.rows[0] ?? {};
  // Of the revisions sent in the period, those that were ever reminded or escalated.
  const flagged = await sql<{ stale: string; escalated: string }>`
    select count(distinct e.workflow_id || ':' || e.quote_revision) filter (where r.kind = 'quote_reminder') as stale,
      count(distinct e.workflow_id || ':' || e.quote_revision) filter (where r.kind = 'quote_escalation') as escalated
    from ${eventsFrom(f)} join report_events r on r.workflow_id = e.workflow_id and r.quote_revision = e.quote_revision and r.kind in ('quote_reminder', 'quote_escalation')
    where e.kind = 'quote_sent' and e.at >= ${from} and e.at < ${to} and ${prospectWhere(f)}`.execute(db);
  const sent = num(c.sent);
  const stale = num(flagged.rows[0]?.stale);
  const escalated = num(flagged.rows[0]?.escalated);
  return {
    filter: f,
    sent,
    sentValueCents: num(c.sent_value),
    accepted: num(c.accepted),
    acceptedValueCents: num(c.accepted_value),
    rejected: num(c.rejected),
    expired: num(c.expired),
    superseded: num(c.superseded),
    timeToAnswer: distribution(c.answers, c.answer, c.answer_avg),
    stale: { count: stale, share: ratio(stale, sent) },
    escalated: { count: escalated, share: ratio(escalated, sent) },
  };
}

/** The acting person's filters for the activity report: `e.rep`, and for a team its reps. */
function actorWhere(f: ReportFilter, column: RawBuilder<unknown>): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (f.rep !== undefined) parts.push(sql`${column} = ${f.rep}`);
  if (f.team !== undefined) parts.push(sql`${column} in (select distinct t.rep from report_prospects t where t.team = ${f.team})`);
  return and(parts);
}

export async function activityReport(db: SalesflowDb, f: ReportFilter): Promise<ActivityReport> {
  const from = new Date(f.from);
  const to = new Date(f.to);
  const period = sql`e.at >= ${from} and e.at < ${to}`;
  const scope = sql`${prospectWhere(f, { people: false })} and ${actorWhere(f, sql`e.rep`)}`;
  // Contacts by people only: campaign mails are the campaigns report's.
  const person = sql`e.rep not like 'campaign:%' and e.rep <> 'system'`;
  const contacts = await sql<{ rep: string; channel: string; count: string }>`
    select e.rep, e.channel, count(*) as count from ${eventsFrom(f, false)}
    where e.kind = 'contact' and ${period} and ${person} and ${scope} group by e.rep, e.channel`.execute(db);
  const tasks = await sql<{ rep: string; done: string; on_time: string; overdue: string }>`
    select e.rep, count(*) filter (where e.kind = 'task_done') as done, count(*) filter (where e.kind = 'task_done' and e.on_time) as on_time,
      count(distinct e.task_id) filter (where e.kind = 'task_overdue') as overdue
    from ${eventsFrom(f, false)}
    where e.kind in ('task_done', 'task_overdue') and ${period} and ${scope} group by e.rep`.execute(db);
  // An escalation goes to the manager; it counts for the rep the task was overdue with.
  const escalated = await sql<{ rep: string; escalated: string }>`
    select o.rep, count(distinct e.task_id) as escalated from ${eventsFrom(f, false)}
    join report_events o on o.workflow_id = e.workflow_id and o.task_id = e.task_id and o.kind = 'task_overdue'
    where e.kind = 'task_escalated' and ${period} and ${prospectWhere(f, { people: false })} and ${actorWhere(f, sql`o.rep`)}
    group by o.rep`.execute(db);
  const weeks = await sql<{ week: string; contacts: string; done: string }>`
    select to_char(date_trunc('week', e.at at time zone 'UTC'), 'YYYY-MM-DD') as week,
      count(*) filter (where e.kind = 'contact') as contacts, count(*) filter (where e.kind = 'task_done') as done
    from ${eventsFrom(f, false)}
    where ((e.kind = 'contact' and ${person}) or e.kind = 'task_done') and ${period} and ${scope}
    group by 1 order by 1`.execute(db);

  type Row = ActivityReport['reps'][number];
  const reps = new Map<string, Row>();
  const row = (rep: string): Row => {
    let r = reps.get(rep);
    if (!r) {
      r = { rep, contacts: { ...(Object.fromEntries(CHANNELS.map((c) => [c, 0])) as Record<(typeof CHANNELS)[number], number>), total: 0 }, tasksDone: 0, tasksOnTime: 0, slaCompliance: null, overdue: 0, escalated: 0 };
      reps.set(rep, r);
    }
    return r;
  };
  for (const c of contacts.rows) {
    const r = row(c.rep);
    r.contacts[c.channel as (typeof CHANNELS)[number]] = num(c.count);
    r.contacts.total += num(c.count);
  }
  for (const t of tasks.rows) {
    const r = row(t.rep);
    r.tasksDone = num(t.done);
    r.tasksOnTime = num(t.on_time);
    r.slaCompliance = ratio(r.tasksOnTime, r.tasksDone);
    r.overdue = num(t.overdue);
  }
  for (const e of escalated.rows) row(e.rep).escalated = num(e.escalated);
  return {
    filter: f,
    reps: [...reps.values()].sort((a, b) => a.rep.localeCompare(b.rep)),
    weeks: weeks.rows.map((w) => ({ week: w.week, contacts: num(w.contacts), tasksDone: num(w.done) })),
  };
}

export async function campaignsReport(db: SalesflowDb, f: ReportFilter): Promise<CampaignsReport> {
  const from = new Date(f.from);
  const to = new Date(f.to);
  // A campaign's mails and replies are filtered by the prospect's own dimensions, not by its source campaign.
  const scope = prospectWhere({ ...f, campaign: undefined });
  const own = f.campaign !== undefined ? sql`e.campaign = ${f.campaign}` : sql`true`;
  const mails = await sql<{ campaign: string; mailed: string }>`
    select e.campaign, count(*) as mailed from ${eventsFrom({ ...f, campaign: undefined })}
    where e.kind = 'contact' and e.campaign is not null and e.direction = 'outbound' and e.at >= ${from} and e.at < ${to} and ${own} and ${scope}
    group by e.campaign`.execute(db);
  const replies = await sql<{ campaign: string; replied: string }>`
    select e.campaign, count(distinct e.workflow_id) as replied from ${eventsFrom({ ...f, campaign: undefined })}
    join report_events i on i.workflow_id = e.workflow_id and i.kind = 'contact' and i.direction = 'inbound' and i.at >= e.at and i.at >= ${from} and i.at < ${to}
    where e.kind = 'contact' and e.campaign is not null and e.direction = 'outbound' and e.at < ${to} and ${own} and ${scope}
    group by e.campaign`.execute(db);
  const leads = await sql<{ campaign: string; leads: string; converted: string }>`
    select p.campaign, count(*) as leads, count(*) filter (where p.stage = 'won') as converted from report_prospects p
    where p.campaign is not null and p.created_at >= ${from} and p.created_at < ${to} and ${prospectWhere(f)}
    group by p.campaign`.execute(db);
  const rows = new Map<string, CampaignsReport['campaigns'][number]>();
  const row = (campaign: string) => {
    let r = rows.get(campaign);
    if (!r) rows.set(campaign, (r = { campaign, mailed: 0, replied: 0, leads: 0, converted: 0 }));
    return r;
  };
  for (const m of mails.rows) row(m.campaign).mailed = num(m.mailed);
  for (const m of replies.rows) row(m.campaign).replied = num(m.replied);
  for (const l of leads.rows) Object.assign(row(l.campaign), { leads: num(l.leads), converted: num(l.converted) });
  return { filter: f, campaigns: [...rows.values()].sort((a, b) => a.campaign.localeCompare(b.campaign)) };
}

const QUERIES = {
  funnel: funnelReport,
  forecast: forecastReport,
  quotes: quotesReport,
  activity: activityReport,
  campaigns: campaignsReport,
} as const;

/**
 * Each report in a transaction with room to hash and sort in memory (a year of
 * 100,000 prospects' events does not fit the default 4 MB work_mem).
 */
export const REPORT_QUERIES = Object.fromEntries(
  Object.entries(QUERIES).map(([name, query]) => [
    name,
    (db: SalesflowDb, f: ReportFilter) =>
      db.transaction().execute(async (tx) => {
        await sql`set local work_mem = '64MB'`.execute(tx);
        return (query as (db: SalesflowDb, f: ReportFilter) => Promise<unknown>)(tx, f);
      }),
  ]),
) as unknown as typeof QUERIES;
