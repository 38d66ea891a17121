import { Option, type Command } from 'commander';
import { CHANNELS } from '../../domain/pipeline/contact';
import { SUGGESTION_WORDS } from '../../domain/customer/labels';
import { DomainError } from '../../domain/shared/errors';
import { collect } from '../pipeline/cliArgs';
import type { CliContext } from '../shared/cliContext';
import { renderCustomer, renderCustomerList, renderProfile, renderQuery, renderRenewals } from './render';

/**
 * After the sale: customer accounts (`customer show|list|contact|satisfaction|profile|renew|
 * decline|order`), repeat deals (`deal new --customer`), referrals (`referral add`) and the
 * renewals list. Post-sales support queries are `support query CUSTOMER --customer`
 * (client/tasks/commands.ts).
 */
export function registerCustomerCommands(program: Command, ctx: CliContext): void {
  const { print, zone } = ctx;
  const json = ctx.json;
  const customers = () => ctx.api().customers;

  const customer = program.command('customer').description('customer accounts after the sale: deals, contracts, renewals, referrals, profile');
  customer
    .command('show')
    .description('the customer page: deals, contracts with renewal dates, consumables, referrals, profile, open tasks, history')
    .argument('<customer>', 'e.g. acme-pumps')
    .option('--all', 'the whole history the account keeps, not the latest 15 entries')
    .addOption(json())
    .action(async (id: string, opts) => {
      const state = await customers().get(id);
      print(state, opts.json, () => renderCustomer(state, zone(), { all: opts.all === true }));
    });
  customer
    .command('list')
    .description('customer accounts from visibility (a rep sees their own)')
    .option('--owner <rep>')
    .option('--search <text>', 'only those whose name or id hold every word (any case)')
    .addOption(json())
    .action(async (opts) => {
      const { customers: rows, total } = await customers().list({ owner: opts.owner, search: opts.search });
      print(rows, opts.json, () => renderCustomerList(rows, zone(), total));
    });
  customer
    .command('contact')
    .description('log a contact with the customer; #tags in the note become preferences on the profile')
    .argument('<customer>')
    .addOption(new Option('--channel <channel>').choices(CHANNELS).makeOptionMandatory())
    .addOption(new Option('--direction <direction>').choices(['inbound', 'outbound']).default('outbound'))
    .option('--note <text>', '', '')
    .option('--at <time>', 'when it happened (ISO time; default now)')
    .addOption(json())
    .action(async (id: string, opts) => {
      const { result, customer: state } = await customers().command(id, 'logContact', { channel: opts.channel, direction: opts.direction, note: opts.note, at: opts.at });
      // As a prospect's `contact` says: which account, and how many contacts it now has logged.
      const logged = (state.archivedContacts ?? 0) + (state.contactLog?.length ?? 0);
      print(state, opts.json, () => `${ctx.timesIn(result.summary)} (customer ${state.info.id}, ${logged} contact${logged === 1 ? '' : 's'} logged)`);
    });
  customer
    .command('satisfaction')
    .description('record the satisfaction check; a satisfied customer is asked for referrals')
    .argument('<customer>')
    .requiredOption('--score <1-5>', 'how satisfied, 1 to 5', (v) => Number(v))
    .option('--note <text>', '', '')
    .addOption(json())
    .action(async (id: string, opts) => {
      const { result, customer: state } = await customers().command(id, 'recordSatisfaction', { score: opts.score, note: opts.note });
      print(state, opts.json, () => ctx.timesIn(result.summary));
    });
  customer
    .command('profile')
    .description("change the service profile: what the customer values, who decides, their service level and tier")
    .argument('<customer>')
    .option('--prefer <text>', 'a preference, e.g. "repair over replace"; repeat', collect, [])
    .option('--unprefer <text>', 'remove a preference; repeat', collect, [])
    .option('--decision-maker <name[:role]>', 'repeat', collect, [])
    .option('--service-level <text>')
    .option('--tier <tier>', "a tier of the process's postSales section")
    .option('--note <text>')
    .addOption(json())
    .action(async (id: string, opts) => {
      const decisionMakers = (opts.decisionMaker as string[]).map((d) => {
        const [name, role] = d.split(':');
        return { name: name!.trim(), ...(role ? { role: role.trim() } : {}) };
      });
      const { customer: state } = await customers().command(id, 'changeProfile', {
        ...((opts.prefer as string[]).length ? { addPreferences: opts.prefer } : {}),
        ...((opts.unprefer as string[]).length ? { removePreferences: opts.unprefer } : {}),
        ...(decisionMakers.length ? { decisionMakers } : {}),
        serviceLevel: opts.serviceLevel,
        tier: opts.tier,
        note: opts.note,
      });
      print(state, opts.json, () => renderProfile(state).join('\n'));
    });
  customer
    .command('renew')
    .description('the customer accepted the renewal: the contract runs another term from its end')
    .argument('<customer>')
    .argument('<contract>', 'e.g. K1')
    .option('--note <text>', '', '')
    .addOption(json())
    .action(async (id: string, contractId: string, opts) => {
      const { result, customer: state } = await customers().command(id, 'renewContract', { contractId, note: opts.note });
      print(state, opts.json, () => ctx.timesIn(result.summary));
    });
  customer
    .command('decline')
    .description('the customer declined the renewal: the contract lapses at its end')
    .argument('<customer>')
    .argument('<contract>')
    .requiredOption('--reason <text>')
    .addOption(json())
    .action(async (id: string, contractId: string, opts) => {
      const { result, customer: state } = await customers().command(id, 'declineRenewal', { contractId, reason: opts.reason });
      print(state, opts.json, () => ctx.timesIn(result.summary));
    });
  customer
    .command('order')
    .description("the customer reordered a consumable: its reorder clock starts again")
    .argument('<customer>')
    .requiredOption('--product <code>')
    .option('--quantity <n>', '', (v) => Number.parseInt(v, 10))
    .addOption(json())
    .action(async (id: string, opts) => {
      const { result, customer: state } = await customers().command(id, 'recordOrder', { product: opts.product, quantity: opts.quantity });
      print(state, opts.json, () => ctx.timesIn(result.summary));
    });

  customer
    .command('migrate')
    .description('move the account to a newer published version of its process (ops, admin)')
    .argument('<customer>')
    .requiredOption('--to <version>', 'the published version', (v) => Number.parseInt(v, 10))
    .addOption(json())
    .action(async (id: string, opts) => {
      const { result, customer: state } = await customers().command(id, 'migrateProcess', { to: opts.to });
      print(state, opts.json, () => ctx.timesIn(result.summary));
    });

  program
    .command('renewals')
    .description('contracts and subscriptions ending soon, soonest first')
    .option('--within <duration>', 'how far ahead, e.g. 30d', '90d')
    .option('--owner <rep>')
    .addOption(json())
    .action(async (opts) => {
      const rows = await customers().renewals(opts.within, opts.owner);
      print(rows, opts.json, () => renderRenewals(rows, zone()));
    });

  const deal = program.command('deal').description('repeat business for an existing customer');
  deal
    .command('new')
    .description("a new deal (prospect) for a customer account, linked to it, so the pipeline counts it as repeat business")
    .requiredOption('--customer <customer>')
    .option('--id <prospect-id>', 'default: <customer>-d<n>')
    .option('--name <name>', 'contact person (default: the account\'s first contact)')
    .option('--email <email>')
    .option('--phone <phone>')
    .option('--rep <rep>', 'default: the account owner')
    .option('--note <text>', 'what it is about', '')
    .addOption(json())
    .action(async (opts) => {
      const { result, customer: state } = await customers().command(opts.customer, 'openDeal', { id: opts.id, name: opts.name, email: opts.email, phone: opts.phone, rep: opts.rep, note: opts.note });
      print(state, opts.json, () => `opened deal ${result.ref} for ${state.info.id}; work it as any prospect (salesflow show ${result.ref})`);
    });

  const referral = program.command('referral').description('referrals from satisfied customers');
  referral
    .command('add')
    .description('a prospect the customer referred: source referral:<customer>, credited to the customer when won')
    .argument('<customer>')
    .requiredOption('--name <name>', 'the referred contact person')
    .option('--company <company>')
    .option('--email <email>')
    .option('--phone <phone>')
    .option('--id <prospect-id>', 'default: <customer>-r<n>')
    .option('--rep <rep>', 'default: the account owner')
    .option('--note <text>', '', '')
    .addOption(json())
    .action(async (id: string, opts) => {
      const { result, customer: state } = await customers().command(id, 'addReferral', { id: opts.id, name: opts.name, company: opts.company, email: opts.email, phone: opts.phone, rep: opts.rep, note: opts.note });
      print(state, opts.json, () => `referral ${result.ref} added from ${state.info.id} (source referral:${state.info.id})`);
    });
}

