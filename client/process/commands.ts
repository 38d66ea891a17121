import type { Command } from 'commander';
import { DomainError } from '../../domain/shared/errors';
import { documentYaml } from '../../domain/process/document';
import { fileProblems } from '../shared/cliErrors';
import { STAGES, type Stage } from '../../domain/pipeline/stages';
import type { CliContext } from '../shared/cliContext';
import { readProcessText } from './processFile';

/** The sales-ops commands: process definitions, published versions and migration. */

export function registerProcessCommands(program: Command, ctx: CliContext): void {
  const { print, json, time } = ctx;
  const processes = () => ctx.api().processes;

  const proc = program.command('process').description('process definitions: validate, publish, list, show, diff, migrate');
  proc
    .command('validate')
    .description('check a process file; every problem is reported with its path and line')
    .argument('<file>')
    .addOption(json())
    .action(async (file: string, opts) => {
      const text = readProcessText(file);
      let def;
      try {
        def = (await processes().validate(text)).definition as unknown as ProcessDocument;
      } catch (err) {
        const report = fileProblems(err, file);
        if (!report) throw err;
        // The report is what was asked for (stdout); the failure itself is the one stderr line.
        if (opts.json) console.log(JSON.stringify({ valid: false, problems: report }, null, 2));
        else console.log(report.join('\n'));
        throw new DomainError(`${file}: ${report.length} problem(s)`);
      }
      const teams = def.teams ?? [];
      const reps = teams.reduce((n, t) => n + t.reps.length, 0);
      const templates = Object.values(def.tasks ?? {}).flat().length;
      print({ valid: true, definition: def }, opts.json, () => `${file}: valid process "${def.name}" (${teams.length} team(s), ${reps} rep(s), ${templates} task template(s))`);
    });
  proc
    .command('publish')
    .description('store the file as the next version of its process')
    .argument('<file>')
    .addOption(json())
    .action(async (file: string, opts) => {
      let published;
      try {
        published = await processes().publish(readProcessText(file));
      } catch (err) {
        const report = fileProblems(err, file);
        if (report) throw new DomainError(`invalid process file: ${report.join('; ')}`);
        throw err;
      }
      print(published, opts.json, () => `published process "${published.definition.name}" version ${published.version}`);
    });
  proc
    .command('list')
    .description('published processes')
    .addOption(json())
    .action(async (opts) => {
      const rows = await processes().list();
      print(rows, opts.json, () => (rows.length === 0 ? 'no published processes' : rows.map((r) => `${r.name}  ${r.versions} version(s), latest ${time(r.latestPublishedAt)}`).join('\n')));
    });
  proc
    .command('show')
    .description('a published version as a process file (durations with their units)')
    .argument('<name>')
    .option('--version <n>', 'a past version (default: the latest)', (v) => Number.parseInt(v, 10))
    .addOption(json())
    .action(async (name: string, opts) => {
      const v = await processes().version(name, opts.version);
      print(v, opts.json, () => `# ${name} version ${v.version}, published ${time(v.publishedAt)} by ${v.publishedBy}\n${documentYaml(v.definition)}`);
    });
  proc
    .command('diff')
    .description('what changed between two published versions, setting by setting')
    .argument('<name>')
    .argument('<a>', 'version', (v) => Number.parseInt(v, 10))
    .argument('<b>', 'version', (v) => Number.parseInt(v, 10))
    .addOption(json())
    .action(async (name: string, a: number, b: number, opts) => {
      const lines = await processes().diff(name, a, b);
      print(lines, opts.json, () =>
        lines.length === 0 ? `versions ${a} and ${b} are the same` : lines.map((l) => `${l.path}: ${JSON.stringify(l.from)} -> ${JSON.stringify(l.to)}`).join('\n'),
      );
    });
  proc
    .command('migrate')
    .description("move in-flight prospects and the process's customer accounts to another version where that is safe")
    .argument('<name>')
    .requiredOption('--to <n>', 'target version', (v) => Number.parseInt(v, 10))
    .option('--where <filter>', 'only prospects matching, e.g. stage=qualification')
    .option('--dry-run', 'say what would happen, change nothing')
    .option('--reassign-from <rep>', 'a rep who is not in the target version: their prospects and open tasks move to --to-rep')
    .option('--to-rep <rep>', 'the rep of the target version who takes over from --reassign-from')
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
      const report = await processes().migrate(name, opts.to, { stage, dryRun: Boolean(opts.dryRun), reassign });
      const moved = opts.dryRun ? 'would move' : 'moved';
      const totals = `${moved} ${report.moved}, refused ${report.refused}, unchanged ${report.unchanged}`;
      const accounts = report.customers;
      const accountTotals = `customers: ${moved} ${accounts.moved}, refused ${accounts.refused}, unchanged ${accounts.unchanged}`;
      print(report, opts.json, () =>
        [
          ...report.results.map((r) => `${r.prospectId}  v${r.from ?? '?'} -> v${opts.to}  ${r.outcome}${r.reason ? `: ${r.reason}` : ''}`),
          ...accounts.results.map((r) => `customer ${r.customerId}  v${r.from} -> v${opts.to}  ${r.outcome}${r.reason ? `: ${r.reason}` : ''}`),
          totals,
          // Only when the process has accounts: a pre-sales process reads as it always did.
          ...(accounts.results.length + accounts.unchanged > 0 ? [accountTotals] : []),
        ].join('\n'),
      );
      // A refusal is an outcome the caller must see in the exit code, not only in the text.
      const refusals = [report.refused > 0 ? `${report.refused} prospect(s)` : '', accounts.refused > 0 ? `${accounts.refused} customer(s)` : ''].filter(Boolean);
      // A dry run exits as the real run would, so a script can check before it moves anything.
      if (refusals.length > 0) {
        throw new DomainError(opts.dryRun ? `${refusals.join(' and ')} would refuse the move to v${opts.to} (a dry run: nothing moved); see above` : `${refusals.join(' and ')} refused the move to v${opts.to}; see above`);
      }
    });
}

/** What the validate answer's definition holds that the summary line counts. */
interface ProcessDocument {
  name: string;
  teams?: { reps: unknown[] }[];
  tasks?: Record<string, unknown[]>;
}
