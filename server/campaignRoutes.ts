import { z } from 'zod';
import { can } from '../domain/accounts/access';
import { CAMPAIGN_STATUSES, CampaignDefinitionSchema, CampaignProgressViewSchema, CampaignStateViewSchema, progressView, type CampaignDefinition } from '../domain/campaign/campaign';
import { SUPPRESSION_REASONS } from '../domain/campaign/suppression';
import { cronProblem } from '../domain/campaign/cron';
import { parseDuration } from '../domain/shared/duration';
import { normalizeEmail } from '../domain/shared/email';
import { DomainError, fieldRefusal } from '../domain/shared/errors';
import { validateCampaign } from '../client/campaign/campaignFile';
import type { CampaignClient } from '../client/campaign/campaignClient';
import { MAX_PAGE_SIZE } from '../client/shared/visibilityPages';
import { CampaignStore, storeUpload } from '../db/campaignStore';
import type { SalesflowDb } from '../db/database';
import { campaignWorkflowId } from '../workflows/campaign/contract';
import { actorOf, byOf, requirePrincipal, type Principal } from './auth';
import type { App, ServerDeps } from './app';
import { DefinitionFields, atDefinitionLines, readDefinition } from './definitionBody';
import { PageQuery } from './prospectRoutes';
import { forbidden, notFound, ProblemSchema } from './problem';

/**
 * Campaign runs, their schedules and the suppression list over HTTP: ops and admin only (a
 * campaign mails many people at once; the suppression list holds who must never be mailed).
 * A CSV audience comes with the definition (`csv`, the file's text): the server never reads
 * a path a client names. It is kept in the campaign store (the salesflow database), where any
 * worker reads it by its hash.
 */

const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 413: ProblemSchema, 422: ProblemSchema, 503: ProblemSchema };
const IdParams = z.object({ id: z.string().min(1).max(200) });
const Loose = z.looseObject({});

/** An audience of 100,000 recipients is a few MB of CSV. */
const UPLOAD_LIMIT = 32 * 1024 * 1024;

const CampaignBody = z.strictObject({
  ...DefinitionFields,
  /** The audience CSV's text, for a definition whose audience is `{csv: FILE}`. */
  csv: z.string().min(1).max(UPLOAD_LIMIT).optional(),
});

function requireCampaigns(p: Principal): void {
  if (!can(actorOf(p), 'manage', { kind: 'campaign' })) throw forbidden('only ops or an admin may run campaigns and read the suppression list');
}

/**
 * The definition checked as `campaign validate` checks a file; with `store`, its CSV is then
 * stored in the campaign store (by content hash: the same upload is the same row) and the
 * definition names it `upload:<sha256>`. Nothing is stored for a definition that fails.
 */
async function campaignOf(body: z.infer<typeof CampaignBody>, campaigns: CampaignClient, store?: SalesflowDb) {
  const definition: CampaignDefinition = readDefinition(body, CampaignDefinitionSchema, 'campaign');
  const isCsv = 'csv' in definition.audience;
  if (isCsv && body.csv === undefined) throw fieldRefusal('campaign', ['csv'], `send the audience file ${(definition.audience as { csv: string }).csv} as csv (its text) with the definition`);
  if (!isCsv && body.csv !== undefined) throw fieldRefusal('campaign', ['csv'], 'the audience is not a CSV file; send no csv');
  if (!isCsv) {
    const validation = atDefinitionLines(body, 'campaign', () => validateCampaign(definition));
    if ('prospects' in definition.audience) {
      const ids = definition.audience.prospects;
      const missing = await campaigns.missingProspects(ids);
      if (missing.length > 0) {
        atDefinitionLines(body, 'campaign', () => {
          throw new DomainError(
            `audience.prospects: ${missing.map((k) => `no prospect "${ids[k]}"`).join(', ')}`,
            missing.map((k) => ({ path: ['audience', 'prospects', k], message: `no prospect "${ids[k]}"` })),
          );
        });
      }
    }
    return validation;
  }
  const validation = atDefinitionLines(body, 'campaign', () => validateCampaign(definition, body.csv));
  if (!store) return validation;
  return { ...validation, definition: { ...validation.definition, audience: { csv: await storeUpload(store, body.csv!) } } };
}

const ValidationSchema = z.looseObject({
  valid: z.literal(true),
  definition: Loose,
  recipients: z.number().optional(),
  columns: z.array(z.string()).optional(),
  invalidRows: z.array(z.object({ line: z.number(), message: z.string() })),
  /** A run under this id already completed or was cancelled: starting it would be refused (a new id mails the audience again). */
  alreadyRan: z.enum(['completed', 'cancelled']).optional().describe('how an earlier run under this id ended, when starting this one would be refused'),
});

