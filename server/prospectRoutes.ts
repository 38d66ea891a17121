import { z } from 'zod';
import { can, customerResource, prospectResource, reassignRefusal, type Action, type Actor, type ProspectResource, type TaskResource } from '../domain/accounts/access';
import * as commands from '../domain/pipeline/commands';
import { DomainError, fieldRefusal } from '../domain/shared/errors';
import type { CommandName } from '../domain/pipeline/lifecycle';
import { notARep, processFileProblems, DEFAULT_PROCESS, DEFAULT_PROCESS_INPUT, ProcessDefinitionSchema, type ProcessDefinitionInput } from '../domain/process/process';
import { ProspectInfoSchema, type ProspectState } from '../domain/pipeline/prospect';
import { STAGES } from '../domain/pipeline/stages';
import { nextDueAt } from '../domain/pipeline/deadlines';
import { customerIdFor } from '../domain/customer/customer';
import { customerOfTask } from '../domain/tasks/tasks';
import { PersonIdSchema } from '../domain/accounts/accounts';
import { actorOf, byOf, requirePrincipal } from './auth';
import type { App, ServerDeps } from './app';
import { forbidden, notFound, ProblemSchema } from './problem';
import { MAX_PAGE_SIZE } from '../client/shared/visibilityPages';
import { DefinitionFields, readDefinition } from './definitionBody';
import { CustomerClient } from '../client/customer/customerClient';
import { prospectsFromTable } from '../domain/pipeline/prospectImport';
import { findDocument } from '../db/documents';
import { searchProspects } from '../db/reporting';
import { managedTeams } from './publishedTeams';
import { readCsvTable } from '../client/campaign/audienceCsv';

/**
 * Prospects and tasks over HTTP, thin over SalesflowClient and OpsClient. Each request loads
 * the prospect (or task) first and asks domain/accounts/access.ts whether the caller may see or act on
 * it. A prospect or task the caller may not see answers 404, exactly as one that does not
 * exist, so ids of other reps' prospects cannot be probed. `by` is always the caller's person
 * id (or login): bodies that send one are refused as having an unknown field.
 */

/** A prospect as the API returns it: the workflow's state (the keys below are always there). */
export const ProspectSchema = z
  .looseObject({
    info: z.looseObject({ id: z.string(), name: z.string(), rep: z.string() }),
    stage: z.string(),
    process: z.looseObject({ name: z.string(), version: z.number() }),
    /** Derived: the next deadline (a task, a call, the quotation's reminder, escalation or expiry), as lists show it. */
    nextDue: z.string().optional(),
    /** Derived, once won: the customer account the deal books into. */
    customerId: z.string().optional(),
  })
  .meta({ id: 'Prospect', description: "a prospect's full state: info, stage, contacts, inquiry, quotation, tasks, calls, queries, history" });

const ProspectSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    company: z.string().optional(),
    stage: z.string().optional(),
    rep: z.string().optional(),
    quoteTotal: z.number().optional(),
    nextDue: z.string().optional(),
    process: z.string().optional(),
    processVersion: z.number().optional(),
    status: z.string(),
  })
  .meta({ id: 'ProspectSummary' });

export const TaskSchema = z
  .looseObject({ id: z.string(), prospectId: z.string(), kind: z.string(), title: z.string(), rep: z.string(), dueAt: z.string(), state: z.string() })
  .meta({ id: 'Task' });

const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema, 503: ProblemSchema };

/** The command's body: its domain schema without `by`, refusing unknown fields. */
function bodyOf(schema: z.ZodObject): z.ZodObject {
  const { by: _by, ...shape } = schema.shape as Record<string, z.ZodType>;
  void _by;
  return z.strictObject(shape);
}

