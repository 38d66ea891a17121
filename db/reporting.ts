import { sql, type RawBuilder, type Transaction } from 'kysely';
import { postsalesReport } from './postsalesReport';
import { ACCOUNT_CONTACT, CELL_RECORD, DAILY_COLUMNS, addDailyDifference, customerDailySql, lockReportRows, pruneDaily } from './reportDaily';
import type { Database } from './schema';
import { insertFromJson, prepared, withoutQueryTimeout, type SalesflowDb } from './database';
import { SEARCH_TEXT } from './migrations/010_report_prospect_names';
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
  ReportDimensions,
  ReportFilter,
} from '../domain/reporting/reports';

/**
 * The reporting read model's queries: writing projections (live batches and the rebuild)
 * and the reports, each one SQL statement or a few: counts from the per-day pre-aggregates of
 * 006_report_daily, exact percentiles from covering indexes over the rows.
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
    name: s.name ?? null,
    company: s.company ?? null,
    email: s.email ?? null,
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

/** report_events' columns with their SQL types: the rows eventRow makes, as a live write sends them. */
const EVENT_COLUMNS: Record<keyof ReturnType<typeof eventRow>, string> = {
  workflow_id: 'text',
  seq: 'integer',
  at: 'timestamptz',
  kind: 'text',
  stage: 'text',
  rep: 'text',
  channel: 'text',
  direction: 'text',
  quote_revision: 'integer',
  value_cents: 'bigint',
  task_id: 'text',
  task_kind: 'text',
  reason: 'text',
  campaign: 'text',
  ms: 'bigint',
  on_time: 'boolean',
};

/** report_prospects' columns with their SQL types, as snapshotRow makes them. */
const SNAPSHOT_COLUMNS: Record<keyof ReturnType<typeof snapshotRow>, string> = {
  workflow_id: 'text',
  prospect_id: 'text',
  name: 'text',
  company: 'text',
  email: 'text',
  version: 'integer',
  rep: 'text',
  team: 'text',
  process: 'text',
  process_version: 'integer',
  source: 'text',
  campaign: 'text',
  stage: 'text',
  created_at: 'timestamptz',
  closed_at: 'timestamptz',
  value_cents: 'bigint',
  currency: 'text',
  probability: 'float8',
  expected_close: 'timestamptz',
  category: 'text',
  lost_reason: 'text',
  ms_contact: 'bigint',
  ms_qualification: 'bigint',
  ms_inquiry: 'bigint',
  ms_quotation: 'bigint',
  reached: 'integer',
};

/**
 * Keyed by (workflow id, seq): a retried batch writes nothing twice. The later write wins: a
 * workflow task can write within the task and then not commit (its worker died), and the
 * task that does commit may have made that sequence number something else.
 */
async function insertEvents(db: SalesflowDb | Transaction<Database>, rows: ReturnType<typeof eventRow>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await insertFromJson('report_events_put', 'report_events', EVENT_COLUMNS, rows.slice(i, i + CHUNK), { key: ['workflow_id', 'seq'], replace: true }).execute(db);
  }
}

/** The `case` giving the bit of the stage a funnel converts `column`'s stage to. */
function nextBitSql(column: string): RawBuilder<unknown> {
  return sql.raw(
    `case ${column} ${Object.entries(NEXT)
      .map(([s, n]) => `when '${s}' then ${stageBit(n)}`)
      .join(' ')} else 0 end`,
  );
}

/**
 * Every prospect's contribution to `report_daily` (of the prospects `ids`, or all), summed
 * per cell. Each contribution counts 1 on the UTC day it happened:
 *
 * | metric | key | actor | day | counts |
 * | --- | --- | --- | --- | --- |
 * | entered, converted | stage | | first entry into the stage | the prospect (converted: it has reached the next stage) |
 * | forecast | category | | expected close | open with a category, or won; value and weighted value |
 * | open | stage | | created | every open prospect now; value and weighted value |
 * | quote_sent … quote_superseded | | | the event | value of sent/accepted |
 * | quote_stale, quote_escalated | | | the revision's sending | a sent revision ever reminded / escalated |
 * | contact | channel | author | the contact | contacts by people (not campaigns, not the system) |
 * | task_done, task_on_time | | rep | done | |
 * | task_overdue | | rep | first time | each task once per rep it was overdue with |
 * | task_escalated | | overdue rep | first escalation | each task once per rep it was overdue with |
 * | campaign_mail | campaign | | the mail | |
 * | campaign_reply | campaign | | first inbound contact after the campaign's first mail | the prospect |
 * | lead, lead_converted | campaign | | created | prospects the campaign created (converted: won) |
 *
 * "First" makes the distinct counts additive over days: a prospect entering a stage twice,
 * or a task escalated twice, counts once, on the first day.
 */
