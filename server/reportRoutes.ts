import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { REPORT_QUERIES, replaceProjections, reportDimensions } from '../db/reporting';
import type { SalesflowDb } from '../db/database';
import type { Actor } from '../domain/accounts/access';
import type { ProspectState } from '../domain/pipeline/prospect';
import { projectProspect, type ProspectProjection } from '../domain/reporting/projection';
import {
  ActivityReportSchema,
  CampaignsReportSchema,
  ForecastReportSchema,
  PostsalesReportSchema,
  FunnelReportSchema,
  QuotesReportSchema,
  RebuildResultSchema,
  ReportDimensionsSchema,
  ReportQuerySchema,
  periodOf,
  reportColumns,
  reportRows,
  type RebuildResult,
  type ReportFilter,
  type ReportName,
  type ReportQuery,
} from '../domain/reporting/reports';
import type { SalesflowClient } from '../client/pipeline/salesflowClient';
import { CustomerClient } from '../client/customer/customerClient';
import { replaceCustomerProjections } from '../db/postsalesReport';
import { projectCustomer, type CustomerProjection } from '../domain/reporting/postsales';
import { actorOf, requirePrincipal } from './auth';
import type { App, ServerDeps } from './app';
import { HttpProblem, ProblemSchema, forbidden } from './problem';

/**
 * The manager's reports (issue 14) over the reporting read model, as JSON or CSV, and the
 * rebuild of that read model from the prospect workflows. Who sees what: ops and admin every
 * prospect; a manager their team's; a rep their own; support no reports.
 */

const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 503: ProblemSchema };

const SCHEMAS = {
  funnel: FunnelReportSchema,
  forecast: ForecastReportSchema,
  quotes: QuotesReportSchema,
  activity: ActivityReportSchema,
  campaigns: CampaignsReportSchema,
  postsales: PostsalesReportSchema,
} as const;

const SUMMARIES: Record<ReportName, string> = {
  funnel: 'funnel: prospects entering each stage and converting; win rate, sales cycle, time in stage, lost reasons',
  forecast: 'pipeline value by stage and the weighted forecast by expected close month and category',
  quotes: 'quotations sent, accepted, rejected, expired, superseded; time to answer; stale and escalated share',
  activity: "reps' activity: contacts by channel, tasks done, SLA compliance, overdue and escalated tasks; per week",
  campaigns: 'campaigns: mails in the pipeline, bounces, unsubscribes, replies, leads created and converted',
  postsales: "post-sales: renewals due, renewed and lapsed (lost revenue), recurring revenue now, referrals given and won; filters rep (the account's owner), team, process",
};

/** The filters a report runs with: the caller's scope applied over what they asked. */
export function scopedFilter(actor: Actor, query: Omit<ReportQuery, 'format'>, now: number, report?: ReportName): ReportFilter {
  let period: { from: string; to: string };
  try {
    period = periodOf(query, now, report);
  } catch (err) {
    throw new HttpProblem(400, 'bad-request', 'Bad request', (err as Error).message, [{ path: ['from'], message: (err as Error).message }]);
  }
  const { from: _f, to: _t, ...dims } = query;
  const filter: ReportFilter = { ...period, ...Object.fromEntries(Object.entries(dims).filter(([, v]) => v !== undefined)) };
  switch (actor.role) {
    case 'admin':
    case 'ops':
      return filter;
    case 'manager':
      if (!actor.team) throw forbidden('this manager account names no team: an admin sets it (salesflow user update --team)');
      if (filter.team !== undefined && filter.team !== actor.team) throw forbidden(`managers read their own team's reports (${actor.team}), not ${filter.team}'s`);
      return { ...filter, team: actor.team };
    case 'rep':
      if (!actor.personId) throw forbidden('this rep account names no person id');
      if (filter.rep !== undefined && filter.rep !== actor.personId) throw forbidden(`reps read their own reports (${actor.personId}), not ${filter.rep}'s`);
      return { ...filter, rep: actor.personId };
    default:
      throw forbidden(`the ${actor.role} role reads no reports`);
  }
}

/** How many prospects are queried at once during a rebuild (each is a workflow query on a worker). */
const REBUILD_CONCURRENCY = 16;

