import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { can } from '../domain/accounts/access';
import { CampaignDefinitionSchema, type CampaignDefinition } from '../domain/campaign/campaign';
import { validateCampaign } from '../client/campaign/campaignFile';
import { parseYamlWithSchema } from '../client/shared/definitionText';
import { actorOf, requirePrincipal } from './auth';
import type { App, ServerDeps } from './app';
import { forbidden, HttpProblem, ProblemSchema } from './problem';

/**
 * A campaign as a person uploads it in the web app: the definition as YAML text (problems
 * come back with their lines) and, for a CSV audience, the CSV itself. The CSV is stored in
 * the campaign folder (SALESFLOW_CAMPAIGN_DIR, the only folder the worker reads audiences
 * from) under uploads/, named by its content, and the definition's `audience.csv` is pointed
 * at it; the same upload twice is the same file, so a repeated start stays one run.
 */

const UploadBody = z.strictObject({
  /** The campaign definition file's text (YAML or JSON). */
  yaml: z.string().min(1, 'the definition is empty').max(200_000),
  /** The audience CSV's text, when the definition's audience is a csv. */
  csv: z.string().max(900_000).optional(),
  batchSize: z.number().int().min(1).max(1000).optional(),
});

const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 422: ProblemSchema, 503: ProblemSchema };

const LineProblemSchema = z.object({ path: z.string(), line: z.number().optional(), message: z.string() });
const ValidationSchema = z
  .object({
    valid: z.boolean(),
    /** Problems of the definition, each at its line of the YAML text. */
    problems: z.array(LineProblemSchema),
    campaign: z.object({ id: z.string(), name: z.string() }).optional(),
    recipients: z.number().optional(),
    columns: z.array(z.string()).optional(),
    /** Bad CSV rows, each with its line of the CSV (the run skips them). */
    invalidRows: z.array(z.object({ line: z.number(), message: z.string() }).loose()),
  })
  .meta({ id: 'CampaignUploadValidation' });

export async function registerCampaignUploadRoutes(api: App, deps: ServerDeps): Promise<void> {
  const campaignDir = resolve(deps.campaignDir ?? process.env.SALESFLOW_CAMPAIGN_DIR ?? '.');

  /** The definition with its CSV stored; or the problems at their lines. */
  function prepare(body: z.infer<typeof UploadBody>): { definition?: CampaignDefinition; problems: z.infer<typeof LineProblemSchema>[] } {
    const parsed = parseYamlWithSchema(body.yaml, CampaignDefinitionSchema);
    if (!parsed.ok) return { problems: parsed.problems };
    let definition = parsed.value;
    if ('csv' in definition.audience) {
      if (body.csv === undefined) {
        throw new HttpProblem(422, 'refused', 'Refused', `the definition's audience is the csv "${definition.audience.csv}": upload that file with it`, [{ path: ['csv'], message: 'upload the audience CSV' }]);
      }
      const digest = createHash('sha256').update(body.csv).digest('hex').slice(0, 16);
      const dir = join(campaignDir, 'uploads');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${definition.id}-${digest}.csv`);
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, body.csv);
      renameSync(tmp, file);
      definition = { ...definition, audience: { csv: file } };
    }
    return { definition, problems: [] };
  }

  function guard(request: Parameters<typeof requirePrincipal>[0]): void {
    if (!can(actorOf(requirePrincipal(request)), 'manage', { kind: 'campaign' })) throw forbidden('only ops or an admin may run campaigns');
  }

  api.post(
    '/campaigns/upload/validate',
    { schema: { tags: ['campaigns'], summary: 'check an uploaded campaign definition (YAML text) and its CSV: problems at their lines, bad rows listed', body: UploadBody, response: { 200: ValidationSchema, ...problems } } },
    async (request) => {
      guard(request);
      const { definition, problems: found } = prepare(request.body);
      if (!definition) return { valid: false, problems: found, invalidRows: [] };
      const v = validateCampaign(definition);
      return {
        valid: true,
        problems: [],
        campaign: { id: definition.id, name: definition.name },
        ...(v.recipients !== undefined ? { recipients: v.recipients } : {}),
        ...(v.columns ? { columns: v.columns } : {}),
        invalidRows: v.invalidRows.map((r) => ({ ...r })),
      };
    },
  );

  api.post(
    '/campaigns/upload',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'start a run from an uploaded definition (YAML text) and its CSV (a running one is not started twice)',
        body: UploadBody,
        response: { 201: z.object({ started: z.boolean(), workflowId: z.string(), id: z.string() }), 200: z.object({ started: z.boolean(), workflowId: z.string(), id: z.string() }), ...problems },
      },
    },
    async (request, reply) => {
      guard(request);
      const { definition, problems: found } = prepare(request.body);
      if (!definition) {
        throw new HttpProblem(
          422,
          'invalid-definition',
          'Invalid campaign definition',
          found.map((p) => `line ${p.line ?? '?'}: ${p.path}: ${p.message}`).join('; '),
          found.map((p) => ({ path: ['yaml'], message: `line ${p.line ?? '?'}: ${p.path}: ${p.message}` })),
        );
      }
      const v = validateCampaign(definition);
      const { started, workflowId } = await deps.campaigns.start(v.definition, request.body.batchSize ? { batchSize: request.body.batchSize } : {});
      return reply.code(started ? 201 : 200).send({ started, workflowId, id: definition.id });
    },
  );
}
