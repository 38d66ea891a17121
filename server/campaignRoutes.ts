import { z } from 'zod';
import { can } from '../domain/accounts/access';
import { CampaignDefinitionSchema } from '../domain/campaign/campaign';
import { parseOrThrow } from '../domain/shared/errors';
import { validateCampaign } from '../client/campaign/campaignFile';
import { actorOf, byOf, requirePrincipal, type Principal } from './auth';
import type { App, ServerDeps } from './app';
import { forbidden, ProblemSchema } from './problem';

/**
 * Campaign runs and the suppression list over HTTP: ops and admin only (a campaign mails
 * many people at once; the suppression list holds who must never be mailed). A CSV audience
 * is read by the server from its campaign folder, as the CLI reads it.
 */

const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 422: ProblemSchema, 503: ProblemSchema };
const DefinitionBody = z.strictObject({ definition: z.record(z.string(), z.unknown()) });
const IdParams = z.object({ id: z.string().min(1).max(200) });
const Loose = z.looseObject({});

function requireCampaigns(p: Principal): void {
  if (!can(actorOf(p), 'manage', { kind: 'campaign' })) throw forbidden('only ops or an admin may run campaigns and read the suppression list');
}

export async function registerCampaignRoutes(api: App, deps: ServerDeps): Promise<void> {
  const guard = (request: Parameters<typeof requirePrincipal>[0]) => {
    const p = requirePrincipal(request);
    requireCampaigns(p);
    return p;
  };

  api.post(
    '/campaigns/validate',
    { schema: { tags: ['campaigns'], summary: 'check a campaign definition and its audience', body: DefinitionBody, response: { 200: Loose, ...problems } } },
    async (request) => {
      guard(request);
      const v = validateCampaign(parseOrThrow(CampaignDefinitionSchema, request.body.definition, 'campaign'));
      return { valid: true, ...v } as never;
    },
  );
  api.post(
    '/campaigns',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'start a run (a running one is not started twice)',
        body: DefinitionBody.extend({ batchSize: z.number().int().min(1).max(1000).optional() }),
        response: { 201: z.object({ started: z.boolean(), workflowId: z.string() }), 200: z.object({ started: z.boolean(), workflowId: z.string() }), ...problems },
      },
    },
    async (request, reply) => {
      guard(request);
      const v = validateCampaign(parseOrThrow(CampaignDefinitionSchema, request.body.definition, 'campaign'));
      const { started, workflowId } = await deps.campaigns.start(v.definition, request.body.batchSize ? { batchSize: request.body.batchSize } : {});
      return reply.code(started ? 201 : 200).send({ started, workflowId });
    },
  );
  api.get(
    '/campaigns',
    { schema: { tags: ['campaigns'], summary: 'campaign runs', querystring: z.strictObject({ status: z.string().max(40).optional(), limit: z.coerce.number().int().min(1).max(500).optional() }), response: { 200: z.object({ campaigns: z.array(Loose) }), ...problems } } },
    async (request) => {
      guard(request);
      return { campaigns: (await deps.campaigns.list(request.query)) as never[] };
    },
  );
  api.get('/campaigns/:id', { schema: { tags: ['campaigns'], summary: "a run's progress", params: IdParams, response: { 200: Loose, ...problems } } }, async (request) => {
    guard(request);
    return (await deps.campaigns.progress(request.params.id)) as never;
  });
  for (const name of ['pause', 'resume', 'cancel'] as const) {
    api.post(
      `/campaigns/:id/${name}`,
      { schema: { tags: ['campaigns'], summary: `${name} a run`, params: IdParams, body: z.strictObject({ reason: z.string().trim().max(1000).optional() }), response: { 200: Loose, ...problems } } },
      async (request) => {
        const p = guard(request);
        return (await deps.campaigns.command(request.params.id, name, { by: byOf(p), reason: request.body.reason })) as never;
      },
    );
  }
  api.get('/suppressions', { schema: { tags: ['campaigns'], summary: 'the suppression list', response: { 200: z.object({ suppressed: z.array(Loose) }), ...problems } } }, async (request) => {
    guard(request);
    return { suppressed: (await deps.campaigns.suppressed()) as never[] };
  });
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
