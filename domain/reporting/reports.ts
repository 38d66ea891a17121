import { z } from 'zod';
import { STAGES } from '../pipeline/stages';
import { CHANNELS } from '../pipeline/contact';
import { FORECAST_CATEGORIES } from './projection';
import { shareable, isoDateSchema } from '../shared/shareable';

/**
 * The reports a manager reads, as schemas: the API validates its query with ReportQuery and
 * answers with these shapes (the OpenAPI document and the web app's types come from them),
 * and the CLI prints them. A period is half-open: `from` counts, `to` does not.
 */

export const REPORTS = ['funnel', 'forecast', 'quotes', 'activity', 'campaigns', 'postsales'] as const;
export type ReportName = (typeof REPORTS)[number];

const Day = isoDateSchema('must be a date such as 2026-01-31');
const Instant = z.union([z.iso.datetime({ offset: true }), Day], { error: 'must be a date (2026-01-31) or an ISO time' });
const Dimension = z.string().min(1).max(200);

export const ReportQuerySchema = shareable(z
  .strictObject({
    /** Start of the period (inclusive); default: 90 days before `to` (the forecast: before now). */
    from: Instant.optional(),
    /** End of the period (exclusive); default: now (the forecast: the start of the month six months ahead). */
    to: Instant.optional(),
    rep: Dimension.optional(),
    team: Dimension.optional(),
    process: Dimension.optional(),
    source: Dimension.optional(),
    campaign: Dimension.optional(),
    /** `csv` answers text/csv (the report's main table); JSON otherwise. */
    format: z.enum(['json', 'csv']).default('json'),
  }));
// No meta id: a querystring must stay inline in the OpenAPI document (@fastify/swagger
// cannot expand a referenced one into parameters).
export type ReportQuery = z.infer<typeof ReportQuerySchema>;

/** The filters a report runs with, after the server applied the caller's scope. */
export interface ReportFilter {
  from: string;
  to: string;
  rep?: string;
  team?: string;
  process?: string;
  source?: string;
  campaign?: string;
}

const DAY_MS = 86_400_000;

/**
 * How far ahead the forecast looks by default, in whole months after the current one (the
 * dashboard's default horizon too): its open deals close in the future, so a period ending now
 * would show only those whose quotation had already run out.
 */
export const FORECAST_HORIZON_MONTHS = 6;

/**
 * The period a query asks for, with its defaults: `to` the end of today, `from` 90 days before
 * `to` (today and the 89 days before it, the dashboard's "Last 90 days"); for the forecast,
 * `to` is the start of the month FORECAST_HORIZON_MONTHS ahead and `from` the same 90 days'
 * start (deals won lately, and the open ones expected to close from then on).
 */
export function periodOf(query: Pick<ReportQuery, 'from' | 'to'>, now: number, report?: ReportName): { from: string; to: string } {
  // Reports count whole UTC days (their counts come from per-day pre-aggregates): `from`
  // rounds down to its day, `to` up to the end of its day.
  const forward = report === 'forecast' && !query.to;
  const today = new Date(now);
  const endOfToday = (Math.floor(now / DAY_MS) + 1) * DAY_MS;
  const rawTo = query.to ? Date.parse(query.to) : forward ? Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + FORECAST_HORIZON_MONTHS, 1) : endOfToday;
  const to = new Date(Math.ceil(rawTo / DAY_MS) * DAY_MS);
  // 90 days back from the rounded `to`, not from the moment asked: else a default period
  // held 91 days (from the day 90 days before now to the end of today).
  const from = new Date(Math.floor((query.from ? Date.parse(query.from) : (forward ? endOfToday : to.getTime()) - 90 * DAY_MS) / DAY_MS) * DAY_MS);
  if (!(from.getTime() < to.getTime())) throw new RangeError(`the period is empty: from ${from.toISOString()} is not before to ${to.toISOString()}`);
  return { from: from.toISOString(), to: to.toISOString() };
}

