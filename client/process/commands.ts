import type { Command } from 'commander';
import { stringify } from 'yaml';
import { DomainError } from '../../domain/shared/errors';
import { diffDocuments, toDocument } from '../../domain/process/document';
import { STAGES, type Stage } from '../../domain/pipeline/stages';
import type { CliContext } from '../shared/cliContext';
import { readProcessFile } from './processFile';

/** The sales-ops commands: process definitions, published versions and migration. */

export function registerProcessCommands(program: Command, ctx: CliContext): void {
  const { withOps, print, json, by, time } = ctx;

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
      const lines = diffDocuments(va.definition, vb.definition);
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
}