function dailyContributionsSql(ids: readonly string[] | null, options: { byProspect?: boolean } = {}): RawBuilder<unknown> {
  const only = ids === null ? sql`true` : sql`workflow_id = any(${[...ids]}::text[])`;
  // Per prospect: its workflow id and row version lead the cell's key.
  const prospect = options.byProspect ? sql`c.workflow_id, p.version, ` : sql``;
  const groups = sql.raw(Array.from({ length: options.byProspect ? 11 : 9 }, (_, i) => i + 1).join(', '));
  const quoteKinds = sql`('quote_sent', 'quote_accepted', 'quote_rejected', 'quote_expired', 'quote_superseded')`;
  // All prospects (the rebuild): not materialized, so the planner sees the tables' statistics
  // and hash-joins (a materialized CTE has none, and nested loops over a year of events never
  // end). A batch's prospects: materialized, so their events are read once rather than once
  // per branch below; PostgreSQL's time per live write fell by a quarter for a prospect with
  // 40 contacts, and a batch of 200 prospects with 60,000 events took no longer.
  const materialized = sql.raw(ids === null ? 'not materialized' : 'materialized');
  return sql`
    with p as ${materialized} (
      select workflow_id, version, rep, coalesce(team, '') as team, process, source, coalesce(campaign, '') as campaign, stage, reached,
        created_at, closed_at, value_cents::numeric as value, value_cents::numeric * probability::numeric as weighted, expected_close, category
      from report_prospects where ${only}
    ),
    e as ${materialized} (select * from report_events where ${only}),
    firsts as (select workflow_id, stage, min(at) as at from e where kind = 'stage' group by workflow_id, stage),
    mails as (select workflow_id, campaign, min(at) as at from e where kind = 'contact' and campaign is not null and direction = 'outbound' group by workflow_id, campaign),
    c (workflow_id, at, metric, key, actor, value, weighted) as (
      select workflow_id, at, 'entered', stage, '', 0::numeric, 0::numeric from firsts
      union all
      select f.workflow_id, f.at, 'converted', f.stage, '', 0, 0 from firsts f join p on p.workflow_id = f.workflow_id where p.reached & ${nextBitSql('f.stage')} <> 0
      union all
      select workflow_id, expected_close, 'forecast', category, '', value, weighted from p
        where category is not null and expected_close is not null and (closed_at is null or stage = 'won')
      union all
      select workflow_id, created_at, 'open', stage, '', value, weighted from p where closed_at is null
      union all
      select workflow_id, at, kind, '', '', coalesce(value_cents, 0)::numeric, 0 from e where kind in ${quoteKinds}
      union all
      select s.workflow_id, s.at, case r.kind when 'quote_reminder' then 'quote_stale' else 'quote_escalated' end, '', '', 0, 0
      from e s join (
        select distinct workflow_id, quote_revision, kind from e where kind in ('quote_reminder', 'quote_escalation')
      ) r on r.workflow_id = s.workflow_id and r.quote_revision = s.quote_revision
      where s.kind = 'quote_sent'
      union all
      select workflow_id, at, 'contact', coalesce(channel, ''), rep, 0, 0 from e where kind = 'contact' and rep not like 'campaign:%' and rep <> 'system'
      union all
      select workflow_id, at, 'task_done', '', coalesce(rep, ''), 0, 0 from e where kind = 'task_done'
      union all
      select workflow_id, at, 'task_on_time', '', coalesce(rep, ''), 0, 0 from e where kind = 'task_done' and on_time
      union all
      select workflow_id, min(at), 'task_overdue', '', coalesce(rep, ''), 0, 0 from e where kind = 'task_overdue' group by workflow_id, task_id, rep
      union all
      select x.workflow_id, min(x.at), 'task_escalated', '', o.rep, 0, 0 from e x
      join (select distinct workflow_id, task_id, coalesce(rep, '') as rep from e where kind = 'task_overdue') o on o.workflow_id = x.workflow_id and o.task_id = x.task_id
      where x.kind = 'task_escalated' group by x.workflow_id, x.task_id, o.rep
      union all
      select workflow_id, at, 'campaign_mail', campaign, '', 0, 0 from e where kind = 'contact' and campaign is not null and direction = 'outbound'
      union all
      select m.workflow_id, min(i.at), 'campaign_reply', m.campaign, '', 0, 0 from mails m
      join e i on i.workflow_id = m.workflow_id and i.kind = 'contact' and i.direction = 'inbound' and i.at >= m.at
      group by m.workflow_id, m.campaign
      union all
      select workflow_id, created_at, 'lead', campaign, '', 0, 0 from p where campaign <> ''
      union all
      select workflow_id, created_at, 'lead_converted', campaign, '', 0, 0 from p where campaign <> '' and stage = 'won'
    )
    select ${prospect}c.metric, (c.at at time zone 'UTC')::date as day, c.key, c.actor, p.rep, p.team, p.process, p.source, p.campaign,
      count(*) as n, sum(c.value) as value, sum(c.weighted) as weighted
    from c join p on p.workflow_id = c.workflow_id
    group by ${groups}`;
}