const Filter = z.object({
  from: z.string(),
  to: z.string(),
  rep: z.string().optional(),
  team: z.string().optional(),
  process: z.string().optional(),
  source: z.string().optional(),
  campaign: z.string().optional(),
});

const Distribution = z.object({
  count: z.number(),
  minMs: z.number().nullable(),
  q1Ms: z.number().nullable(),
  medianMs: z.number().nullable(),
  q3Ms: z.number().nullable(),
  p90Ms: z.number().nullable(),
  maxMs: z.number().nullable(),
  avgMs: z.number().nullable(),
});
export type Distribution = z.infer<typeof Distribution>;

export const FunnelReportSchema = shareable(z
  .object({
    filter: Filter,
    /** Prospects entering each stage in the period, and how many of them went on to the next stage (by now). */
    stages: z.array(z.object({ stage: z.enum(STAGES), entered: z.number(), next: z.enum(STAGES).nullable(), converted: z.number().nullable(), conversion: z.number().nullable() })),
    /** Prospects closed in the period. */
    won: z.object({ count: z.number(), valueCents: z.number() }),
    lost: z.object({ count: z.number(), valueCents: z.number() }),
    winRate: z.object({ byCount: z.number().nullable(), byValue: z.number().nullable() }),
    /** From creation to close, over prospects closed in the period. */
    cycle: Distribution,
    /** Time in each stage of the prospects closed in the period (box plots). */
    timeInStage: z.array(Distribution.extend({ stage: z.enum(STAGES) })),
    lostReasons: z.array(z.object({ reason: z.string(), count: z.number() })),
  })
  .meta({ id: 'FunnelReport' }));
export type FunnelReport = z.infer<typeof FunnelReportSchema>;

export const ForecastReportSchema = shareable(z
  .object({
    filter: Filter,
    /** Open prospects with a quotation expected to close in the period, and those won in it, by month and category. */
    months: z.array(z.object({ month: z.string(), category: z.enum(FORECAST_CATEGORIES), count: z.number(), valueCents: z.number(), weightedCents: z.number() })),
    /** Every open prospect now (not limited to the period): the pipeline by stage. */
    pipeline: z.array(z.object({ stage: z.enum(STAGES), count: z.number(), valueCents: z.number(), weightedCents: z.number() })),
    totals: z.object({ valueCents: z.number(), weightedCents: z.number(), wonCents: z.number() }),
  })
  .meta({ id: 'ForecastReport' }));
export type ForecastReport = z.infer<typeof ForecastReportSchema>;

export const QuotesReportSchema = shareable(z
  .object({
    filter: Filter,
    sent: z.number(),
    sentValueCents: z.number(),
    accepted: z.number(),
    acceptedValueCents: z.number(),
    rejected: z.number(),
    /** The rejected revisions' net value: what the customers turned down. */
    rejectedValueCents: z.number(),
    /** The expired revisions' net value: what ran out unanswered (rows written before it: `report rebuild`). */
    expiredValueCents: z.number(),
    expired: z.number(),
    superseded: z.number(),
    /** From sending to the customer's answer (accepted or rejected in the period). */
    timeToAnswer: Distribution,
    /** Of the revisions sent in the period: how many went stale (a reminder) or escalated to the manager. */
    stale: z.object({ count: z.number(), share: z.number().nullable() }),
    escalated: z.object({ count: z.number(), share: z.number().nullable() }),
  })
  .meta({ id: 'QuotesReport' }));
export type QuotesReport = z.infer<typeof QuotesReportSchema>;

const ChannelCounts = z.object(Object.fromEntries(CHANNELS.map((c) => [c, z.number()])) as Record<(typeof CHANNELS)[number], z.ZodNumber>);

export const ActivityReportSchema = shareable(z
  .object({
    filter: Filter,
    reps: z.array(
      z.object({
        rep: z.string(),
        contacts: ChannelCounts.extend({ total: z.number() }),
        tasksDone: z.number(),
        tasksOnTime: z.number(),
        /** Share of tasks done by their due time; null without any. */
        slaCompliance: z.number().nullable(),
        /** Tasks that went overdue / escalated in the period (each task once). */
        overdue: z.number(),
        escalated: z.number(),
      }),
    ),
    /** Contacts and tasks done per week (Monday) of the period. */
    weeks: z.array(z.object({ week: z.string(), contacts: z.number(), tasksDone: z.number() })),
  })
  .meta({ id: 'ActivityReport' }));
