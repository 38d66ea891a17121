import { Option, type Command } from 'commander';
import { stringify } from 'yaml';
import { DomainError } from '../../domain/shared/errors';
import { formatDuration } from '../../domain/shared/duration';
import { formatOffset, type Offset } from '../../domain/process/offset';
import type { ProcessDefinition } from '../../domain/process/process';
import { maxCallDuration } from '../../domain/pipeline/timeRules';
import { diffDefinitions } from '../../domain/process/registry';
import { STAGES, type Stage } from '../../domain/pipeline/stages';
import { collect, parseInquiryItem } from '../pipeline/cliArgs';
import type { CliContext } from '../shared/cliContext';
import { readProcessFile } from './processFile';

/**
 * The sales-ops and rep commands: process versions and migration, task inboxes, calls,
 * and customers' telephone queries.
 */

/** Turns parsed durations back into the text people write, for `process show`. */
export function toDocument(def: ProcessDefinition): unknown {
  const offset = (o: Offset) => formatOffset(o);
  return {
    ...def,
    quotePolicy: {
      ...def.quotePolicy,
      validity: formatDuration(def.quotePolicy.validity),
      staleAfter: formatDuration(def.quotePolicy.staleAfter),
      escalateAfter: formatDuration(def.quotePolicy.escalateAfter),
      followUpDueIn: formatDuration(def.quotePolicy.followUpDueIn),
    },
    tasks: Object.fromEntries(
      Object.entries(def.tasks).map(([stage, templates]) => [stage, (templates ?? []).map((t) => ({ ...t, due: offset(t.due), escalateAfter: offset(t.escalateAfter) }))]),
    ),
    ...(def.support ? { support: { ...def.support, answerWithin: offset(def.support.answerWithin), escalateAfter: offset(def.support.escalateAfter) } } : {}),
    calls: { escalateAfter: offset(def.calls.escalateAfter), defaultDuration: formatDuration(def.calls.defaultDuration), maxDuration: formatDuration(maxCallDuration(def)) },
  };
}

