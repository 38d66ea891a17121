import { z } from 'zod';
import { holdsEveryWord } from '../domain/shared/text';
import { can, customerResource, prospectResource, type Action, type Actor } from '../domain/accounts/access';
import * as commands from '../domain/customer/commands';
import type { CustomerCommandName } from '../domain/customer/commands';
import { customerIdFor, type CustomerState } from '../domain/customer/customer';
import { parseDuration } from '../domain/shared/duration';
import { CustomerClient } from '../client/customer/customerClient';
import { actorOf, byOf, requirePrincipal } from './auth';
import type { App, ServerDeps } from './app';
import { forbidden, HttpProblem, notFound, ProblemSchema } from './problem';

/**
 * Customer accounts over HTTP, thin over CustomerClient: the account page, the customer
 * list, the renewals list, and the account's commands (contacts, satisfaction, profile,
 * repeat deals, referrals, renewals, reorders, post-sales support queries). As with
 * prospects, an account the caller may not see answers 404, and `by` is the caller.
 */

export const CustomerSchema = z
  .looseObject({
    info: z.looseObject({ id: z.string(), name: z.string(), owner: z.string() }),
    process: z.looseObject({ name: z.string(), version: z.number() }),
    deals: z.array(z.looseObject({ prospectId: z.string(), status: z.string() })),
    contracts: z.array(z.looseObject({ id: z.string(), product: z.string(), end: z.string(), status: z.string() })),
    profile: z.looseObject({ preferences: z.array(z.string()) }),
  })
  .meta({ id: 'Customer', description: 'a customer account: deals, contracts with renewal dates, consumables, referrals, profile, tasks, support queries, history' });

const CustomerSummarySchema = z
  .object({ id: z.string(), name: z.string(), owner: z.string().optional(), nextDue: z.string().optional(), nextRenewal: z.string().optional(), status: z.string() })
  .meta({ id: 'CustomerSummary' });

const RenewalSchema = z
  .looseObject({
    customerId: z.string(),
    customerName: z.string(),
    owner: z.string(),
    contractId: z.string(),
    product: z.string(),
    kind: z.enum(['contract', 'subscription']),
    end: z.string(),
    status: z.string(),
    autoRenew: z.boolean(),
    declined: z.looseObject({ at: z.string(), by: z.string(), reason: z.string() }).optional().describe('the customer declined the renewal: it lapses at its end, even when it auto-renews'),
    valueCents: z.number(),
    currency: z.string(),
    renewalQuote: z.looseObject({ number: z.string(), status: z.string(), netCents: z.number(), currency: z.string(), termEnd: z.string() }).optional(),
  })
  .meta({ id: 'Renewal', description: 'a contract or subscription ending soon: its account, the end of its term (the renewal date), its value and the drafted renewal quotation' });

const ResultSchema = z.object({ changeNo: z.number(), summary: z.string(), ref: z.string().optional() });

const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema, 503: ProblemSchema };

function bodyOf(schema: z.ZodObject): z.ZodObject {
  const { by: _by, ...shape } = schema.shape as Record<string, z.ZodType>;
  void _by;
  return z.strictObject(shape);
}

const CUSTOMER_COMMANDS: Record<string, { name: CustomerCommandName; schema: z.ZodObject; action: Action; summary: string }> = {
  'log-contact': { name: 'logContact', schema: commands.CustomerLogContactSchema, action: 'command', summary: 'log a contact with the customer (#tags in the note become preferences)' },
  satisfaction: { name: 'recordSatisfaction', schema: commands.SatisfactionSchema, action: 'command', summary: 'record the satisfaction check (1-5)' },
  profile: { name: 'changeProfile', schema: commands.ChangeProfileSchema as unknown as z.ZodObject, action: 'command', summary: 'change the service profile (preferences, decision makers, service level, tier, a note)' },
  deals: { name: 'openDeal', schema: commands.OpenDealSchema, action: 'command', summary: 'open a repeat deal: a new prospect linked to the account' },
  referrals: { name: 'addReferral', schema: commands.AddReferralSchema, action: 'command', summary: 'add a referral: a new prospect with source referral:<customer>' },
  renew: { name: 'renewContract', schema: commands.RenewContractSchema, action: 'command', summary: 'the customer accepted the renewal: a new term' },
  'decline-renewal': { name: 'declineRenewal', schema: commands.DeclineRenewalSchema, action: 'command', summary: 'the customer declined the renewal: the contract lapses at its end' },
  orders: { name: 'recordOrder', schema: commands.RecordOrderSchema, action: 'command', summary: "record a consumable's reorder" },
  'support-queries': { name: 'openSupportQuery', schema: commands.CustomerSupportQuerySchema, action: 'support', summary: "a customer's post-sales query: answered with the profile and what it suggests" },
  'answer-support-query': { name: 'answerSupportQuery', schema: commands.CustomerSupportAnswerSchema, action: 'support', summary: 'answer a post-sales query: answered, a repair task, or a replacement deal' },
  migrate: {
    name: 'migrateProcess',
    // The version is looked up in the registry, so ops name a number, not a definition.
    schema: z.object({ to: z.number().int().positive() }),
    action: 'manage',
    summary: "move the account to a newer published version of its process ({ to: N })",
  },
};

export const CUSTOMER_COMMAND_PATHS = Object.keys(CUSTOMER_COMMANDS);


const IdParams = z.object({ id: z.string().min(1).max(200) });