/**
 * Of these prospects, those whose share stored in `report_prospect_daily` is not for their
 * row's current version (written before that table, or by an older worker): their share
 * before this batch must be computed from their rows. A prospect with no row yet has none.
 */
async function unstoredShares(db: Transaction<Database>, ids: readonly string[]): Promise<string[]> {
  const { rows } = await (prepared(
    'report_daily_unstored',
    sql`select r.workflow_id from report_prospects r left join report_prospect_daily d on d.workflow_id = r.workflow_id
      where r.workflow_id = any(${[...ids]}::text[]) and d.version is distinct from r.version`,
  ) as RawBuilder<{ workflow_id: string }>).execute(db);
  return rows.map((r) => r.workflow_id);
}

/**
 * These prospects' current contributions to `report_daily` computed from their rows, as JSON
 * text: numeric sums stay exact (parsed into JavaScript numbers they would not), to be handed
 * back to `applyDailyChange`.
 */
async function dailyContributions(db: Transaction<Database>, ids: readonly string[]): Promise<string> {
  if (ids.length === 0) return '[]';
  const query = prepared('report_daily_before', sql`select coalesce(json_agg(d), '[]')::text as rows from (${dailyContributionsSql(ids)}) d`);
  const { rows } = await (query as RawBuilder<{ rows: string }>).execute(db);
  return rows[0]!.rows;
}

/**
 * Applies the prospects' change to `report_daily` in one statement: their shares now, computed
 * from their rows, less their shares before (stored in `report_prospect_daily` for `stored`,
 * given as `computed` for the rest), in key order (db/reportDaily.ts addDailyDifference); and
 * stores the shares now. Every part of the statement reads the table as it was before it, so
 * the stored shares read are the old ones.
 */
async function applyDailyChange(db: Transaction<Database>, ids: readonly string[], stored: readonly string[], computed: string): Promise<void> {
  await prepared('report_daily_apply', sql`
    with now as materialized (${dailyContributionsSql(ids, { byProspect: true })}),
    kept as (
      insert into report_prospect_daily (workflow_id, version, cells)
      select r.workflow_id, r.version, coalesce((select jsonb_agg(to_jsonb(x) - 'workflow_id' - 'version') from now x where x.workflow_id = r.workflow_id), '[]')
      from report_prospects r where r.workflow_id = any(${[...ids]}::text[])
      on conflict (workflow_id) do update set version = excluded.version, cells = excluded.cells
    ),
    before as (
      select old.* from report_prospect_daily d cross join jsonb_to_recordset(d.cells) as old${CELL_RECORD}
      where d.workflow_id = any(${[...stored]}::text[])
      union all
      select * from jsonb_to_recordset(${computed}::jsonb) as old${CELL_RECORD}
    )
    ${addDailyDifference('now', 'before')}`).execute(db);
}

