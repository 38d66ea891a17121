import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { DomainError } from '../../domain/shared/errors';
import { currentInquiry } from '../../domain/pipeline/inquiry';
import { formatCents } from '../../domain/pipeline/quotation';
import type { CommandName } from '../../domain/pipeline/lifecycle';
import { CHANNELS } from '../../domain/pipeline/contact';
import { HandOverChannelSchema } from '../../domain/pipeline/commands';
import { STAGES, type Stage } from '../../domain/pipeline/stages';
import type { ProspectState } from '../../domain/pipeline/prospect';
import { collect, linesFromInquiry, parseInquiryItem, parseQuoteItem } from './cliArgs';
import { readProcessText } from '../process/processFile';
import { fileProblems } from '../shared/cliErrors';
import { renderInquiry, renderList, renderProspect, renderQuote } from './render';
import type { CliContext } from '../shared/cliContext';

/**
 * The pipeline's commands: create, show and list prospects; contacts, qualification, the
 * inquiry and the quotation; lost; reassignment.
 */
export function registerPipelineCommands(program: Command, ctx: CliContext): void {
  const { print, time, zone } = ctx;
  const jsonOption = ctx.json();
  const json = ctx.json;

  /** Runs an update and prints what changed in one line (or the whole state with --json). */
  async function run(id: string, name: CommandName, args: Record<string, unknown>, opts: { json?: boolean }, done: (s: ProspectState) => string) {
    const state = await ctx.api().prospects.command(id, name, args);
    print(state, opts.json, () => done(state));
  }

  program
    .command('create')
    .description('create a prospect (creating an existing one again changes nothing)')
    .argument('<id>', 'prospect id, e.g. acme')
    .requiredOption('--name <name>', 'contact person')
    .option('--rep <rep>', 'assigned sales rep; default: the published process assigns one')
    .option('--company <company>')
    .option('--email <email>')
    .option('--phone <phone>')
    .option('--source <source>', 'where the lead came from', 'manual')
    .option('--process <name|file>', 'a published process name (its latest version) or a process YAML file (default: the built-in one)')
    .option('--field <key=value>', 'a fact process rules can read, e.g. territory=north; repeat', collect, [])
    .addOption(jsonOption)
    .action(async (id: string, opts) => {
      const fields = Object.fromEntries(
        (opts.field as string[]).map((f) => {
          const eq = f.indexOf('=');
          if (eq <= 0) throw new DomainError(`--field "${f}": expected key=value`);
          const value = f.slice(eq + 1);
          return [f.slice(0, eq), value !== '' && Number.isFinite(Number(value)) ? Number(value) : value];
        }),
      );
      const info = { id, name: opts.name, rep: opts.rep, company: opts.company, email: opts.email, phone: opts.phone, source: opts.source, fields };
      const fromFile = opts.process && (existsSync(opts.process) || /\.(ya?ml|json)$/.test(opts.process));
      let answer;
      try {
        answer = await ctx.api().prospects.create(info, fromFile ? { yaml: readProcessText(opts.process) } : opts.process ? { name: opts.process } : {});
      } catch (err) {
        // A bad process file is reported as `process validate` reports it: file, line, path.
        const report = fromFile ? fileProblems(err, opts.process) : undefined;
        if (report) throw new DomainError(`invalid process file: ${report.join('; ')}`);
        throw err;
      }
      const { created, prospect: state } = answer;
      print({ created, prospect: state }, opts.json, () =>
        created
          ? `created prospect ${state.info.id} (stage ${state.stage}, rep ${state.info.rep}, process ${state.process.name} v${state.process.version})`
          : `prospect ${state.info.id} already exists (stage ${state.stage}); nothing changed`,
      );
    });

  program
    .command('show')
    .description('show a prospect: stage, contacts, inquiry, quotation, tasks, history')
    .argument('<id>')
    .addOption(jsonOption)
    .action(async (id: string, opts) => {
      const state = await ctx.api().prospects.get(id);
      print(state, opts.json, () => renderProspect(state, zone()));
    });

  program
    .command('list')
    .description('list prospects (open, won and lost) from visibility')
    .addOption(new Option('--stage <stage>').choices(STAGES))
    .option('--rep <rep>')
    .option('--search <text>', 'only those whose id, name, company or email address hold every word (any case)')
    .option('--limit <n>', 'at most this many', (v) => Number.parseInt(v, 10))
    .addOption(jsonOption)
    .action(async (opts) => {
      if (opts.limit !== undefined && !(opts.limit > 0)) throw new DomainError('--limit must be a positive whole number');
      const rows = await ctx.api().prospects.list({ stage: opts.stage as Stage | undefined, rep: opts.rep, search: opts.search, limit: opts.limit });
      print(rows, opts.json, () => renderList(rows, zone()));
    });

  program
    .command('contact')
    .description('log a customer contact (visit, call, letter, direct mail, email, web)')
    .argument('<id>')
    .addOption(new Option('--channel <channel>').choices(CHANNELS).makeOptionMandatory())
    .addOption(new Option('--direction <direction>').choices(['inbound', 'outbound']).default('outbound'))
    .option('--note <text>', '', '')
    .option('--at <time>', 'when it happened (ISO time; default now)')
    .addOption(jsonOption)
    .action(async (id: string, opts) => {
      const args = { channel: opts.channel, direction: opts.direction, note: opts.note, at: opts.at };
      await run(id, 'logContact', args, opts, (s) => {
        // The whole count, those the record archived too (as the customer command says it).
        const logged = (s.archived?.contacts ?? 0) + s.contacts.length;
        return `logged ${opts.direction} ${opts.channel} for ${id} (${logged} contact${logged === 1 ? '' : 's'} logged)`;
      });
    });

  program
    .command('qualify')
    .description('record qualification answers and, with --outcome, the decision')
    .argument('<id>')
    .option('--budget <amount>', 'budget the customer has', (v) => (Number.isFinite(Number(v)) ? Number(v) : v))
    .option('--need <text>')
    .option('--authority <text>', 'who decides')
    .option('--timeline <text>')
    .addOption(new Option('--outcome <outcome>').choices(['qualified', 'disqualified']))
    .option('--reason <text>', 'required when disqualified')
    .option('--decide', "let the process's qualification rules decide from the answers")
    .addOption(jsonOption)
    .action(async (id: string, opts) => {
      const answers = Object.fromEntries(
        Object.entries({ budget: opts.budget, need: opts.need, authority: opts.authority, timeline: opts.timeline }).filter(([, v]) => v !== undefined),
      );
      await run(id, 'qualify', { answers, outcome: opts.outcome, reason: opts.reason, decide: Boolean(opts.decide) }, opts, (s) => {
        const score = s.qualification?.score;
        const scored = score ? `, score ${score.score}/${score.threshold}` : '';
        return s.stage === 'lost'
          ? `${id} disqualified (${s.qualification?.reason ?? ''}): stage lost`
          : `${id}: qualification ${s.qualification?.outcome ?? 'in progress'}${scored} (stage ${s.stage})`;
      });
    });

  const inquiry = program.command('inquiry').description("the customer's request: create (VA11), change (VA12), show (VA13)");
  for (const [verb, name] of [['create', 'createInquiry'], ['change', 'changeInquiry']] as const) {
    inquiry
      .command(verb)
      .description(verb === 'create' ? 'create the inquiry' : 'change the inquiry (keeps every version)')
      .argument('<id>')
      .option('--item <PRODUCT:QTY[:YYYY-MM-DD]>', 'an item; repeat for more', collect, [])
      .option('--note <text>', '', '')
      .addOption(jsonOption)
      .action(async (id: string, opts) => {
        const items = (opts.item as string[]).map(parseInquiryItem);
        await run(id, name, { items, note: opts.note }, opts, (s) => {
          const v = s.inquiry ? currentInquiry(s.inquiry) : undefined;
          return `${id}: inquiry version ${v?.version} with ${v?.items.length} item(s) (stage ${s.stage})`;
        });
      });
  }
  inquiry
    .command('show')
    .argument('<id>')
    .option('--version <n>', 'a past version', (v) => Number.parseInt(v, 10))
    .option('--all', 'every version')
    .addOption(jsonOption)
    .action(async (id: string, opts) => {
      const state = await ctx.api().prospects.get(id);
      if (!state.inquiry) throw new DomainError(`prospect ${id} has no inquiry`);
      const versions = state.inquiry.versions;
      const chosen = opts.all ? versions : [opts.version === undefined ? currentInquiry(state.inquiry) : versions.find((v) => v.version === opts.version)];
      if (chosen.some((v) => v === undefined)) throw new DomainError(`inquiry of ${id} has no version ${opts.version} (1..${versions.length})`);
      print(opts.all ? versions : chosen[0], opts.json, () => chosen.map((v) => renderInquiry(v!, versions.length, zone())).join('\n\n'));
    });

  const quote = program.command('quote').description('the binding offer: create (VA21), change (VA22), show (VA23), send, accept, reject');
  for (const [verb, name] of [['create', 'createQuote'], ['change', 'changeQuote']] as const) {
    quote
      .command(verb)
      .description(
        verb === 'create'
          ? 'create the quotation from the current inquiry (price its items with --price, or list --item lines)'
          : 'change the quotation: a draft in place, a sent one as a new revision',
      )
      .argument('<id>')
      .option('--price <PRODUCT=PRICE[:DISC%]>', "price for an inquiry item; repeat for each", collect, [])
      .option('--item <PRODUCT:QTY:PRICE[:DISC%]>', 'an explicit line; repeat for more', collect, [])
      .option('--free', 'allow a zero price: that item is offered free of charge')
      .option('--valid-to <time>', 'end of validity (ISO time; default: process validity from sending)')
      .option('--note <text>')
      .addOption(jsonOption)
      .action(async (id: string, opts) => {
        const prices = opts.price as string[];
        const items = opts.item as string[];
        if (prices.length > 0 && items.length > 0) throw new DomainError('use either --price or --item, not both');
        // One connection: read the inquiry (when pricing its items) and give the command.
        const prospects = ctx.api().prospects;
        const state = await (async () => {
          let lines;
          if (items.length > 0) lines = items.map((i) => parseQuoteItem(i, Boolean(opts.free)));
          else if (prices.length > 0 || verb === 'create') {
            const current = await prospects.get(id);
            if (!current.inquiry) throw new DomainError(`prospect ${id} has no inquiry to quote for`);
            // A change re-reads the inquiry; items not re-priced keep the quotation's price.
            const quoted = verb === 'change' ? current.quotes[current.quotes.length - 1]?.lines : undefined;
            lines = linesFromInquiry(currentInquiry(current.inquiry).items, prices, { free: Boolean(opts.free), current: quoted });
          }
          return prospects.command(id, name, { lines, note: opts.note ?? (verb === 'create' ? '' : undefined), validTo: opts.validTo });
        })();
        print(state, opts.json, () => {
          const q = state.quotes[state.quotes.length - 1]!;
          return `${id}: quotation revision ${q.revision} ${q.status}, total ${formatCents(q.totals.netCents)} ${q.currency}`;
        });
      });
  }
  quote
    .command('refresh')
    .description('re-read the current inquiry into the quotation, keeping the prices of products still asked for')
    .argument('<id>')
    .addOption(jsonOption)
    .action(async (id: string, opts) => {
      await run(id, 'refreshQuote', {}, opts, (s) => {
        const q = s.quotes[s.quotes.length - 1]!;
        return `${id}: quotation revision ${q.revision} ${q.status} now refers to inquiry version ${q.inquiryVersion}, total ${formatCents(q.totals.netCents)} ${q.currency}`;
      });
    });
  quote
    .command('send')
    .description('send the draft to the customer by mail (or record how it was handed over); from now on it is binding')
    .argument('<id>')
    .addOption(
      new Option('--handed-over <channel>', 'the quotation reached the customer another way (no mail is sent); recorded in the contact log').choices(
        HandOverChannelSchema.options,
      ),
    )
    .addOption(jsonOption)
    .action(async (id: string, opts) => {
      await run(id, 'sendQuote', { handedOver: opts.handedOver }, opts, (s) => {
        const q = s.quotes[s.quotes.length - 1]!;
        const how = opts.handedOver ? `handed over (${opts.handedOver})` : `to ${s.info.email}`;
        return `${id}: revision ${q.revision} sent ${how}, valid until ${time(q.validTo)}`;
      });
    });
  quote
    .command('show')
    .argument('<id>')
    .option('--revision <n>', 'a past revision', (v) => Number.parseInt(v, 10))
    .option('--all', 'every revision')
    .addOption(jsonOption)
    .action(async (id: string, opts) => {
      const state = await ctx.api().prospects.get(id);
      if (state.quotes.length === 0) throw new DomainError(`prospect ${id} has no quotation`);
      const chosen = opts.all
        ? state.quotes
        : [opts.revision === undefined ? state.quotes[state.quotes.length - 1] : state.quotes.find((q) => q.revision === opts.revision)];
      if (chosen.some((q) => q === undefined)) throw new DomainError(`quotation of ${id} has no revision ${opts.revision} (1..${state.quotes.length})`);
      const inquiryVersion = state.inquiry ? currentInquiry(state.inquiry).version : undefined;
      print(opts.all ? state.quotes : chosen[0], opts.json, () => chosen.map((q) => renderQuote(q!, state.quotes.length, inquiryVersion, zone())).join('\n\n'));
    });
  quote
    .command('accept')
    .description('the customer accepted the sent quotation: the prospect is won')
    .argument('<id>')
    .option('--note <text>', '', '')
    .addOption(jsonOption)
    .action(async (id: string, opts) => {
      await run(id, 'acceptQuote', { note: opts.note }, opts, (s) => `${id}: quotation accepted, stage ${s.stage}`);
    });
  quote
    .command('reject')
    .description('the customer rejected the sent quotation: the prospect is lost')
    .argument('<id>')
    .requiredOption('--reason <text>')
    .addOption(jsonOption)
    .action(async (id: string, opts) => {
      await run(id, 'rejectQuote', { reason: opts.reason }, opts, (s) => `${id}: quotation rejected, stage ${s.stage}`);
    });

  program
    .command('lost')
    .description('mark a prospect lost')
    .argument('<id>')
    .requiredOption('--reason <text>')
    .addOption(jsonOption)
    .action(async (id: string, opts) => {
      await run(id, 'markLost', { reason: opts.reason }, opts, (s) => `${id}: stage ${s.stage} (${s.lostReason})`);
    });

  program
    .command('reassign')
    .description('move an open prospect and its open tasks to another rep of its process version')
    .argument('<id>')
    .requiredOption('--rep <rep>', 'the new rep')
    .option('--reason <text>', 'why, for the record and the mail to the new rep')
    .addOption(json())
    .action(async (id: string, opts) => {
      const state = await ctx.api().prospects.command(id, 'reassign', { rep: opts.rep, reason: opts.reason });
      print(state, opts.json, () => `${id}: reassigned to ${opts.rep} with its open tasks; ${opts.rep} was mailed`);
    });
}