export function registerOpsCommands(program: Command, ctx: CliContext): void {
  const { withOps, withClient, print, json, by, time, timesIn } = ctx;

  const proc = program.command('process').description('process definitions: validate, publish, list, show, diff, migrate');
  proc
    .command('validate')
    .description('check a process file; every problem is reported with its path and line')
    .argument('<file>')
    .addOption(json())
    .action(async (file: string, opts) => {
      const result = readProcessFile(file);
      if (!result.ok) {
        // The report is what was asked for (stdout); the failure itself is the one stderr line.
        if (opts.json) console.log(JSON.stringify({ valid: false, problems: result.report }, null, 2));
        else console.log(result.report.join('\n'));
        throw new DomainError(`${file}: ${result.report.length} problem(s)`);
      }
      const def = result.value;
      const reps = def.teams.reduce((n, t) => n + t.reps.length, 0);
      print({ valid: true, definition: def }, opts.json, () => `${file}: valid process "${def.name}" (${def.teams.length} team(s), ${reps} rep(s), ${Object.values(def.tasks).flat().length} task template(s))`);
    });
  proc
    .command('publish')
    .description('store the file as the next version of its process')
    .argument('<file>')
    .addOption(by())
    .addOption(json())
    .action(async (file: string, opts) => {
      const result = readProcessFile(file);
      if (!result.ok) throw new DomainError(`invalid process file: ${result.report.join('; ')}`);
      const published = await withOps((ops) => ops.publish(result.value, opts.by));
      print(published, opts.json, () => `published process "${published.definition.name}" version ${published.version}`);
    });
  proc
    .command('list')
    .description('published processes')
    .addOption(json())
    .action(async (opts) => {
      const rows = await withOps((ops) => ops.listProcesses());
      print(rows, opts.json, () => (rows.length === 0 ? 'no published processes' : rows.map((r) => `${r.name}  ${r.versions} version(s), latest ${time(r.latestPublishedAt)}`).join('\n')));
    });
  proc
    .command('show')
    .argument('<name>')
    .option('--version <n>', 'a past version (default: the latest)', (v) => Number.parseInt(v, 10))
    .addOption(json())
    .action(async (name: string, opts) => {
      const v = await withOps((ops) => ops.version(name, opts.version));
      print(v, opts.json, () => `# ${name} version ${v.version}, published ${time(v.publishedAt)} by ${v.publishedBy}\n${stringify(toDocument(v.definition))}`);
    });
  proc
    .command('diff')
    .argument('<name>')
    .argument('<a>', 'version', (v) => Number.parseInt(v, 10))
    .argument('<b>', 'version', (v) => Number.parseInt(v, 10))
    .addOption(json())
    .action(async (name: string, a: number, b: number, opts) => {
      const [va, vb] = await withOps((ops) => Promise.all([ops.version(name, a), ops.version(name, b)]));
      const lines = diffDefinitions({ ...toDocument(va.definition) as object, version: undefined }, { ...toDocument(vb.definition) as object, version: undefined });
      print(lines, opts.json, () =>
        lines.length === 0 ? `versions ${a} and ${b} are the same` : lines.map((l) => `${l.path}: ${JSON.stringify(l.from)} -> ${JSON.stringify(l.to)}`).join('\n'),
      );
    });
  proc
    .command('migrate')
    .description('move in-flight prospects to another version where that is safe')
    .argument('<name>')
    .requiredOption('--to <n>', 'target version', (v) => Number.parseInt(v, 10))
    .option('--where <filter>', 'only prospects matching, e.g. stage=qualification')
    .option('--dry-run', 'say what would happen, change nothing')
    .option('--reassign-from <rep>', 'a rep who is not in the target version: their prospects and open tasks move to --to-rep')
    .option('--to-rep <rep>', 'the rep of the target version who takes over from --reassign-from')
    .addOption(by())
    .addOption(json())
    .action(async (name: string, opts) => {
      let stage: Stage | undefined;
      if (opts.where) {
        const m = /^stage=(.+)$/.exec(opts.where);
        if (!m || !(STAGES as readonly string[]).includes(m[1]!)) throw new DomainError(`--where takes stage=<${STAGES.join('|')}>`);
        stage = m[1] as Stage;
      }
      if (Boolean(opts.reassignFrom) !== Boolean(opts.toRep)) throw new DomainError('--reassign-from and --to-rep go together');
      const reassign = opts.reassignFrom ? { from: opts.reassignFrom as string, to: opts.toRep as string } : undefined;
      const report = await withOps((ops) => ops.migrate(name, opts.to, { stage }, Boolean(opts.dryRun), opts.by, reassign));
      const totals = `${opts.dryRun ? 'would move' : 'moved'} ${report.moved}, refused ${report.refused}, unchanged ${report.unchanged}`;
      print(report, opts.json, () =>
        [...report.results.map((r) => `${r.prospectId}  v${r.from ?? '?'} -> v${opts.to}  ${r.outcome}${r.reason ? `: ${r.reason}` : ''}`), totals].join('\n'),
      );
      // A refusal is an outcome the caller must see in the exit code, not only in the text.
      if (report.refused > 0) throw new DomainError(`${report.refused} prospect(s) refused the move to v${opts.to}; see above`);
    });

  program
    .command('reassign')
    .description('move an open prospect and its open tasks to another rep of its process version')
    .argument('<id>')
    .requiredOption('--rep <rep>', 'the new rep')
    .option('--reason <text>', 'why, for the record and the mail to the new rep')
    .addOption(by())
    .addOption(json())
    .action(async (id: string, opts) => {
      const state = await withClient((c) => c.command(id, 'reassign', { rep: opts.rep, reason: opts.reason, by: opts.by }));
      print(state, opts.json, () => `${id}: reassigned to ${opts.rep} with its open tasks; ${opts.rep} was mailed`);
    });

  program
    .command('tasks')
    .description("a rep's inbox of open tasks, soonest due first (from visibility)")
    .requiredOption('--rep <rep>')
    .addOption(new Option('--due <when>').choices(['today', 'overdue']))
    .addOption(json())
    .action(async (opts) => {
      const rows = await withOps((ops) => ops.inbox(opts.rep, opts.due));
      print(rows, opts.json, () =>
        rows.length === 0 ? `no open tasks for ${opts.rep}` : rows.map((r) => `${r.id.padEnd(16)} ${r.state.padEnd(9)} due ${time(r.dueAt)}  ${timesIn(r.title)}`).join('\n'),
      );
    });

  const call = program.command('call').description('calls with the customer: schedule, reschedule, cancel, done');
  call
    .command('schedule')
    .argument('<prospect>')
    .requiredOption('--at <time>', 'ISO time, e.g. 2026-12-01T10:00:00Z')
    .option('--duration <d>', 'e.g. 30m (default: the process call length)')
    .option('--note <text>', '', '')
    .addOption(by())
    .addOption(json())
    .action(async (id: string, opts) => {
      const state = await withClient((c) => c.command(id, 'scheduleCall', { at: opts.at, duration: opts.duration, note: opts.note, by: opts.by }));
      const c = state.calls![state.calls!.length - 1]!;
      print(state, opts.json, () => `scheduled call ${c.id} at ${time(c.at)} (task ${c.taskId}); invitation sent`);
    });
  call
    .command('reschedule')
    .argument('<call-id>', 'e.g. acme-C1')
    .requiredOption('--at <time>')
    .option('--duration <d>')
    .addOption(by())
    .addOption(json())
    .action(async (callId: string, opts) => {
      const state = await withClient((c) => c.command(prospectOf(callId, 'C'), 'rescheduleCall', { callId, at: opts.at, duration: opts.duration, by: opts.by }));
      print(state, opts.json, () => `moved call ${callId} to ${time(opts.at)}; updated invitation sent`);
    });
  call
    .command('cancel')
    .argument('<call-id>')
    .option('--reason <text>', '', '')
    .addOption(by())
    .addOption(json())
    .action(async (callId: string, opts) => {
      const state = await withClient((c) => c.command(prospectOf(callId, 'C'), 'cancelCall', { callId, reason: opts.reason, by: opts.by }));
      print(state, opts.json, () => `cancelled call ${callId}; cancellation sent`);
    });
  call
    .command('done')
    .argument('<call-id>')
    .requiredOption('--outcome <text>')
    .option('--note <text>', '', '')
    .addOption(by())
    .addOption(json())
    .action(async (callId: string, opts) => {
      const state = await withClient((c) => c.command(prospectOf(callId, 'C'), 'completeCall', { callId, outcome: opts.outcome, note: opts.note, by: opts.by }));
      print(state, opts.json, () => `call ${callId} done; logged in the contact log`);
    });

  const support = program.command('support').description("customers' telephone queries (sales support)");
  support
    .command('query')
    .argument('<prospect>')
    .requiredOption('--topic <text>')
    .requiredOption('--question <text>')
    .addOption(by())
    .addOption(json())
    .action(async (id: string, opts) => {
      const state = await withClient((c) => c.command(id, 'openSupportQuery', { topic: opts.topic, question: opts.question, by: opts.by }));
      const q = state.supportQueries![state.supportQueries!.length - 1]!;
      print(state, opts.json, () => `opened query ${q.id} for ${q.rep} (task ${q.taskId})`);
    });
  support
    .command('answer')
    .argument('<query-id>', 'e.g. acme-Q1')
    .requiredOption('--answer <text>')
    .option('--item <PRODUCT:QTY[:YYYY-MM-DD]>', 'also create (or change) the inquiry with these items', collect, [])
    .addOption(by())
    .addOption(json())
    .action(async (queryId: string, opts) => {
      const items = (opts.item as string[]).map(parseInquiryItem);
      const state = await withClient((c) =>
        c.command(prospectOf(queryId, 'Q'), 'answerSupportQuery', { queryId, answer: opts.answer, ...(items.length ? { inquiryItems: items } : {}), by: opts.by }),
      );
      print(state, opts.json, () => `answered ${queryId}${items.length ? `; inquiry version ${state.inquiry?.versions.length}` : ''}`);
    });
}

function prospectOf(id: string, letter: 'C' | 'Q'): string {
  const m = new RegExp(`^(.+)-${letter}\\d+$`).exec(id);
  if (!m) throw new DomainError(`"${id}" is not a ${letter === 'C' ? 'call' : 'query'} id (they look like acme-${letter}1)`);
  return m[1]!;
}