export async function registerCampaignRoutes(api: App, deps: ServerDeps): Promise<void> {
  const guard = (request: Parameters<typeof requirePrincipal>[0]) => {
    const p = requirePrincipal(request);
    requireCampaigns(p);
    return p;
  };

  api.post(
    '/campaigns/validate',
    { bodyLimit: UPLOAD_LIMIT, schema: { tags: ['campaigns'], summary: 'check a campaign definition and its audience CSV (every bad row, with its line)', body: CampaignBody, response: { 200: ValidationSchema, ...problems } } },
    async (request) => {
      guard(request);
      const validation = await campaignOf(request.body, deps.campaigns);
      // Said now, beside "valid", rather than only when start is refused.
      const alreadyRan = await deps.campaigns.ranAs(validation.definition.id);
      return { valid: true as const, ...validation, ...(alreadyRan ? { alreadyRan } : {}) } as never;
    },
  );
  api.post(
    '/campaigns',
    {
      bodyLimit: UPLOAD_LIMIT,
      schema: {
        tags: ['campaigns'],
        summary: 'start a run (a running one is not started twice)',
        body: CampaignBody.extend({ batchSize: z.number().int().min(1).max(1000).optional() }),
        response: { 201: z.object({ started: z.boolean(), workflowId: z.string(), validation: ValidationSchema }), 200: z.object({ started: z.boolean(), workflowId: z.string(), validation: ValidationSchema }), ...problems },
      },
    },
    async (request, reply) => {
      guard(request);
      const v = await campaignOf(request.body, deps.campaigns, deps.db);
      const { started, workflowId } = await deps.campaigns.start(v.definition, request.body.batchSize ? { batchSize: request.body.batchSize } : {});
      return reply.code(started ? 201 : 200).send({ started, workflowId, validation: { valid: true, ...v } as never });
    },
  );
  api.get(
    '/campaigns',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'campaign runs, newest first; paged (follow nextPageToken until it is absent)',
        // An enum, so a mistyped status is a 400 naming the allowed ones, not an empty list.
        querystring: PageQuery.extend({ status: z.enum(CAMPAIGN_STATUSES).optional() }),
        response: { 200: z.object({ campaigns: z.array(Loose), nextPageToken: z.string().optional() }), ...problems },
      },
    },
    async (request) => {
      guard(request);
      return (await deps.campaigns.listPage(request.query.status, Math.min(request.query.limit, MAX_PAGE_SIZE), request.query.pageToken)) as never;
    },
  );
  // The average rate is computed here, once, so that the CLI and the web app (which takes no
  // domain code) show the same figure for the same run.
  api.get('/campaigns/:id', { schema: { tags: ['campaigns'], summary: "a run's progress, with its average rate (mails per minute) as of asOf", params: IdParams, response: { 200: CampaignProgressViewSchema, ...problems } } }, async (request) => {
    guard(request);
    return progressView(await deps.campaigns.progress(request.params.id), Date.now());
  });
  api.get(
    '/campaigns/:id/state',
    { schema: { tags: ['campaigns'], summary: "a run's full state: progress, recipients that failed or were skipped (with why), invalid CSV rows", params: IdParams, response: { 200: CampaignStateViewSchema, ...problems } } },
    async (request) => {
      guard(request);
      return (await deps.campaigns.state(request.params.id)) as never;
    },
  );
  api.get(
    '/campaigns/:id/recipients/:email',
    {
      schema: {
        tags: ['campaigns'],
        summary: "one recipient's status in a run: pending, sent (with Message-ID and time), skipped, failed or bounced (with why), or cancelled (not sent: the run was cancelled)",
        params: z.object({ id: z.string().min(1).max(200), email: z.email().max(254) }),
        response: { 200: z.object({ email: z.string(), status: z.string(), index: z.number().optional(), reason: z.string().optional(), messageId: z.string().optional(), at: z.string().optional() }), ...problems },
      },
    },
    async (request) => {
      guard(request);
      const id = request.params.id;
      const email = normalizeEmail(request.params.email);
      const exception = await deps.campaigns.exception(id, email);
      if (exception) return { email, status: exception.status, reason: exception.reason, index: exception.index };
      const found = await new CampaignStore(deps.db).findRecipient(campaignWorkflowId(id), email);
      if (!found) throw notFound(`${email} is not in campaign ${id}'s audience`);
      const l = found.ledger;
      // Not in the ledger: pending while the run goes on, but never mailed once it was cancelled.
      if (!l && (await deps.campaigns.progress(id)).status === 'cancelled') return { email, status: 'cancelled', index: found.index, reason: 'not sent: the run was cancelled' };
      return { email, status: l?.status ?? 'pending', index: found.index, ...(l?.messageId ? { messageId: l.messageId } : {}), ...(l?.at ? { at: l.at } : {}), ...(l?.reason ? { reason: l.reason } : {}) };
    },
  );
  for (const name of ['pause', 'resume', 'cancel'] as const) {
    api.post(
      `/campaigns/:id/${name}`,
      { schema: { tags: ['campaigns'], summary: `${name} a run`, params: IdParams, body: z.strictObject({ reason: z.string().trim().max(1000).optional() }), response: { 200: CampaignProgressViewSchema, ...problems } } },
      async (request) => {
        const p = guard(request);
        return progressView(await deps.campaigns.command(request.params.id, name, { by: byOf(p), reason: request.body.reason }), Date.now());
      },
    );
  }

  api.post(
    '/campaign-schedules',
    {
      bodyLimit: UPLOAD_LIMIT,
      schema: {
        tags: ['campaigns'],
        summary: "run a campaign on a Temporal Schedule (each run mails the then-current audience); cron or every override the definition's schedule; scheduling again replaces it",
        body: CampaignBody.extend({ cron: z.string().min(9).max(200).optional(), every: z.string().min(2).max(20).optional() }),
        response: { 200: z.object({ scheduleId: z.string(), created: z.boolean(), definition: Loose }), ...problems },
      },
    },
    async (request) => {
      guard(request);
      const { cron, every, ...body } = request.body;
      if (cron !== undefined && every !== undefined) throw fieldRefusal('schedule', ['every'], 'give either cron or every');
      const cronRefused = cron !== undefined ? cronProblem(cron) : undefined;
      if (cronRefused !== undefined) throw fieldRefusal('schedule', ['cron'], cronRefused);
      const everyMs = every !== undefined ? parseDuration(every) : undefined;
      if (every !== undefined && everyMs === undefined) throw fieldRefusal('schedule', ['every'], `"${every}" must be a duration such as 1d or 1w`);
      const loaded = (await campaignOf(body, deps.campaigns, deps.db)).definition;
      const definition = cron ? { ...loaded, schedule: { cron: [cron] } } : everyMs !== undefined ? { ...loaded, schedule: { every: everyMs } } : loaded;
      if (!definition.schedule) throw new DomainError(`campaign ${definition.id} has no schedule: add schedule: {cron: [...]} or {every: ...} to the file, or give cron or every`);
      const { scheduleId, created } = await deps.campaigns.schedule(definition);
      return { scheduleId, created, definition: definition as never };
    },
  );
  api.delete(
    '/campaign-schedules/:id',
    { schema: { tags: ['campaigns'], summary: "delete a campaign's schedule (runs already started go on)", params: IdParams, response: { 204: z.null(), ...problems } } },
    async (request, reply) => {
      guard(request);
      await deps.campaigns.unschedule(request.params.id);
      return reply.code(204).send(null);
    },
  );

  api.get(
    '/suppressions',
    { schema: { tags: ['campaigns'], summary: 'the suppression list: who is never mailed by a campaign, and why', response: { 200: z.object({ suppressed: z.array(Loose) }), ...problems } } },
    async (request) => {
      guard(request);
      return { suppressed: (await deps.campaigns.suppressed()) as never[] };
    },
  );
  api.post(
    '/suppressions',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'never mail this address from a campaign again (recorded with who added it)',
        body: z.strictObject({ email: z.email().max(254), reason: z.enum(SUPPRESSION_REASONS).default('manual'), note: z.string().trim().max(1000).default('') }),
        response: { 200: Loose, ...problems },
      },
    },
    async (request) => {
      const p = guard(request);
      return (await deps.campaigns.suppress({ email: request.body.email, reason: request.body.reason, source: `api:${byOf(p)}`, detail: request.body.note })) as never;
    },
  );
  api.get(
    '/suppressions/removals',
    { schema: { tags: ['campaigns'], summary: 'addresses taken off the suppression list, with who and why', response: { 200: z.object({ removals: z.array(Loose) }), ...problems } } },
    async (request) => {
      guard(request);
      return { removals: (await deps.campaigns.unsuppressed()) as never[] };
    },
  );
  api.post(
    '/suppressions/unsuppress',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'take an address off the suppression list, saying why',
        body: z.strictObject({ email: z.email().max(254), reason: z.string().trim().min(1).max(1000) }),
        response: { 200: Loose, ...problems },
      },
    },
    async (request) => {
      const p = guard(request);
      return (await deps.campaigns.unsuppress({ ...request.body, by: byOf(p) })) as never;
    },
  );
}