/**
 * Rebuilds the read model from the prospect workflows: every prospect's state (its query),
 * projected as the workflow projects it, replacing every row in one transaction.
 */
export async function rebuildReadModel(sales: SalesflowClient, db: SalesflowDb): Promise<RebuildResult> {
  const started = Date.now();
  const rows = await sales.listProspects();
  const projections: ProspectProjection[] = [];
  for (let i = 0; i < rows.length; i += REBUILD_CONCURRENCY) {
    const states = await Promise.all(rows.slice(i, i + REBUILD_CONCURRENCY).map((row) => sales.findProspect(row.id)));
    for (const state of states) if (state) projections.push(projectProspect(state as ProspectState));
  }
  const written = await replaceProjections(db, projections);
  const customers = await rebuildCustomerReadModel(new CustomerClient(sales), db);
  return { ...written, ...customers, ms: Date.now() - started };
}

/** The post-sales part: every running customer account's state (its query), projected as its feed projects it. */
async function rebuildCustomerReadModel(customers: Pick<CustomerClient, 'list' | 'find'>, db: SalesflowDb): Promise<{ customers: number; customerEvents: number }> {
  const rows = await customers.list();
  const projections: CustomerProjection[] = [];
  for (let i = 0; i < rows.length; i += REBUILD_CONCURRENCY) {
    const states = await Promise.all(rows.slice(i, i + REBUILD_CONCURRENCY).map((row) => customers.find(row.id)));
    for (const state of states) if (state) projections.push(projectCustomer(state));
  }
  const written = await replaceCustomerProjections(db, projections);
  return { customers: written.customers, customerEvents: written.events };
}

export async function registerReportRoutes(api: App, deps: ServerDeps): Promise<void> {
  for (const name of Object.keys(SCHEMAS) as ReportName[]) {
    api.get(
      `/reports/${name}`,
      {
        schema: {
          tags: ['reports'],
          summary: SUMMARIES[name],
          description: 'format=csv answers text/csv: the report\'s main table (the rows `salesflow report` prints).',
          querystring: ReportQuerySchema,
          response: {
            200: {
              description: 'the report; with format=csv its main table as CSV, a header row first (alone when the report has no rows)',
              content: { 'application/json': { schema: SCHEMAS[name] }, 'text/csv': { schema: z.string() } },
            },
            ...problems,
          },
        },
      },
      async (request, reply) => {
        const actor = actorOf(requirePrincipal(request));
        const { format, ...query } = request.query;
        const filter = scopedFilter(actor, query, (deps.now ?? Date.now)(), name);
        const report = await REPORT_QUERIES[name](deps.db, filter);
        if (format === 'csv') {
          const csv = stringify(reportRows(name, report), { header: true, columns: reportColumns(name) });
          return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(csv as never);
        }
        return report as never;
      },
    );
  }

  api.get(
    '/reports/dimensions',
    {
      schema: {
        tags: ['reports'],
        summary: "what the reports can be filtered by within the caller's scope: teams and their reps, sources, campaigns (from the read model)",
        response: { 200: ReportDimensionsSchema, ...problems },
      },
    },
    async (request) => {
      const actor = actorOf(requirePrincipal(request));
      // The reports' own scope (a manager's team, a rep's own): the same refusals, the same rows.
      const { team, rep } = scopedFilter(actor, {}, (deps.now ?? Date.now)());
      return reportDimensions(deps.db, { ...(team !== undefined ? { team } : {}), ...(rep !== undefined ? { rep } : {}) });
    },
  );

  api.post(
    '/reports/rebuild',
    {
      schema: {
        tags: ['reports'],
        summary: 'rebuild the reporting read model from the prospect and customer workflows (ops, admin)',
        body: z.strictObject({}).optional(),
        response: { 200: RebuildResultSchema, ...problems },
      },
    },
    async (request) => {
      const actor = actorOf(requirePrincipal(request));
      if (actor.role !== 'admin' && actor.role !== 'ops') throw forbidden('only ops and admin rebuild the reports');
      return rebuildReadModel(deps.sales, deps.db);
    },
  );
}
