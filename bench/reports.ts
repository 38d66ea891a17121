import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { closeDatabase, openDatabase, type SalesflowDb } from '../db/database';
import { startEmbeddedPostgres } from '../db/embedded';
import { migrateToLatest } from '../db/migrations';
import { REPORT_QUERIES, rebuildDaily, searchProspects } from '../db/reporting';
import { REPORTS, type ReportFilter } from '../domain/reporting/reports';

/**
 * `npm run bench -- reports [--prospects N] [--runs N]`: seeds the reporting read model
 * directly (N prospects over 2026, about 13 events each: stages, contacts, quotations,
 * tasks, escalations; an account with two contracts per won prospect) in a throwaway embedded PostgreSQL (or DATABASE_URL's database, whose
 * read model it replaces), then times each report over a quarter, the whole year, and a
 * team's quarter, and prints p50/p99 per report.
 */

const REPS = 20;
const TEAMS = 4;

async function seed(db: SalesflowDb, prospects: number): Promise<number> {
  await sql`truncate report_events, report_prospects, report_campaign_outcomes, report_customers, report_customer_events`.execute(db);
  // One prospect per g: created through 2026, its depth in the funnel from g % 6
  // (0 contact … 3 quotation open, 4 won, 5 lost), rep g % 20 in team rep % 4.
  await sql`
    insert into report_prospects
    select 'prospect-b' || g, 'b' || g, 5, 'rep' || (g % ${REPS}), 'team' || (g % ${REPS} % ${TEAMS}), 'std', 1,
      case when g % 7 = 0 then 'campaign:c' || (g % 5) else 'web' end, case when g % 7 = 0 then 'c' || (g % 5) else null end,
      (array['contact','qualification','inquiry','quotation','won','lost'])[g % 6 + 1],
      timestamptz '2026-01-01' + make_interval(days => g % 365, hours => g % 24),
      case when g % 6 >= 4 then timestamptz '2026-01-01' + make_interval(days => g % 365 + 10 + g % 40) end,
      case when g % 6 >= 3 then (g % 50 + 1) * 10000 else 0 end, 'EUR',
      (array[0.05, 0.15, 0.3, 0.6, 1, 0])[g % 6 + 1],
      case when g % 6 = 3 then timestamptz '2026-01-01' + make_interval(days => g % 365 + 30)
           when g % 6 = 4 then timestamptz '2026-01-01' + make_interval(days => g % 365 + 10 + g % 40) end,
      (array['pipeline','pipeline','best_case','commit','closed',null])[g % 6 + 1],
      case when g % 6 = 5 then (array['price','timing','competitor','no budget'])[g % 4 + 1] end,
      case when g % 6 >= 1 then 86400000::bigint * (1 + g % 5) end,
      case when g % 6 >= 2 then 86400000::bigint * (1 + g % 7) end,
      case when g % 6 >= 3 then 86400000::bigint * (1 + g % 9) end,
      case when g % 6 >= 4 then 86400000::bigint * (1 + g % 11) end,
      (array[1, 3, 7, 15, 31, 33])[g % 6 + 1],
      'Person ' || g, 'Company ' || (g % 5000), 'p' || g || '@company' || (g % 5000) || '.test'
    from generate_series(1, ${prospects}) g`.execute(db);
  const base = sql`timestamptz '2026-01-01' + make_interval(days => p.g % 365, hours => p.g % 24)`;
  const from = sql`(select g, 'prospect-b' || g as w from generate_series(1, ${prospects}) g) p`;
  // Stages entered: contact, then as deep as the prospect went (lost ones from quotation).
  await sql`
    insert into report_events (workflow_id, seq, at, kind, stage, reason)
    select p.w, s.i, ${base} + make_interval(days => s.i * 3), 'stage', s.stage, case when s.stage = 'lost' then 'price' end
    from ${from}
    join lateral (select i, (array['contact','qualification','inquiry','quotation','won','lost'])[i + 1] as stage from generate_series(0, 5) i
      where i <= least(p.g % 6, 3) or (i = 4 and p.g % 6 = 4) or (i = 5 and p.g % 6 = 5)) s on true`.execute(db);
  // Three contacts each, by the rep; every seventh prospect also got a campaign mail and replied.
  await sql`
    insert into report_events (workflow_id, seq, at, kind, rep, channel, direction, campaign)
    select p.w, 100000000 + c, ${base} + make_interval(days => c * 2), 'contact',
      case when c = 3 then 'campaign:c' || (p.g % 5) else 'rep' || (p.g % ${REPS}) end,
      case when c = 3 then 'email' else (array['visit','call','letter','direct_mail','email'])[(p.g + c) % 5 + 1] end,
      case when c = 1 then 'inbound' else 'outbound' end,
      case when c = 3 then 'c' || (p.g % 5) end
    from ${from} cross join generate_series(0, 3) c where c < 3 or p.g % 7 = 0`.execute(db);
  // Quotations: sent, then accepted or rejected; every fourth one reminded.
  await sql`
    insert into report_events (workflow_id, seq, at, kind, quote_revision, value_cents, ms, reason)
    select p.w, 300000010 + k.step, ${base} + make_interval(days => 9 + k.step * 5), k.kind, 1, (p.g % 50 + 1) * 10000,
      case when k.step = 3 then 432000000 end, case when k.kind = 'quote_rejected' then 'price' end
    from ${from} join lateral (values (1, 'quote_created'), (2, 'quote_sent'), (3, case when p.g % 6 = 4 then 'quote_accepted' else 'quote_rejected' end)) k(step, kind)
      on p.g % 6 >= 3 and (k.step < 3 or p.g % 6 >= 4)`.execute(db);
  await sql`
    insert into report_events (workflow_id, seq, at, kind, quote_revision, rep)
    select p.w, 200000000, ${base} + make_interval(days => 12), 'quote_reminder', 1, 'rep' || (p.g % ${REPS}) from ${from} where p.g % 6 >= 3 and p.g % 4 = 0`.execute(db);
  // A call task each, done (on time unless g % 10 = 0, which also went overdue; g % 20 = 0 escalated).
  await sql`
    insert into report_events (workflow_id, seq, at, kind, task_id, task_kind, rep, on_time)
    select p.w, 400000010 + k.step, ${base} + make_interval(days => k.step), k.kind, 'b' || p.g || '-T1', 'call',
      case when k.step > 1 then 'rep' || (p.g % ${REPS}) end, case when k.step = 2 then p.g % 10 <> 0 end
    from ${from} cross join (values (1, 'task_created'), (2, 'task_done')) k(step, kind)`.execute(db);
  await sql`
    insert into report_events (workflow_id, seq, at, kind, task_id, rep)
    select p.w, 200000001 + k.n, ${base} + make_interval(days => 1 + k.n), k.kind, 'b' || p.g || '-T1', case when k.n = 0 then 'rep' || (p.g % ${REPS}) else 'manager' end
    from ${from} join lateral (values (0, 'task_overdue'), (1, 'task_escalated')) k(n, kind) on p.g % 10 = 0 and (k.n = 0 or p.g % 20 = 0)`.execute(db);
  // Bounces and unsubscribes: one address in 50 of each campaign's audience.
  await sql`
    insert into report_campaign_outcomes (run, email, outcome, campaign, at)
    select 'campaign-c' || (g % 5), 'r' || g || '@x.test', case when g % 2 = 0 then 'bounced' else 'unsubscribed' end, 'c' || (g % 5),
      timestamptz '2026-01-01' + make_interval(days => g % 365)
    from generate_series(1, ${Math.floor(prospects / 50)}) g`.execute(db);
  // Post-sales: an account per won prospect, owned by its rep, with two contracts (a yearly
  // term due in 2026; the first lapsed when g % 5 = 0, else renewed) and every third account
  // a referral, won or lost in turn.
  const won = sql`(select g, 'customer-b' || g as w from generate_series(1, ${prospects}) g where g % 6 = 4) a`;
  await sql`
    insert into report_customers
    select a.w, 'b' || a.g, 'rep' || (a.g % ${REPS}), 'team' || (a.g % ${REPS} % ${TEAMS}), 'std', 9,
      case when a.g % 5 = 0 then 1 else 2 end, (a.g % 50 + 1) * 2000, (a.g % 50 + 1) * 2000, case when a.g % 5 = 0 then (a.g % 50 + 1) * 1000 else 0 end
    from ${won}`.execute(db);
  await sql`
    insert into report_customer_events (workflow_id, key, kind, at, contract_id, value_cents)
    select a.w, e.kind || ':K' || k || ':1', e.kind, timestamptz '2026-01-01' + make_interval(days => a.g % 365 + k * 7 + e.late), 'K' || k, (a.g % 50 + 1) * 1000
    from ${won} cross join generate_series(1, 2) k
    join lateral (values ('due', 'term_due', 0), ('end', case when a.g % 5 = 0 and k = 1 then 'lapsed' else 'renewed' end, 1)) e(step, kind, late) on true`.execute(db);
  await sql`
    insert into report_customer_events (workflow_id, key, kind, at, contract_id, value_cents)
    select a.w, r.kind || ':ref-' || a.g, r.kind, timestamptz '2026-01-01' + make_interval(days => a.g % 365 + r.late), null, r.value
    from ${won} join lateral (values ('referral_given', 3, 0), (case when (a.g / 6) % 2 = 0 then 'referral_won' else 'referral_lost' end, 40, case when (a.g / 6) % 2 = 0 then 50000 else 0 end)) r(kind, late, value)
      on (a.g / 6) % 3 = 0`.execute(db);
  // Each account's tasks for the activity report: onboarding and three check-ins done over the
  // year by its owner (every fourth late), and every tenth of them overdue, then escalated.
  await sql`
    insert into report_customer_events (workflow_id, key, kind, at, contract_id, value_cents, actor, detail)
    select a.w, 'task-done:' || a.g || '-C' || k, 'task_done', timestamptz '2026-01-01' + make_interval(days => (a.g + k * 91) % 365), null, 0, 'rep' || (a.g % ${REPS}),
      case when (a.g + k) % 4 = 0 then 'late' else 'on_time' end
    from ${won} cross join generate_series(1, 4) k`.execute(db);
  await sql`
    insert into report_customer_events (workflow_id, key, kind, at, contract_id, value_cents, actor, detail)
    select a.w, 'task-' || x.step || ':' || a.g || '-C' || k || ':rep' || (a.g % ${REPS}), 'task_' || x.step, timestamptz '2026-01-01' + make_interval(days => (a.g + k * 91 + x.late) % 365), null, 0, 'rep' || (a.g % ${REPS}), null
    from ${won} cross join generate_series(1, 4) k cross join (values ('overdue', 0), ('escalated', 1)) x(step, late)
    where (a.g + k) % 10 = 0`.execute(db);
  await sql`vacuum analyze report_customers`.execute(db);
  await sql`vacuum analyze report_customer_events`.execute(db);
  // The per-day pre-aggregates, as the rebuild computes them.
  await rebuildDaily(db);
  await sql`vacuum analyze report_daily`.execute(db);
  await sql`vacuum analyze report_campaign_outcomes`.execute(db);
  await sql`vacuum analyze report_events`.execute(db);
  await sql`vacuum analyze report_prospects`.execute(db);
  const { rows } = await sql<{ n: string; daily: string }>`select (select count(*) from report_events) as n, (select count(*) from report_daily) as daily`.execute(db);
  console.log(`report_daily: ${Number(rows[0]!.daily).toLocaleString('en')} rows`);
  return Number(rows[0]!.n);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function reportsBench(options: { prospects: number; runs: number }): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'salesflow-bench-pg-'));
  const server = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres({ dir, ephemeral: true });
  // Seeding a million events takes statements of minutes: no query timeout.
  const db = openDatabase(process.env.DATABASE_URL ?? server!.url, { maxConnections: 2, queryTimeoutMs: 0 });
  try {
    await migrateToLatest(db);
    const seeding = Date.now();
    const events = await seed(db, options.prospects);
    console.log(`seeded ${options.prospects.toLocaleString('en')} prospects and ${events.toLocaleString('en')} events in ${((Date.now() - seeding) / 1000).toFixed(1)} s`);
    // What a manager asks: a quarter, the year, a team's quarter, a rep's month.
    const filters: ReportFilter[] = [
      { from: '2026-04-01T00:00:00Z', to: '2026-07-01T00:00:00Z' },
      { from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' },
      { from: '2026-07-01T00:00:00Z', to: '2026-10-01T00:00:00Z', team: 'team1' },
      { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z', rep: 'rep7' },
    ];
    // What the seed holds, so an empty table cannot pass for a fast one.
    const year = await REPORT_QUERIES.postsales(db, filters[1]!);
    console.log(`post-sales over 2026: ${year.renewals.due.count} terms due, ${year.renewals.renewed.count} renewed, ${year.renewals.lapsed.count} lapsed, ${year.referrals.given} referrals, ${year.recurring.customers} accounts`);
    const activity = await REPORT_QUERIES.activity(db, filters[1]!);
    const tasks = activity.reps.reduce((n, r) => n + r.tasksDone, 0);
    console.log(`activity over 2026: ${activity.reps.length} reps, ${tasks} tasks done (prospects' and accounts'), ${activity.reps.reduce((n, r) => n + r.contacts.total, 0)} contacts`);
    console.log(`\n| report | p50 ms | p99 ms | runs |\n| --- | ---: | ---: | ---: |`);
    for (const name of REPORTS) {
      for (const f of filters) await REPORT_QUERIES[name](db, f); // warm the cache
      const times: number[] = [];
      for (let i = 0; i < options.runs; i++) {
        const started = performance.now();
        await REPORT_QUERIES[name](db, filters[i % filters.length]!);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      console.log(`| ${name} | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 99).toFixed(1)} | ${times.length} |`);
    }
    // The prospect search (GET /api/prospects?q=) in each scope: everyone (ops), a manager's
    // team, a rep's own; a word that many rows hold and one that few do.
    const searches: { scope: string; run: (text: string) => Promise<{ ids: string[] }> }[] = [
      { scope: 'everyone', run: (text) => searchProspects(db, { text, limit: 50, offset: 0 }) },
      { scope: "a manager's team", run: (text) => searchProspects(db, { text, limit: 50, offset: 0, manager: { teams: ['team1'], personId: 'manager1' } }) },
      { scope: "a rep's own", run: (text) => searchProspects(db, { text, limit: 50, offset: 0, rep: 'rep7' }) },
    ];
    const texts = ['company 427', 'person 4242', 'p99@'];
    const hits = await searches[0]!.run('company 4271');
    console.log(`search "company 4271" for everyone: ${hits.ids.length} hits`);
    for (const search of searches) {
      const times: number[] = [];
      for (let i = 0; i < options.runs; i++) {
        const started = performance.now();
        await search.run(texts[i % texts.length]!);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      console.log(`| search, ${search.scope} | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 99).toFixed(1)} | ${times.length} |`);
    }
  } finally {
    await closeDatabase(db);
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