/** The prospect updates over HTTP (each at its commandSegment), and which permission each needs. */
const PROSPECT_COMMANDS: Record<string, { name: CommandName; schema: z.ZodObject; action: Action; summary: string }> = {
  'log-contact': { name: 'logContact', schema: commands.LogContactSchema, action: 'command', summary: 'log a contact (visit, call, mail ...)' },
  qualify: { name: 'qualify', schema: commands.QualifySchema as unknown as z.ZodObject, action: 'command', summary: 'qualify (or disqualify) the prospect' },
  'create-inquiry': { name: 'createInquiry', schema: commands.CreateInquirySchema, action: 'command', summary: "record the customer's inquiry" },
  'change-inquiry': { name: 'changeInquiry', schema: commands.ChangeInquirySchema, action: 'command', summary: 'change the inquiry' },
  'create-quote': { name: 'createQuote', schema: commands.CreateQuoteSchema, action: 'command', summary: 'create the quotation' },
  'change-quote': { name: 'changeQuote', schema: commands.ChangeQuoteSchema as unknown as z.ZodObject, action: 'command', summary: 'change the quotation' },
  'refresh-quote': { name: 'refreshQuote', schema: commands.RefreshQuoteSchema, action: 'command', summary: 'renew an expired quotation' },
  'send-quote': { name: 'sendQuote', schema: commands.SendQuoteSchema, action: 'command', summary: 'send the quotation (mail, or handed over)' },
  // An online answer (signer, IP, document) is recorded only by the quotation page (server/quotationPage.ts).
  'accept-quote': { name: 'acceptQuote', schema: commands.AcceptQuoteSchema.omit({ online: true, documentSha256: true }), action: 'command', summary: 'the customer accepted: won' },
  'reject-quote': { name: 'rejectQuote', schema: commands.RejectQuoteSchema.omit({ online: true, documentSha256: true }), action: 'command', summary: 'the customer rejected the quotation' },
  'mark-lost': { name: 'markLost', schema: commands.MarkLostSchema, action: 'command', summary: 'mark the prospect lost' },
  'schedule-call': { name: 'scheduleCall', schema: commands.ScheduleCallSchema, action: 'command', summary: 'schedule a call' },
  'reschedule-call': { name: 'rescheduleCall', schema: commands.RescheduleCallSchema, action: 'command', summary: 'move a call' },
  'cancel-call': { name: 'cancelCall', schema: commands.CancelCallSchema, action: 'command', summary: 'cancel a call' },
  'complete-call': { name: 'completeCall', schema: commands.CompleteCallSchema, action: 'command', summary: 'record a call as done' },
  'open-support-query': { name: 'openSupportQuery', schema: commands.OpenSupportQuerySchema, action: 'support', summary: "record a customer's support query" },
  'answer-support-query': { name: 'answerSupportQuery', schema: commands.AnswerSupportQuerySchema, action: 'support', summary: 'answer a support query' },
  reassign: { name: 'reassign', schema: commands.ReassignSchema, action: 'command', summary: 'move the prospect and its open tasks to another rep' },
};
export const PROSPECT_COMMAND_PATHS = Object.values(PROSPECT_COMMANDS).map((c) => commands.commandSegment(c.name));


/** The prospect, if it exists and the actor may do `action` on it; 404 otherwise (see above). */
/** The state with what the API derives from it: the same next due time as the lists, the account of a won deal. */
export function prospectAnswer(state: ProspectState): ProspectState & { nextDue?: string; customerId?: string } {
  const due = nextDueAt(state);
  return {
    ...state,
    ...(due !== undefined ? { nextDue: new Date(due).toISOString() } : {}),
    ...(state.stage === 'won' ? { customerId: customerIdFor(state.info) } : {}),
  };
}

async function authorizedProspect(deps: ServerDeps, actor: Actor, id: string, action: Action): Promise<ProspectState> {
  const state = await deps.sales.findProspect(id);
  if (!state || !can(actor, 'read', prospectResource(state))) throw notFound(`no prospect "${id}"${state ? '' : await customerHint(deps, actor, id)}`);
  if (!can(actor, action, prospectResource(state))) throw forbidden(`a ${actor.role} may not do that on prospect "${id}"`);
  return state;
}