export type ActivityReport = z.infer<typeof ActivityReportSchema>;

export const CampaignsReportSchema = shareable(z
  .object({
    filter: Filter,
    campaigns: z.array(
      z.object({
        campaign: z.string(),
        /** Campaign mails in prospects' contact logs in the period. */
        mailed: z.number(),
        /** Addresses of the campaign's runs that bounced (the relay refused the recipient) in the period. */
        bounced: z.number(),
        /** Addresses that followed the unsubscribe link of the campaign's mail in the period. */
        unsubscribed: z.number(),
        /** Prospects mailed by the campaign whose first inbound contact after its first mail (wrote, called, visited) is in the period. */
        replied: z.number(),
        /** Prospects the campaign created (source campaign:<id>) in the period, and how many of them are won. */
        leads: z.number(),
        converted: z.number(),
      }),
    ),
  })
  .meta({ id: 'CampaignsReport' }));
export type CampaignsReport = z.infer<typeof CampaignsReportSchema>;

const Amount = z.object({ count: z.number(), valueCents: z.number() });

export const PostsalesReportSchema = shareable(z
  .object({
    filter: Filter,
    renewals: z.object({
      /** Contract terms ending in the period (each a renewal falling due), with one term's value. */
      due: Amount,
      /** Terms renewed (accepted or automatically) in the period. */
      renewed: Amount,
      /** Contracts that lapsed in the period, with the revenue lost (one term's value). */
      lapsed: Amount,
      /** renewed / (renewed + lapsed); null without either. */
      renewalRate: z.number().nullable(),
    }),
    /** Now, not over the period: contracts not lapsed of the accounts in scope. */
    recurring: z.object({ customers: z.number(), activeContracts: z.number(), recurringCents: z.number(), annualRecurringCents: z.number() }),
    /** Referrals customers gave in the period, and referred prospects won or lost in it (won: their net value). */
    referrals: z.object({ given: z.number(), won: Amount, lost: z.number() }),
  })
  .meta({ id: 'PostsalesReport' }));
export type PostsalesReport = z.infer<typeof PostsalesReportSchema>;

export type AnyReport = FunnelReport | ForecastReport | QuotesReport | ActivityReport | CampaignsReport | PostsalesReport;

/**
 * What a report can be filtered by, from the read model: the teams and their reps, the
 * sources and campaigns prospects came from, the processes they and the accounts ran on,
 * within the caller's scope (the dashboard's filter choices).
 */
export const ReportDimensionsSchema = shareable(
  z
    .object({
      teams: z.array(z.object({ name: z.string(), reps: z.array(z.string()) })),
      sources: z.array(z.string()),
      campaigns: z.array(z.string()),
      /** Every process the prospects and accounts ran on: published, built-in (`default`) or given as a file. */
      processes: z.array(z.string()),
    })
    .meta({ id: 'ReportDimensions' }),
);
export type ReportDimensions = z.infer<typeof ReportDimensionsSchema>;

export const RebuildResultSchema = shareable(z.object({ prospects: z.number(), events: z.number(), customers: z.number(), customerEvents: z.number(), ms: z.number() }).meta({ id: 'ReportRebuild' }));
export type RebuildResult = z.infer<typeof RebuildResultSchema>;

type Row = Record<string, string | number | null>;

/**
 * Each report's main table's columns, in order: the keys of reportRows' rows (tested), and the
 * CSV header, which an empty report still has so a spreadsheet or script reads the same file.
 */