/**
 * Recomputes all of `report_daily` from the rows (the rebuild, and the benchmark's seed). The
 * prospects' kept shares are emptied rather than recomputed (keeping them made a rebuild of
 * 30,000 prospects half as slow again): each prospect's next write computes its old share from
 * its rows, as for a prospect written before they were kept.
 */
export async function rebuildDaily(db: SalesflowDb | Transaction<Database>): Promise<void> {
  await sql`truncate report_daily, report_prospect_daily`.execute(db);
  await sql`insert into report_daily ${DAILY_COLUMNS} ${dailyContributionsSql(null)}`.execute(db);
  // The customer accounts' tasks and contacts (cells of their own: a key or a metric no prospect's cell has).
  await sql`insert into report_daily ${DAILY_COLUMNS} ${customerDailySql(null)}`.execute(db);
}

/**
 * Writes one batch of projections (the live feed): events once each, and each prospect's
 * snapshot unless the row already holds a newer version (a late retry of an older batch);
 * and in the same transaction `report_daily`: the change from the prospects' old
 * contributions to their new ones. A per-prospect advisory lock keeps two batches of one prospect (a retry
 * overlapping a slow attempt) from reading the same old contribution.
 */
export async function writeProjections(db: SalesflowDb, batch: readonly { workflowId: string; snapshot: ProspectSnapshot; events: readonly ReportEvent[] }[]): Promise<void> {
  if (batch.length === 0) return;
  // One row per prospect (its newest snapshot) and per event (its last write): a statement
  // may not change a row twice.
  const snapshots = new Map<string, ProspectSnapshot>();
  const events = new Map<string, ReturnType<typeof eventRow>>();
  for (const b of batch) {
    if ((snapshots.get(b.workflowId)?.version ?? -1) <= b.snapshot.version) snapshots.set(b.workflowId, b.snapshot);
    for (const e of b.events) events.set(`${b.workflowId}\u0000${e.seq}`, eventRow(b.workflowId, e));
  }
  const ids = [...snapshots.keys()].sort();
  // Every statement has the same text whatever the batch holds, so each is planned once per
  // connection (see `prepared`): a write is a handful of executions.
  await db.transaction().execute(async (tx) => {
    await lockReportRows(tx, ids);
    // Shares before: stored for most; computed, before the rows change, for the others.
    const unstored = await unstoredShares(tx, ids);
    const computed = await dailyContributions(tx, unstored);
    const recompute = new Set(unstored);
    const stored = ids.filter((id) => !recompute.has(id));
    if (events.size > 0) await insertEvents(tx, [...events.values()]);
    const rows = ids.map((id) => snapshotRow(id, snapshots.get(id)!));
    await insertFromJson('report_prospects_put', 'report_prospects', SNAPSHOT_COLUMNS, rows, { key: ['workflow_id'], replace: true, where: 'report_prospects.version <= excluded.version' }).execute(tx);
    await applyDailyChange(tx, ids, stored, computed);
    // Cells this batch emptied (a prospect moved on from a stage, a forecast month changed).
    await pruneDaily(tx);
  });
}

/** Replaces the whole read model with these projections, in one transaction (the rebuild). */
export async function replaceProjections(db: SalesflowDb, projections: readonly ProspectProjection[]): Promise<{ prospects: number; events: number }> {
  let events = 0;
  // Minutes for a million events (README, Reports): no query timeout (db/database.ts).
  await withoutQueryTimeout(() => db.transaction().execute(async (tx) => {
    await sql`truncate report_events, report_prospects`.execute(tx);
    const snapshots = projections.map((p) => snapshotRow(p.workflowId, p.snapshot));
    for (let i = 0; i < snapshots.length; i += CHUNK / 2) await tx.insertInto('report_prospects').values(snapshots.slice(i, i + CHUNK / 2)).execute();
    const rows = projections.flatMap((p) => p.events.map((e) => eventRow(p.workflowId, e)));
    events = rows.length;
    await insertEvents(tx, rows);
    // Bounces and unsubscribes are not in the prospect workflows: the rebuild keeps them.
    await rebuildDaily(tx);
  }));
  return { prospects: projections.length, events };
}

