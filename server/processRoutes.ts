import { z } from 'zod';
import { can } from '../domain/accounts/access';
import { processFileProblems, ProcessDefinitionSchema } from '../domain/process/process';
import { DefinitionFields, readDefinition } from './definitionBody';
import { STAGES } from '../domain/pipeline/stages';
import { diffDocuments, documentYaml, toDocument } from '../domain/process/document';
import { actorOf, byOf, requirePrincipal, type Principal } from './auth';
import type { App, ServerDeps } from './app';
import { forbidden, ProblemSchema } from './problem';

/**
 * Process definitions over HTTP: anyone logged in may read them (their teams and rules are
 * what the pipeline shows); only ops and admin publish versions and migrate prospects.
 */

const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 422: ProblemSchema, 503: ProblemSchema };

const DefinitionBody = z.strictObject(DefinitionFields);

/** Durations must carry their units in what people write (the YAML text), as in the CLI. */
function processOf(body: z.infer<typeof DefinitionBody>) {
  return readDefinition(body, ProcessDefinitionSchema, 'process definition', body.yaml !== undefined ? processFileProblems : undefined);
}

const PublishedSchema = z
  .looseObject({ version: z.number(), publishedAt: z.string(), definition: z.looseObject({ name: z.string() }) })
  .meta({ id: 'PublishedProcessVersion' });

/** A version as `GET /processes/:name` shows it: also as people write it (durations with units), and as the YAML `process show` prints. */
const ShownSchema = z
  .looseObject({
    version: z.number(),
    publishedAt: z.string(),
    definition: z.looseObject({ name: z.string() }),
    document: z.looseObject({ name: z.string() }).describe('the definition as people write it: every duration as text with its unit (30d, 1bd)'),
    yaml: z.string().describe('that document as YAML, the text `salesflow process show` prints'),
  })
  .meta({ id: 'ShownProcessVersion' });

const NameParams = z.object({ name: z.string().min(1).max(100) });

function requireManage(p: Principal, what: string): void {
  if (!can(actorOf(p), 'manage', { kind: 'process' })) throw forbidden(`only ops or an admin may ${what}`);
}

export async function registerProcessRoutes(api: App, deps: ServerDeps): Promise<void> {
  api.post(
    '/processes/validate',
    {
      schema: {
        tags: ['processes'],
        summary: 'check a process definition (its YAML text, or JSON); every problem is named with its path and line (422 when invalid)',
        body: DefinitionBody,
        response: { 200: z.object({ valid: z.literal(true), definition: z.looseObject({ name: z.string() }) }), ...problems },
      },
    },
    async (request) => {
      requirePrincipal(request);
      const definition = processOf(request.body);
      return { valid: true as const, definition: toDocument(definition) as never };
    },
  );

  api.post(
    '/processes',
    { schema: { tags: ['processes'], summary: 'publish a definition as the next version of its process (ops, admin)', body: DefinitionBody, response: { 201: PublishedSchema, ...problems } } },
    async (request, reply) => {
      const p = requirePrincipal(request);
      requireManage(p, 'publish processes');
      const definition = processOf(request.body);
      return reply.code(201).send((await deps.ops.publish(definition, byOf(p))) as never);
    },
  );

  api.get(
    '/processes',
    {
      schema: {
        tags: ['processes'],
        summary: 'published processes',
        response: { 200: z.object({ processes: z.array(z.object({ name: z.string(), versions: z.number(), latestPublishedAt: z.string().optional() })) }), ...problems },
      },
    },
    async (request) => {
      requirePrincipal(request);
      return { processes: await deps.ops.listProcesses() };
    },
  );

  api.get(
    '/processes/:name',
    {
      schema: {
        tags: ['processes'],
        summary: 'a published version (default: the latest)',
        params: NameParams,
        querystring: z.strictObject({ version: z.coerce.number().int().min(1).optional() }),
        response: { 200: ShownSchema, ...problems },
      },
    },
    async (request) => {
      requirePrincipal(request);
      const shown = await deps.ops.version(request.params.name, request.query.version);
      return { ...shown, document: toDocument(shown.definition) as never, yaml: documentYaml(shown.definition) };
    },
  );

  api.get(
    '/processes/:name/diff',
    {
      schema: {
        tags: ['processes'],
        summary: 'what changed between two published versions',
        params: NameParams,
        querystring: z.strictObject({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) }),
        response: { 200: z.object({ changes: z.array(z.object({ path: z.string(), from: z.unknown(), to: z.unknown() })) }), ...problems },
      },
    },
    async (request) => {
      requirePrincipal(request);
      const [a, b] = await Promise.all([deps.ops.version(request.params.name, request.query.from), deps.ops.version(request.params.name, request.query.to)]);
      return { changes: diffDocuments(a.definition, b.definition) };
    },
  );

  api.post(
    '/processes/:name/migrate',
    {
      schema: {
        tags: ['processes'],
        summary: "move in-flight prospects and the process's customer accounts to another version where that is safe (ops, admin); dryRun changes nothing",
        params: NameParams,
        body: z.strictObject({
          to: z.number().int().min(1),
          stage: z.enum(STAGES).optional(),
          dryRun: z.boolean().default(false),
          reassign: z.strictObject({ from: z.string().min(1).max(63), to: z.string().min(1).max(63) }).optional(),
        }),
        response: {
          200: z.object({
            results: z.array(z.object({ prospectId: z.string(), from: z.number().optional(), outcome: z.enum(['migrated', 'would migrate', 'refused']), reason: z.string().optional() })),
            moved: z.number(),
            refused: z.number(),
            unchanged: z.number(),
            customers: z
              .object({
                results: z.array(z.object({ customerId: z.string(), from: z.number(), outcome: z.enum(['migrated', 'would migrate', 'refused']), reason: z.string().optional() })),
                moved: z.number(),
                refused: z.number(),
                unchanged: z.number(),
              })
              .describe("the process's customer accounts, moved by the same run (none when a stage is given: accounts have no stage)"),
          }),
          ...problems,
        },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      requireManage(p, 'migrate prospects');
      const { to, stage, dryRun, reassign } = request.body;
      return deps.ops.migrate(request.params.name, to, { stage }, dryRun, byOf(p), reassign);
    },
  );
}