export function reportColumns(name: ReportName): string[] {
  switch (name) {
    case 'funnel':
      return ['stage', 'entered', 'next', 'converted', 'conversion', 'median_days_in_stage', 'p90_days_in_stage'];
    case 'forecast':
      return ['month', 'category', 'prospects', 'value', 'weighted'];
    case 'quotes':
    case 'postsales':
      return ['measure', 'count', 'value'];
    case 'activity':
      return ['rep', ...CHANNELS, 'contacts', 'tasks_done', 'on_time', 'sla_compliance', 'overdue', 'escalated'];
    case 'campaigns':
      return ['campaign', 'mailed', 'bounced', 'unsubscribed', 'replied', 'leads', 'converted'];
  }
}

/** Each report's main table as flat rows: the CSV export, and the table the CLI prints. */
export function reportRows(name: ReportName, report: AnyReport): Row[] {
  switch (name) {
    case 'funnel': {
      const r = report as FunnelReport;
      return r.stages.map((s) => {
        const t = r.timeInStage.find((x) => x.stage === s.stage);
        return { stage: s.stage, entered: s.entered, next: s.next, converted: s.converted, conversion: s.conversion, median_days_in_stage: days(t?.medianMs), p90_days_in_stage: days(t?.p90Ms) };
      });
    }
    case 'forecast':
      return (report as ForecastReport).months.map((m) => ({ month: m.month, category: m.category, prospects: m.count, value: cents(m.valueCents), weighted: cents(m.weightedCents) }));
    case 'quotes': {
      const r = report as QuotesReport;
      return [
        { measure: 'sent', count: r.sent, value: cents(r.sentValueCents) },
        { measure: 'accepted', count: r.accepted, value: cents(r.acceptedValueCents) },
        { measure: 'rejected', count: r.rejected, value: cents(r.rejectedValueCents) },
        { measure: 'expired', count: r.expired, value: cents(r.expiredValueCents) },
        { measure: 'superseded', count: r.superseded, value: null },
        { measure: 'stale', count: r.stale.count, value: null },
        { measure: 'escalated', count: r.escalated.count, value: null },
        { measure: 'median_days_to_answer', count: days(r.timeToAnswer.medianMs), value: null },
      ];
    }
    case 'activity':
      return (report as ActivityReport).reps.map((r) => ({
        rep: r.rep,
        ...Object.fromEntries(CHANNELS.map((c) => [c, r.contacts[c]])),
        contacts: r.contacts.total,
        tasks_done: r.tasksDone,
        on_time: r.tasksOnTime,
        sla_compliance: r.slaCompliance,
        overdue: r.overdue,
        escalated: r.escalated,
      }));
    case 'postsales': {
      const r = report as PostsalesReport;
      return [
        { measure: 'renewals_due', count: r.renewals.due.count, value: cents(r.renewals.due.valueCents) },
        { measure: 'renewed', count: r.renewals.renewed.count, value: cents(r.renewals.renewed.valueCents) },
        { measure: 'lapsed', count: r.renewals.lapsed.count, value: cents(r.renewals.lapsed.valueCents) },
        // Each row's count counts what its value sums: the accounts have none of their own.
        { measure: 'accounts', count: r.recurring.customers, value: null },
        { measure: 'active_contracts', count: r.recurring.activeContracts, value: cents(r.recurring.recurringCents) },
        { measure: 'annual_recurring_revenue', count: r.recurring.activeContracts, value: cents(r.recurring.annualRecurringCents) },
        { measure: 'referrals_given', count: r.referrals.given, value: null },
        { measure: 'referrals_won', count: r.referrals.won.count, value: cents(r.referrals.won.valueCents) },
        { measure: 'referrals_lost', count: r.referrals.lost, value: null },
      ];
    }
    case 'campaigns':
      return (report as CampaignsReport).campaigns.map((c) => ({ campaign: c.campaign, mailed: c.mailed, bounced: c.bounced, unsubscribed: c.unsubscribed, replied: c.replied, leads: c.leads, converted: c.converted }));
  }
}

function days(ms: number | null | undefined): number | null {
  return ms === null || ms === undefined ? null : Math.round((ms / DAY_MS) * 10) / 10;
}

function cents(value: number): string {
  return (value / 100).toFixed(2);
}
