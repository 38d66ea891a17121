import { Option, type Command } from 'commander';
import { DomainError } from '../../domain/shared/errors';
import { ApiRefusal } from '../shared/apiClient';
import { collect, parseInquiryItem } from '../pipeline/cliArgs';
import type { CliContext } from '../shared/cliContext';
import { customerSupportAnswer, customerSupportQuery } from '../customer/commands';
import { textTable } from '../shared/textTable';

/** A rep's commands: tasks and the inbox, calls with the customer, customers' telephone queries. */
export function registerTaskCommands(program: Command, ctx: CliContext): void {
  const { print, time, timesIn } = ctx;
  const jsonOption = ctx.json();
  const json = ctx.json;
  const prospects = () => ctx.api().prospects;

  const task = program.command('task').description("a rep's tasks");
  task
    .command('done')
    .description('complete a task, e.g. the follow-up an expired quotation creates')
    .argument('<task-id>', "e.g. acme-T1, or rho-mills-C1 for a customer account's")
    .requiredOption('--outcome <text>')
    .option('--note <text>', '', '')
    .addOption(jsonOption)
    .action(async (taskId: string, opts) => {
      const view = await ctx.api().tasks.complete(taskId, opts.outcome, opts.note || undefined);
      print(view ?? { id: taskId, state: 'done', outcome: opts.outcome }, opts.json, () => `task ${taskId} done: ${opts.outcome}`);
    });
  task
    .command('show')
    .argument('<task-id>')
    .addOption(jsonOption)
    .action(async (taskId: string, opts) => {
      const view = await ctx.api().tasks.get(taskId);
      print(view, opts.json, () =>
        [`${view.id}  ${view.state}  ${timesIn(view.title)}`, `  rep ${view.rep}, due ${time(view.dueAt)}, escalates ${time(view.escalateAt)}`, ...(view.outcome ? [`  outcome: ${view.outcome}`] : [])].join('\n'),
      );
    });

  program
    .command('tasks')
    .description("a rep's inbox of open tasks, soonest due first (from visibility)")
    .option('--rep <rep>', 'whose inbox (default: your own)')
    .addOption(new Option('--due <when>').choices(['today', 'overdue']))
    .addOption(json())
    .action(async (opts) => {
      const rows = await ctx.api().tasks.inbox(opts.rep, opts.due).catch((err: unknown) => {
        // The server asks for `?rep=`; a person at the CLI names one with the flag.
        if (!opts.rep && err instanceof ApiRefusal && err.problem.field === 'rep') throw new DomainError('name a rep with --rep R: this account acts as no person');
        throw err;
      });
      print(rows, opts.json, () =>
        rows.length === 0
          ? `${opts.due === 'overdue' ? 'no overdue tasks' : opts.due === 'today' ? 'no open tasks due today' : 'no open tasks'}${opts.rep ? ` for ${opts.rep}` : ''}`
          : textTable(
              ['TASK', 'STATE', 'DUE', 'TITLE'],
              rows.map((r) => [r.id, r.state, time(r.dueAt), timesIn(r.title)]),
            ),
      );
    });

  const call = program.command('call').description('calls with the customer: schedule, reschedule, cancel, done');
  call
    .command('schedule')
    .argument('<prospect>')
    .requiredOption('--at <time>', 'ISO time, e.g. 2026-12-01T10:00:00Z')
    .option('--duration <d>', 'e.g. 30m (default: the process call length)')
    .option('--note <text>', '', '')
    .addOption(json())
    .action(async (id: string, opts) => {
      const state = await prospects().command(id, 'scheduleCall', { at: opts.at, duration: opts.duration, note: opts.note });
      const c = state.calls![state.calls!.length - 1]!;
      print(state, opts.json, () => `scheduled call ${c.id} at ${time(c.at)} (task ${c.taskId}); invitation sent`);
    });
  call
    .command('reschedule')
    .argument('<call-id>', 'e.g. acme-C1')
    .requiredOption('--at <time>')
    .option('--duration <d>')
    .addOption(json())
    .action(async (callId: string, opts) => {
      const state = await prospects().command(prospectOf(callId, 'C'), 'rescheduleCall', { callId, at: opts.at, duration: opts.duration });
      print(state, opts.json, () => `moved call ${callId} to ${time(opts.at)}; updated invitation sent`);
    });
  call
    .command('cancel')
    .argument('<call-id>')
    .option('--reason <text>', '', '')
    .addOption(json())
    .action(async (callId: string, opts) => {
      const state = await prospects().command(prospectOf(callId, 'C'), 'cancelCall', { callId, reason: opts.reason });
      print(state, opts.json, () => `cancelled call ${callId}; cancellation sent`);
    });
  call
    .command('done')
    .argument('<call-id>')
    .requiredOption('--outcome <text>')
    .option('--note <text>', '', '')
    .addOption(json())
    .action(async (callId: string, opts) => {
      const state = await prospects().command(prospectOf(callId, 'C'), 'completeCall', { callId, outcome: opts.outcome, note: opts.note });
      print(state, opts.json, () => `call ${callId} done; logged in the contact log`);
    });

  const support = program.command('support').description("customers' telephone queries (sales support)");
  support
    .command('query')
    .argument('<prospect>', 'a prospect, or with --customer a customer account (after the sale)')
    .requiredOption('--topic <text>')
    .requiredOption('--question <text>')
    .option('--customer', "the id is a customer account: the query is answered with the customer's service profile")
    .option('--product <code>', 'with --customer: the product the query is about (the profile suggests repair or replacement)')
    .addOption(json())
    .action(async (id: string, opts) => {
      if (opts.customer) return customerSupportQuery(ctx, id, opts);
      if (opts.product) throw new DomainError('--product is for a customer query (--customer)');
      const state = await prospects().command(id, 'openSupportQuery', { topic: opts.topic, question: opts.question });
      const q = state.supportQueries![state.supportQueries!.length - 1]!;
      print(state, opts.json, () => `opened query ${q.id} for ${q.rep} (task ${q.taskId})`);
    });
  support
    .command('answer')
    .argument('<query-id>', 'e.g. acme-Q1 (a prospect) or acme-S1 (a customer)')
    .requiredOption('--answer <text>')
    .option('--item <PRODUCT:QTY[:YYYY-MM-DD]>', 'also create (or change) the inquiry with these items', collect, [])
    .addOption(new Option('--outcome <outcome>', 'a customer query: answered, a repair task, or a replacement deal').choices(['answered', 'repair', 'new_deal']))
    .addOption(json())
    .action(async (queryId: string, opts) => {
      if (/-S\d+$/.test(queryId)) {
        if ((opts.item as string[]).length) throw new DomainError('--item is for a prospect query; a customer query becomes a deal with --outcome new_deal');
        return customerSupportAnswer(ctx, queryId, opts);
      }
      if (opts.outcome) throw new DomainError('--outcome is for a customer query (acme-S1)');
      const items = (opts.item as string[]).map(parseInquiryItem);
      const state = await prospects().command(prospectOf(queryId, 'Q'), 'answerSupportQuery', { queryId, answer: opts.answer, ...(items.length ? { inquiryItems: items } : {}) });
      print(state, opts.json, () => `answered ${queryId}${items.length ? `; inquiry version ${state.inquiry?.versions.length}` : ''}`);
    });
}


function prospectOf(id: string, letter: 'C' | 'Q'): string {
  const m = new RegExp(`^(.+)-${letter}\\d+$`).exec(id);
  if (!m) throw new DomainError(`"${id}" is not a ${letter === 'C' ? 'call' : 'query'} id (they look like acme-${letter}1)`);
  return m[1]!;
}