/** Records a campaign run's bounce or unsubscribe; a second time changes nothing. */
export async function recordCampaignOutcome(db: SalesflowDb, o: { run: string; email: string; outcome: 'bounced' | 'unsubscribed'; campaign: string; at: Date }): Promise<void> {
  await db.insertInto('report_campaign_outcomes').values(o).onConflict((oc) => oc.columns(['run', 'email', 'outcome']).doNothing()).execute();
}

/** Every row of the read model in key order: what the rebuild-equals-live test compares. */
export async function dumpReadModel(db: SalesflowDb): Promise<{ prospects: unknown[]; events: unknown[]; daily: unknown[] }> {
  const prospects = await db.selectFrom('report_prospects').selectAll().orderBy('workflow_id').execute();
  const events = await db.selectFrom('report_events').selectAll().orderBy('workflow_id').orderBy('seq').execute();
  const daily = await sql`select * from report_daily order by metric, day, key, actor, rep, team, process, source, campaign`.execute(db);
  return { prospects, events, daily: daily.rows };
}

/**
 * The prospects closed (won or lost) since `since`, most recent first, at most `limit` and the
 * count of all of them: the board's Won and Lost columns. Visibility has no close time; the
 * read model has it, indexed.
 */
export async function recentlyClosedProspects(
  db: SalesflowDb,
  f: { since: Date; rep?: string; team?: string; limit: number; manager?: { teams: readonly string[]; personId: string | null } },
): Promise<{ ids: string[]; total: number }> {
  let q = db.selectFrom('report_prospects').where('closed_at', '>=', f.since).where('stage', 'in', ['won', 'lost']);
  if (f.rep !== undefined) q = q.where('rep', '=', f.rep);
  if (f.team !== undefined) q = q.where('team', '=', f.team);
  // A manager's own prospects and their team's (domain/accounts/access.ts); the board checks
  // each card again, this only keeps other teams' deals from taking the limit.
  const m = f.manager;
  if (m) q = q.where((e) => e.or([...(m.teams.length > 0 ? [e('team', 'in', [...m.teams])] : []), e('rep', '=', m.personId ?? '')]));
  const [rows, count] = await Promise.all([
    q.select('prospect_id').orderBy('closed_at', 'desc').orderBy('prospect_id').limit(f.limit).execute(),
    q.select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { ids: rows.map((r) => r.prospect_id), total: Number(count.n) };
}

/** The words of a search, lower-cased (at most five; LIKE's wildcards escaped, so "50%" finds "50%"). */
export function searchWords(text: string): string[] {
  return text
    .trim()
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .slice(0, 5)
    .map((w) => `%${w.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
}

/**
 * Prospects whose id, name, company or address hold every word of `text` (any case), newest
 * first, `limit` from `offset`, and whether more match: the search over every prospect a person
 * may see, which the lists' pages of visibility cannot do (name and company are in the memo).
 * A manager's scope is their team's and their own, as for the board's closed deals; the route
 * checks each row again.
 */
export async function searchProspects(
  db: SalesflowDb,
  f: { text: string; stage?: string; rep?: string; manager?: { teams: readonly string[]; personId: string | null }; limit: number; offset: number },
): Promise<{ ids: string[]; more: boolean }> {
  let q = db.selectFrom('report_prospects');
  for (const word of searchWords(f.text)) {
    q = q.where(sql<boolean>`${SEARCH_TEXT} like ${word}`);
  }
  if (f.stage !== undefined) q = q.where('stage', '=', f.stage);
  if (f.rep !== undefined) q = q.where('rep', '=', f.rep);
  const m = f.manager;
  if (m) q = q.where((e) => e.or([...(m.teams.length > 0 ? [e('team', 'in', [...m.teams])] : []), e('rep', '=', m.personId ?? '')]));
  const rows = await q.select('prospect_id').orderBy('created_at', 'desc').orderBy('prospect_id').limit(f.limit + 1).offset(f.offset).execute();
  return { ids: rows.slice(0, f.limit).map((r) => r.prospect_id), more: rows.length > f.limit };
}

/**
 * The teams with their reps (prospects' reps and accounts' owners), sources and campaigns the
 * read model holds, where `team` or `rep` say so: one scan of each table (grouping sets).
 * A rep on no team is listed under the team "".
 */
export async function reportDimensions(db: SalesflowDb, scope: { team?: string; rep?: string }): Promise<ReportDimensions> {
  const where = and([...(scope.team !== undefined ? [sql`team = ${scope.team}`] : []), ...(scope.rep !== undefined ? [sql`rep = ${scope.rep}`] : [])]);
  const ownerWhere = and([...(scope.team !== undefined ? [sql`team = ${scope.team}`] : []), ...(scope.rep !== undefined ? [sql`owner = ${scope.rep}`] : [])]);
  const rows = await sql<{ team: string | null; rep: string | null; source: string | null; campaign: string | null; process: string | null; set: number }>`
    select coalesce(team, '') as team, rep, source, campaign, process, grouping(team, rep, source, campaign, process) as set
    from report_prospects where ${where}
    group by grouping sets ((team, rep), (source), (campaign), (process))
    union
    select team, owner as rep, null, null, process, case when grouping(process) = 1 then 7 else 30 end from report_customers where ${ownerWhere}
    group by grouping sets ((team, owner), (process))`.execute(db);
  const teams = new Map<string, Set<string>>();
  const sources = new Set<string>();
  const campaigns = new Set<string>();
  const processes = new Set<string>();
  for (const r of rows.rows) {
    // grouping() has a bit per column rolled up (team 16, rep 8, source 4, campaign 2, process 1):
    // 7 for (team, rep), 27 for source, 29 for campaign, 30 for process.
    const set = Number(r.set);
    if (set === 7 && r.rep) teams.set(r.team ?? '', (teams.get(r.team ?? '') ?? new Set()).add(r.rep));
    else if (set === 27 && r.source) sources.add(r.source);
    else if (set === 29 && r.campaign) campaigns.add(r.campaign);
    else if (set === 30 && r.process) processes.add(r.process);
  }
  const sorted = (values: Iterable<string>) => [...values].sort((a, b) => a.localeCompare(b));
  return {
    teams: sorted(teams.keys()).map((name) => ({ name, reps: sorted(teams.get(name)!) })),
    sources: sorted(sources),
    campaigns: sorted(campaigns),
    processes: sorted(processes),
  };
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

/**
 * The whole UTC days a period covers: `from` rounded down, `to` up (periodOf rounds the same
 * way, so the filter a report echoes is the period it counted). `report_daily` holds days.
 */
export function dayRange(f: Pick<ReportFilter, 'from' | 'to'>): { from: Date; to: Date; fromDay: string; toDay: string } {
  const DAY = 86_400_000;
  const from = new Date(Math.floor(Date.parse(f.from) / DAY) * DAY);
  const to = new Date(Math.ceil(Date.parse(f.to) / DAY) * DAY);
  return { from, to, fromDay: from.toISOString().slice(0, 10), toDay: to.toISOString().slice(0, 10) };
}

/**
 * The filters on `report_daily d`: `people` says whether rep/team are the prospect's
 * (`prospect`) or the acting person's (`actor`); `campaignKey` filters the campaign on the
 * metric's key (a campaign's own mails and replies) rather than on the prospect's source.
 */
function dailyWhere(f: ReportFilter, options: { people: 'prospect' | 'actor'; campaignKey?: boolean }): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (options.people === 'prospect') {
    if (f.rep !== undefined) parts.push(sql`d.rep = ${f.rep}`);
    if (f.team !== undefined) parts.push(sql`d.team = ${f.team}`);
  } else {
    if (f.rep !== undefined) parts.push(sql`d.actor = ${f.rep}`);
    if (f.team !== undefined) parts.push(sql`d.actor in (select distinct t.rep from report_prospects t where t.team = ${f.team})`);
  }
  if (f.process !== undefined) parts.push(sql`d.process = ${f.process}`);
  if (f.source !== undefined) parts.push(sql`d.source = ${f.source}`);
  if (f.campaign !== undefined) parts.push(options.campaignKey ? sql`d.key = ${f.campaign}` : sql`d.campaign = ${f.campaign}`);
  return and(parts);
}

function inDays(f: ReportFilter): RawBuilder<unknown> {
  const { fromDay, toDay } = dayRange(f);
  return sql`d.day >= ${fromDay}::date and d.day < ${toDay}::date`;
}

export async function funnelReport(db: SalesflowDb, f: ReportFilter): Promise<FunnelReport> {
  const { from, to } = dayRange(f);
  const entered = await sql<{ stage: Stage; entered: string; converted: string }>`
    select d.key as stage, coalesce(sum(d.n) filter (where d.metric = 'entered'), 0) as entered, coalesce(sum(d.n) filter (where d.metric = 'converted'), 0) as converted
    from report_daily d
    where d.metric in ('entered', 'converted') and ${inDays(f)} and ${dailyWhere(f, { people: 'prospect' })}
    group by d.key`.execute(db);
  const byStage = new Map(entered.rows.map((r) => [r.stage, r]));

  // Percentiles do not add up over days: these read the closed prospects of the period
  // (an index-only scan of report_prospects_closed_cover).
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
  const scope = dailyWhere(f, { people: 'prospect' });
  const months = await sql<{ month: string; category: ForecastReport['months'][number]['category']; count: string; value: string; weighted: string }>`
    select to_char(d.day, 'YYYY-MM') as month, d.key as category, sum(d.n) as count, sum(d.value) as value, round(sum(d.weighted)) as weighted
    from report_daily d
    where d.metric = 'forecast' and ${inDays(f)} and ${scope}
    group by 1, 2 order by 1, 2`.execute(db);
  const pipeline = await sql<{ stage: Stage; count: string; value: string; weighted: string }>`
    select d.key as stage, sum(d.n) as count, sum(d.value) as value, round(sum(d.weighted)) as weighted
    from report_daily d where d.metric = 'open' and ${scope}
    group by d.key`.execute(db);
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
  const { from, to } = dayRange(f);
  const counts = await sql<Record<string, unknown>>`
    select ${sql.join(
      ['quote_sent', 'quote_accepted', 'quote_rejected', 'quote_expired', 'quote_superseded', 'quote_stale', 'quote_escalated'].map(
        (m) => sql`coalesce(sum(d.n) filter (where d.metric = ${m}), 0) as ${sql.ref(m)}`,
      ),
    )},
      coalesce(sum(d.value) filter (where d.metric = 'quote_sent'), 0) as sent_value, coalesce(sum(d.value) filter (where d.metric = 'quote_accepted'), 0) as accepted_value,
      coalesce(sum(d.value) filter (where d.metric = 'quote_rejected'), 0) as rejected_value,
      coalesce(sum(d.value) filter (where d.metric = 'quote_expired'), 0) as expired_value
    from report_daily d
    where d.metric like 'quote\_%' and ${inDays(f)} and ${dailyWhere(f, { people: 'prospect' })}`.execute(db);
  const c = counts.rows[0] ?? {};
  // Percentiles again from the rows: the answers of the period (report_events_kind_at covers them).
  const answered = await sql<Record<string, unknown>>`
    select count(e.ms) as answers, ${distributionSql(sql`e.ms`)} as answer, avg(e.ms) as answer_avg
    from ${eventsFrom(f)}
    where e.kind in ('quote_accepted', 'quote_rejected') and e.at >= ${from} and e.at < ${to} and ${prospectWhere(f)}`.execute(db);
  const a = answered.rows[0] ?? {};
  const sent = num(c.quote_sent);
  const stale = num(c.quote_stale);
  const escalated = num(c.quote_escalated);
  return {
    filter: f,
    sent,
    sentValueCents: num(c.sent_value),
    accepted: num(c.quote_accepted),
    acceptedValueCents: num(c.accepted_value),
    rejected: num(c.quote_rejected),
    rejectedValueCents: num(c.rejected_value),
    expired: num(c.quote_expired),
    expiredValueCents: num(c.expired_value),
    superseded: num(c.quote_superseded),
    timeToAnswer: distribution(a.answers, a.answer, a.answer_avg),
    stale: { count: stale, share: ratio(stale, sent) },
    escalated: { count: escalated, share: ratio(escalated, sent) },
  };
}

export async function activityReport(db: SalesflowDb, f: ReportFilter): Promise<ActivityReport> {
  // Customer accounts' tasks and logged contacts are in report_daily too (db/reportDaily.ts),
  // beside the prospects'.
  const where = sql`${inDays(f)} and ${dailyWhere(f, { people: 'actor' })}`;
  const perRep = await sql<{ actor: string; metric: string; key: string; n: string }>`
    select d.actor, d.metric, d.key, sum(d.n) as n from report_daily d
    where d.metric in ('contact', ${ACCOUNT_CONTACT}, 'task_done', 'task_on_time', 'task_overdue', 'task_escalated') and ${where}
    group by 1, 2, 3`.execute(db);
  const weeks = await sql<{ week: string; contacts: string; done: string }>`
    select to_char(date_trunc('week', d.day), 'YYYY-MM-DD') as week,
      coalesce(sum(d.n) filter (where d.metric in ('contact', ${ACCOUNT_CONTACT})), 0) as contacts, coalesce(sum(d.n) filter (where d.metric = 'task_done'), 0) as done
    from report_daily d
    where d.metric in ('contact', ${ACCOUNT_CONTACT}, 'task_done') and ${where}
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
  for (const x of perRep.rows) {
    const r = row(x.actor);
    const n = num(x.n);
    switch (x.metric) {
      case 'contact':
      case ACCOUNT_CONTACT:
        // A channel's contacts with prospects and with accounts: two rows, one count.
        r.contacts[x.key as (typeof CHANNELS)[number]] += n;
        r.contacts.total += n;
        break;
      case 'task_done':
        r.tasksDone += n;
        break;
      case 'task_on_time':
        r.tasksOnTime += n;
        break;
      case 'task_overdue':
        r.overdue += n;
        break;
      case 'task_escalated':
        r.escalated += n;
        break;
    }
  }
  for (const r of reps.values()) r.slaCompliance = ratio(r.tasksOnTime, r.tasksDone);
  return {
    filter: f,
    reps: [...reps.values()].sort((a, b) => a.rep.localeCompare(b.rep)),
    weeks: weeks.rows.map((w) => ({ week: w.week, contacts: num(w.contacts), tasksDone: num(w.done) })),
  };
}

export async function campaignsReport(db: SalesflowDb, f: ReportFilter): Promise<CampaignsReport> {
  const { from, to } = dayRange(f);
  // A campaign's mails, replies and leads are its own (the key), filtered by the prospect's other dimensions.
  const counts = await sql<{ campaign: string; metric: string; n: string }>`
    select d.key as campaign, d.metric, sum(d.n) as n from report_daily d
    where d.metric in ('campaign_mail', 'campaign_reply', 'lead', 'lead_converted') and ${inDays(f)} and ${dailyWhere(f, { people: 'prospect', campaignKey: true })}
    group by 1, 2`.execute(db);
  // Bounces and unsubscribes belong to addresses, not to prospects: only the campaign filter applies.
  const outcomes = await sql<{ campaign: string; bounced: string; unsubscribed: string }>`
    select o.campaign, count(*) filter (where o.outcome = 'bounced') as bounced, count(*) filter (where o.outcome = 'unsubscribed') as unsubscribed
    from report_campaign_outcomes o
    where o.at >= ${from} and o.at < ${to} ${f.campaign !== undefined ? sql`and o.campaign = ${f.campaign}` : sql``}
    group by o.campaign`.execute(db);
  const rows = new Map<string, CampaignsReport['campaigns'][number]>();
  const row = (campaign: string) => {
    let r = rows.get(campaign);
    if (!r) rows.set(campaign, (r = { campaign, mailed: 0, bounced: 0, unsubscribed: 0, replied: 0, leads: 0, converted: 0 }));
    return r;
  };
  const field = { campaign_mail: 'mailed', campaign_reply: 'replied', lead: 'leads', lead_converted: 'converted' } as const;
  for (const c of counts.rows) row(c.campaign)[field[c.metric as keyof typeof field]] = num(c.n);
  for (const o of outcomes.rows) Object.assign(row(o.campaign), { bounced: num(o.bounced), unsubscribed: num(o.unsubscribed) });
  return { filter: f, campaigns: [...rows.values()].sort((a, b) => a.campaign.localeCompare(b.campaign)) };
}

const QUERIES = {
  funnel: funnelReport,
  forecast: forecastReport,
  quotes: quotesReport,
  activity: activityReport,
  campaigns: campaignsReport,
  postsales: postsalesReport,
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