/**
 * An account's id given where a prospect's is wanted (`support query acme-corp` without
 * --customer): say what it is, when the caller may read the account.
 */
async function customerHint(deps: ServerDeps, actor: Actor, id: string): Promise<string> {
  const customer = await new CustomerClient(deps.sales).find(id).catch(() => undefined);
  return customer && can(actor, 'read', customerResource(customer)) ? `: "${id}" is a customer account, not a prospect (a support query on an account takes --customer)` : '';
}

const IdParams = z.object({ id: z.string().min(1).max(200) });

/** Paging of every list: `limit` rows a page, and the token of the page before's answer. */
export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(100),
  pageToken: z.string().min(1).max(2000).optional(),
});

const CreateProspectSchema = ProspectInfoSchema.extend({
  rep: PersonIdSchema.optional(),
  /** A published process by name (its latest version), which also assigns a rep when none is named. */
  process: z.string().min(1).max(100).optional(),
  /** Or a process definition given inline, as JSON ... */
  definition: DefinitionFields.definition,
  /** ... or as the YAML file's text (as `salesflow create --process file.yaml` sends it). */
  processYaml: DefinitionFields.yaml,
}).strict();

/** A CSV export of 20,000 prospects is a few MB. */
const IMPORT_LIMIT = 16 * 1024 * 1024;

const ImportCheckSchema = z.strictObject({
  /** The CSV file's text (a header row, then one prospect a line). */
  csv: z.string().max(IMPORT_LIMIT),
  /** For lines without a rep (a rep's own id by default when a rep imports). */
  rep: PersonIdSchema.optional(),
  /** For lines without a source (default `import`). */
  source: z.string().min(1).max(100).optional(),
  /** The published process the rows will be created on (its latest version): its reps are checked, and it assigns one to a line without. Default: the built-in process. */
  process: z.string().min(1).max(100).optional(),
});

const ImportCheckAnswer = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.object({ line: z.number(), info: z.looseObject({ id: z.string(), name: z.string(), rep: z.string().optional() }) })),
  problems: z.array(z.object({ line: z.number(), message: z.string() })),
});