/** A post-sales support query on a customer account, as `support query CUSTOMER --customer` runs it. */
export async function customerSupportQuery(ctx: CliContext, id: string, opts: { topic: string; question: string; product?: string; json?: boolean }): Promise<void> {
  const { result, customer: state } = await ctx.api().customers.command(id, 'openSupportQuery', { topic: opts.topic, question: opts.question, product: opts.product });
  const query = state.supportCases.find((q) => q.id === result.ref);
  if (!query) throw new DomainError(`query ${result.ref} is not on ${id}`);
  ctx.print({ query, profile: state.profile, customer: state.info }, opts.json, () =>
    [`opened query ${query.id} for ${state.info.name} (task ${query.taskId})`, `  suggested: ${SUGGESTION_WORDS[query.suggestion]} — ${query.why}`, '', ...renderProfile(state)].join('\n'),
  );
}

/** The answer to a post-sales query (`<customer>-S<n>`): answered, a repair task, or a replacement deal. */
export async function customerSupportAnswer(ctx: CliContext, queryId: string, opts: { answer: string; outcome?: string; json?: boolean }): Promise<void> {
  const customerId = /^(.+)-S\d+$/.exec(queryId)?.[1];
  if (!customerId) throw new DomainError(`"${queryId}" is not a customer query id (they look like acme-S1)`);
  const { customer: state } = await ctx.api().customers.command(customerId, 'answerSupportQuery', { queryId, answer: opts.answer, outcome: opts.outcome });
  const query = state.supportCases.find((q) => q.id === queryId)!;
  ctx.print(state, opts.json, () => `answered ${renderQuery(query)}`);
}