const DurationQuery = z
  .string()
  .max(20)
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0) {
      ctx.addIssue({ code: 'custom', message: `must be a duration such as 30d or 12w (got "${text}")` });
      return z.NEVER;
    }
    return ms;
  });

export async function registerCustomerRoutes(api: App, deps: ServerDeps): Promise<void> {
  const customers = new CustomerClient(deps.sales);

  async function authorized(actor: Actor, id: string, action: Action): Promise<CustomerState> {
    const state = await customers.find(id);
    if (!state || !can(actor, 'read', customerResource(state))) throw notFound(`no customer "${id}"${await prospectHint(actor, id)}`);
    if (!can(actor, action, customerResource(state))) throw forbidden(`a ${actor.role} may not do that on customer "${id}"`);
    return state;
  }

  /**
   * A prospect's id given where an account's is wanted (`customer show acme`, acme's deal being
   * booked on acme-corp): the account it names, when the caller may read the prospect.
   */
  async function prospectHint(actor: Actor, id: string): Promise<string> {
    const prospect = await deps.sales.findProspect(id).catch(() => undefined);
    if (!prospect || !can(actor, 'read', prospectResource(prospect))) return '';
    return prospect.stage === 'won' ? `: "${id}" is a prospect, whose deal is on customer "${customerIdFor(prospect.info)}"` : `: "${id}" is a prospect (${prospect.stage}), not yet a customer`;
  }

  /** A list filtered to what the actor may read; a rep's is their own accounts. */
  async function visible<T extends { id?: string; customerId?: string }>(actor: Actor, rows: T[]): Promise<T[]> {
    if (actor.role === 'admin' || actor.role === 'ops' || actor.role === 'support') return rows;
    const out: T[] = [];
    for (const row of rows) {
      const state = await customers.find((row.customerId ?? row.id)!);
      if (state && can(actor, 'read', customerResource(state))) out.push(row);
    }
    return out;
  }

  api.get(
    '/customers',
    {
      schema: {
        tags: ['customers'],
        summary: 'customer accounts from visibility (a rep sees their own)',
        description: 'With q, only the accounts whose name or id hold every word (any case). `total` counts every account that matched, `customers` holds the first `limit`.',
        querystring: z.strictObject({
          owner: z.string().min(1).max(100).optional(),
          q: z.string().trim().min(1, 'say what to search for').max(100).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ customers: z.array(CustomerSummarySchema), total: z.number() }), ...problems },
      },
    },
    async (request) => {
      const actor = actorOf(requirePrincipal(request));
      let owner = request.query.owner;
      if (actor.role === 'rep') {
        if (!actor.personId || (owner !== undefined && owner !== actor.personId)) return { customers: [], total: 0 };
        owner = actor.personId;
      }
      const { q } = request.query;
      const rows = await customers.list({ owner });
      const matching = (await visible(actor, rows)).filter((c) => q === undefined || holdsEveryWord(`${c.name} ${c.id}`, q));
      return { customers: matching.slice(0, request.query.limit), total: matching.length };
    },
  );

  api.get(
    '/renewals',
    {
      schema: {
        tags: ['customers'],
        summary: 'contracts and subscriptions ending soon (default: within 90 days), soonest first',
        querystring: z.strictObject({ within: DurationQuery.optional(), owner: z.string().min(1).max(100).optional() }),
        response: { 200: z.object({ renewals: z.array(RenewalSchema) }), ...problems },
      },
    },
    async (request) => {
      const actor = actorOf(requirePrincipal(request));
      let owner = request.query.owner;
      if (actor.role === 'rep') {
        if (!actor.personId) return { renewals: [] };
        owner = actor.personId;
      }
      const rows = await customers.renewals({ ...(request.query.within !== undefined ? { withinMs: request.query.within } : {}), ...(owner ? { owner } : {}) });
      return { renewals: (await visible(actor, rows)) as never };
    },
  );

  api.get(
    '/customers/:id',
    { schema: { tags: ['customers'], summary: 'a customer account', params: IdParams, response: { 200: CustomerSchema, ...problems } } },
    async (request) => (await authorized(actorOf(requirePrincipal(request)), request.params.id, 'read')) as never,
  );

  for (const [segment, command] of Object.entries(CUSTOMER_COMMANDS)) {
    api.post(
      `/customers/:id/${segment}`,
      {
        schema: {
          tags: ['customers'],
          summary: command.summary,
          description: `Runs the account's \`${command.name}\` command as the logged-in user. Accepts Idempotency-Key.`,
          params: IdParams,
          body: bodyOf(command.schema),
          response: { 200: z.object({ result: ResultSchema, customer: CustomerSchema }), ...problems },
        },
      },
      async (request) => {
        const p = requirePrincipal(request);
        const id = request.params.id;
        await authorized(actorOf(p), id, command.action);
        let body = { ...(request.sentBody as object), by: byOf(p) } as Record<string, unknown>;
        if (command.name === 'migrateProcess') {
          const current = await customers.get(id);
          body = { process: (await deps.ops.version(current.process.name, body.to as number)).definition, by: body.by };
        }
        // A named prospect that exists already would be found, not started with this source.
        if ((command.name === 'openDeal' || command.name === 'addReferral') && typeof body.id === 'string' && (await deps.sales.findProspect(body.id))) {
          throw new HttpProblem(409, 'conflict', 'Conflict', `prospect "${body.id}" exists already; name a new id or leave it out`);
        }
        const result = await customers.run(id, command.name, body);
        return { result, customer: (await customers.get(id)) as never };
      },
    );
  }
}