export async function registerProspectRoutes(api: App, deps: ServerDeps): Promise<void> {
  api.post(
    '/prospects',
    {
      schema: {
        tags: ['prospects'],
        summary: 'create a prospect (creating an existing one again changes nothing: 200 with created false)',
        body: CreateProspectSchema,
        response: { 200: z.object({ created: z.boolean(), prospect: ProspectSchema }), 201: z.object({ created: z.boolean(), prospect: ProspectSchema }), ...problems },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const actor = actorOf(p);
      const { process: processName, definition: json, processYaml, ...info } = request.body;
      const inline = json !== undefined || processYaml !== undefined;
      // A rep creates prospects for themself; the registry's assignment is for the others.
      const rep = info.rep ?? (actor.role === 'rep' ? (actor.personId ?? undefined) : undefined);
      let definition: ProcessDefinitionInput | undefined;
      if (inline) {
        if (processName) throw new DomainError('name a published process or give a definition, not both');
        definition = readDefinition({ definition: json, yaml: processYaml }, ProcessDefinitionSchema, 'process definition', processYaml !== undefined ? processFileProblems : undefined);
      }
      else if (processName) definition = (await deps.ops.version(processName)).definition;
      if (!rep && !(processName && !inline)) throw fieldRefusal('prospect', ['rep'], 'is required unless process names a published process that assigns reps');
      const teams = (definition ?? DEFAULT_PROCESS_INPUT).teams ?? [];
      const resource: ProspectResource = {
        kind: 'prospect',
        rep: rep ?? '',
        teams: teams.map((t) => ({ name: t.name, reps: t.reps.map((r) => r.id), manager: t.manager.id })),
      };
      if (!can(actor, 'create', resource)) {
        throw forbidden(rep ? `a ${actor.role} may not create prospects for rep "${rep}"` : `a ${actor.role} must name a rep they may create prospects for`);
      }
      const result =
        processName && !inline
          ? await deps.ops.createOnProcess({ ...info, rep }, processName)
          : await deps.sales.createProspect({ ...info, rep: rep ?? '' }, definition);
      return reply.code(result.created ? 201 : 200).send({ created: result.created, prospect: prospectAnswer(result.state) as never });
    },
  );

  api.post(
    '/prospects/import/check',
    {
      bodyLimit: IMPORT_LIMIT,
      schema: {
        tags: ['prospects'],
        summary: "check a CSV file of prospects (salesflow import's rules): the rows as create takes them, and every bad line with its line number",
        description:
          'Creates nothing. The web app creates the rows it answers one by one through POST /prospects (a prospect there already changes nothing), so an import cut short is finished by importing the file again. A file with any problem should be fixed first: `salesflow import` imports nothing then.',
        body: ImportCheckSchema,
        response: { 200: ImportCheckAnswer, ...problems },
      },
    },
    async (request) => {
      const actor = actorOf(requirePrincipal(request));
      const { csv, rep, source, process: processName } = request.body;
      // A rep imports for themself unless the file names reps (which create then checks row by row).
      const defaultRep = rep ?? (actor.role === 'rep' ? (actor.personId ?? undefined) : undefined);
      const target = processName ? { definition: (await deps.ops.version(processName)).definition, assignsReps: true } : { definition: DEFAULT_PROCESS, assignsReps: false };
      // A rep for lines without one that the process does not have: the field's problem, not every line's.
      const repRefusal = rep !== undefined ? notARep(target.definition, rep) : undefined;
      if (repRefusal) throw new DomainError(`rep: ${repRefusal}`, [{ path: ['rep'], message: repRefusal }]);
      const checked = prospectsFromTable(readCsvTable(csv), { rep: defaultRep, source }, target);
      return { columns: checked.columns, rows: checked.rows, problems: checked.problems } as never;
    },
  );

  api.get(
    '/prospects',
    {
      schema: {
        tags: ['prospects'],
        summary: 'open prospects from visibility, filtered to what the caller may see; paged (follow nextPageToken until it is absent)',
        description:
          "Newest first. A manager's page is read from visibility and then filtered to their teams, so it may hold fewer rows than limit while nextPageToken is still there. With q, a search of every prospect the caller may see (the read model's names, companies and addresses), stage and rep still filtering.",
        querystring: PageQuery.extend({
          stage: z.enum(STAGES).optional(),
          rep: z.string().min(1).max(100).optional(),
          q: z
            .string()
            .trim()
            .min(1, 'say what to search for')
            .max(100)
            .optional()
            .meta({ description: 'search: prospects whose id, name, company or email address hold every word (any case), among all the caller may see; at most 100 a page' }),
        }),
        response: { 200: z.object({ prospects: z.array(ProspectSummarySchema), nextPageToken: z.string().optional() }), ...problems },
      },
    },
    async (request) => {
      const actor = actorOf(requirePrincipal(request));
      const { stage, limit, pageToken, q } = request.query;
      let rep = request.query.rep;
      if (actor.role === 'rep') {
        // A rep's list is their own; asking for another rep's shows nothing of it.
        if (!actor.personId || (rep !== undefined && rep !== actor.personId)) return { prospects: [] };
        rep = actor.personId;
      }
      const page = q !== undefined ? await searchPage(deps, actor, { text: q, stage, rep, limit, pageToken }) : await deps.sales.listProspectsPage({ stage, rep }, limit, pageToken);
      if (actor.role !== 'manager') return page;
      // A manager's team is decided per prospect by its process definition's teams, so each
      // row of the page is read (visibility holds no team).
      const visible = [];
      for (const row of page.prospects) {
        const state = await deps.sales.findProspect(row.id);
        if (state && can(actor, 'read', prospectResource(state))) visible.push(row);
      }
      return { prospects: visible, ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
    },
  );

  api.get(
    '/prospects/:id',
    { schema: { tags: ['prospects'], summary: 'a prospect', params: IdParams, response: { 200: ProspectSchema, ...problems } } },
    async (request) => prospectAnswer(await authorizedProspect(deps, actorOf(requirePrincipal(request)), request.params.id, 'read')) as never,
  );

  api.get(
    '/prospects/:id/quotes/:revision/document',
    {
      schema: {
        tags: ['prospects'],
        summary: "a quotation revision's PDF as it was sent (the bytes its documentSha256 names)",
        description: 'Stored when the revision is sent; 404 before that. The x-content-sha256 header is the stored hash.',
        params: IdParams.extend({ revision: z.coerce.number().int().min(1) }),
        response: { 200: { description: 'the PDF', content: { 'application/pdf': { schema: z.string() } } }, ...problems },
      },
    },
    async (request, reply) => {
      const { id, revision } = request.params;
      const state = await authorizedProspect(deps, actorOf(requirePrincipal(request)), id, 'read');
      if (!state.quotes.some((q) => q.revision === revision)) throw notFound(`prospect "${id}" has no quotation revision ${revision}`);
      const stored = await findDocument(deps.db, id, revision);
      if (!stored) throw notFound(`revision ${revision} of "${id}" has no document yet: a quotation's PDF is stored when it is sent`);
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `inline; filename="${stored.number}.pdf"`)
        .header('x-content-sha256', stored.sha256)
        .send(stored.bytes as never);
    },
  );

  for (const command of Object.values(PROSPECT_COMMANDS)) {
    api.post(
      `/prospects/:id/${commands.commandSegment(command.name)}`,
      {
        schema: {
          tags: ['prospects'],
          summary: command.summary,
          description: `Runs the prospect's \`${command.name}\` command as the logged-in user. Accepts Idempotency-Key.`,
          params: IdParams,
          body: bodyOf(command.schema),
          response: { 200: ProspectSchema, ...problems },
        },
      },
      async (request) => {
        const p = requirePrincipal(request);
        const id = request.params.id;
        const state = await authorizedProspect(deps, actorOf(p), id, command.action);
        if (command.name === 'reassign') {
          const refusal = reassignRefusal(actorOf(p), (request.sentBody as { rep?: unknown }).rep as string, prospectResource(state).teams);
          if (refusal) throw forbidden(refusal);
        }
        return prospectAnswer(await deps.sales.command(id, command.name, { ...(request.sentBody as object), by: byOf(p) })) as never;
      },
    );
  }

  // Tasks
  api.get(
    '/tasks',
    {
      schema: {
        tags: ['tasks'],
        summary: "a rep's open tasks, soonest due first within a page (default: the caller's own); paged like /prospects",
        querystring: PageQuery.extend({ rep: z.string().min(1).max(100).optional(), due: z.enum(['today', 'overdue']).optional() }),
        response: { 200: z.object({ tasks: z.array(TaskSchema), nextPageToken: z.string().optional() }), ...problems },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const actor = actorOf(p);
      const rep = request.query.rep ?? actor.personId;
      // `field` names the parameter, so a client (the CLI's --rep) can word it its own way.
      if (!rep) throw new DomainError('name a rep (?rep=...): this account acts as no person', [{ path: ['rep'], message: 'name a rep: this account acts as no person' }]);
      if (actor.role === 'rep' && rep !== actor.personId) return { tasks: [] };
      const page = await deps.ops.inboxPage(rep, request.query.due, request.query.limit, request.query.pageToken);
      if (actor.role === 'admin' || actor.role === 'ops' || actor.role === 'rep') return page;
      const visible = [];
      for (const row of page.tasks) {
        if (can(actor, 'read', await taskResource(deps, row))) visible.push(row);
      }
      return { tasks: visible, ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
    },
  );

  api.get(
    '/tasks/:id',
    { schema: { tags: ['tasks'], summary: 'a task', params: IdParams, response: { 200: TaskSchema, ...problems } } },
    async (request) => {
      const actor = actorOf(requirePrincipal(request));
      const task = await deps.ops.task(request.params.id).catch(() => undefined);
      if (!task || !can(actor, 'read', await taskResource(deps, task))) throw notFound(`no task "${request.params.id}"`);
      return task as never;
    },
  );

  api.post(
    '/tasks/:id/complete',
    {
      schema: {
        tags: ['tasks'],
        summary: 'complete a task',
        params: IdParams,
        body: z.strictObject({ outcome: commands.TaskCompletionSchema.shape.outcome, note: commands.TaskCompletionSchema.shape.note }),
        response: { 200: z.object({ task: TaskSchema.optional() }), ...problems },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const actor = actorOf(p);
      const task = await deps.ops.task(request.params.id).catch(() => undefined);
      if (!task || !can(actor, 'read', await taskResource(deps, task))) throw notFound(`no task "${request.params.id}"`);
      if (!can(actor, 'command', await taskResource(deps, task))) throw forbidden(`a ${actor.role} may not complete task "${task.id}"`);
      const done = await deps.ops.completeTask(task.id, request.body.outcome, request.body.note, byOf(p));
      return (done ? { task: done } : {}) as never;
    },
  );
}

/** A search's page token: how many hits the pages before held. */
const SearchToken = z.string().regex(/^s[0-9]{1,7}$/).transform((t) => Number(t.slice(1)));

/**
 * A page of a search (`?q=`): the hits come from the read model, which holds names and
 * companies, scoped as the list is; their rows from visibility, as every list's are.
 */
async function searchPage(
  deps: ServerDeps,
  actor: Actor,
  f: { text: string; stage?: string; rep?: string; limit: number; pageToken?: string },
): Promise<{ prospects: z.infer<typeof ProspectSummarySchema>[]; nextPageToken?: string }> {
  const token = f.pageToken === undefined ? { success: true as const, data: 0 } : SearchToken.safeParse(f.pageToken);
  // Worded as the list's own refusal (client/shared/visibilityPages.ts): a list's token is not a search's.
  if (!token.success) throw new DomainError(`pageToken "${f.pageToken}" is not a token from a previous page of this search`);
  const limit = Math.min(f.limit, 100);
  const manager = actor.role === 'manager' ? { teams: [...(await managedTeams(deps, actor))], personId: actor.personId } : undefined;
  const hits = await searchProspects(deps.db, { text: f.text, limit, offset: token.data, ...(f.stage ? { stage: f.stage } : {}), ...(f.rep ? { rep: f.rep } : {}), ...(manager ? { manager } : {}) });
  return { prospects: await deps.sales.summariesOf(hits.ids), ...(hits.more ? { nextPageToken: `s${token.data + limit}` } : {}) };
}

async function taskResource(deps: ServerDeps, task: { id: string; rep: string; kind: string; prospectId: string }): Promise<TaskResource> {
  const prospect = task.prospectId ? await deps.sales.findProspect(task.prospectId) : undefined;
  if (prospect) return { kind: 'task', rep: task.rep, taskKind: task.kind, prospect: prospectResource(prospect) };
  // A post-sales task: its account's owner and teams decide, as a prospect's would.
  const customerId = customerOfTask(task.id);
  const customer = customerId ? await new CustomerClient(deps.sales).find(customerId) : undefined;
  return { kind: 'task', rep: task.rep, taskKind: task.kind, ...(customer ? { prospect: { ...customerResource(customer), kind: 'prospect' as const } } : {}) };
}
