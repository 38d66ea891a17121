import { existsSync, readFileSync } from 'node:fs';
import { type Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { DomainError } from '../../domain/shared/errors';
import { prospectsFromTable, type ImportProcess, type ImportRow } from '../../domain/pipeline/prospectImport';
import { DEFAULT_PROCESS, notARep } from '../../domain/process/process';
import { runImport, tallyLine, type LineNote } from '../../domain/pipeline/importRun';
import { readCsvTable } from '../campaign/audienceCsv';
import { loadProcessFile, readProcessText } from '../process/processFile';
import { ApiRefusal } from '../shared/apiClient';
import type { CliContext } from '../shared/cliContext';
import { positiveInt } from '../shared/flags';

/**
 * `salesflow import FILE.csv`: prospects from a CSV export (domain/pipeline/prospectImport.ts
 * has the columns). The whole file is checked first, against the process it goes to, and a
 * file with any bad line imports nothing; then each line is created through the API as
 * `create` would, a few at a time, with a progress bar. Creating an existing prospect changes
 * nothing, so an import cut short (the terminal closed, the server restarted) is finished by
 * running it again, and a line the server refused by fixing it and running it again.
 */

/** What the command prints (`--json`): the import's tally without its running count. */
export interface ImportOutcome {
  created: number;
  existing: number;
  refused: LineNote[];
  /** Lines whose id is an existing prospect of another name or address: left as they were, and listed. */
  clashes: LineNote[];
}

export function registerImportCommand(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('create prospects from a CSV file (name, and id or email; company, phone, rep, source; other columns are fields); again with the same file changes nothing')
    .argument('<file>', 'CSV file with a header row')
    .option('--rep <rep>', 'for rows without a rep (default: the published process assigns one)')
    .option('--source <source>', 'for rows without a source', 'import')
    .option('--process <name|file>', 'a published process name (its latest version) or a process YAML file (default: the built-in one)')
    .option('--concurrency <n>', 'prospects created at once', positiveInt('--concurrency'), 8)
    .option('--dry-run', 'check the file and say what would be imported; create nothing')
    .addOption(ctx.json())
    .action(async (file: string, opts) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new DomainError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
      }
      const api = ctx.api();
      // The process the rows go to, resolved once (a process that does not exist is one error,
      // not one per line), so the file check finds a rep it does not have before anything is created.
      const fromFile = opts.process && (existsSync(opts.process) || /\.(ya?ml|json)$/.test(opts.process));
      const target: ImportProcess = fromFile
        ? { definition: loadProcessFile(opts.process), assignsReps: false }
        : opts.process
          ? { definition: (await api.processes.version(opts.process)).definition, assignsReps: true }
          : { definition: DEFAULT_PROCESS, assignsReps: false };
      // A --rep the process does not have is the flag's problem, not every line's.
      const flagRefusal = opts.rep !== undefined ? notARep(target.definition, opts.rep) : undefined;
      if (flagRefusal) throw new DomainError(`--rep: ${flagRefusal}`);
      // A rep imports for themself, as `create` makes a rep's prospects their own.
      const me = opts.rep === undefined ? await api.accounts.me() : undefined;
      const rep = opts.rep ?? (me?.role === 'rep' ? (me.account.personId ?? undefined) : undefined);
      const parsed = prospectsFromTable(readCsvTable(text), { rep, source: opts.source }, target);
      if (parsed.problems.length > 0) {
        // Every problem on stdout (as `process validate` lists them), the one error line on stderr.
        if (opts.json) console.log(JSON.stringify({ problems: parsed.problems }, null, 2));
        else for (const p of parsed.problems) console.log(`${file}:${p.line}: ${p.message}`);
        const lines = new Set(parsed.problems.map((p) => p.line)).size;
        throw new DomainError(`${file}: ${lines} ${lines === 1 ? 'line has a problem' : 'lines have problems'}; nothing imported`);
      }
      if (parsed.rows.length === 0) throw new DomainError(`${file}: no prospects in it (only a header row)`);
      if (opts.dryRun) {
        ctx.print({ prospects: parsed.rows.length, rows: parsed.rows }, opts.json, () => `${file}: ${parsed.rows.length} prospects to import; nothing created (--dry-run)`);
        return;
      }
      const definition = fromFile ? { yaml: readProcessText(opts.process) } : opts.process ? { name: opts.process as string } : {};
      const outcome = await importRows(ctx, parsed.rows, definition, opts.concurrency, !opts.json && process.stderr.isTTY === true);
      ctx.print(outcome, opts.json, () =>
        [
          `${file}: ${tallyLine(outcome)}`,
          ...outcome.refused.map((r) => `${file}:${r.line}: ${r.id}: ${r.message}`),
          ...outcome.clashes.map((c) => `${file}:${c.line}: ${c.message}`),
        ].join('\n'),
      );
      const unimported = [
        ...(outcome.refused.length ? [`${outcome.refused.length} refused`] : []),
        ...(outcome.clashes.length ? [`${outcome.clashes.length} with the id of someone else already there`] : []),
      ];
      if (unimported.length > 0) {
        throw new DomainError(`${file}: of ${parsed.rows.length} prospects, ${unimported.join(' and ')} (listed above); fix those lines and run the import again: the others are there and will not be created twice`);
      }
    });
}

/**
 * Creates the rows (domain/pipeline/importRun.ts), with a bar on a terminal and a line every
 * 5 s otherwise. A refusal of the server about the row (a 4xx but a lost login: a rep the
 * account may not create prospects for) is recorded and the import goes on; anything else
 * (the server gone, the login expired) stops it: what was created stays, and running it
 * again finishes it.
 */
async function importRows(ctx: CliContext, rows: readonly ImportRow[], definition: { name?: string; yaml?: string }, concurrency: number, tty: boolean): Promise<ImportOutcome> {
  const api = ctx.api();
  const started = Date.now();
  const bar = tty ? new SingleBar({ format: 'importing [{bar}] {value}/{total} prospects | {rate}/s | ETA {eta_formatted}', hideCursor: true, stream: process.stderr }, Presets.shades_classic) : undefined;
  bar?.start(rows.length, 0, { rate: '--' });
  let lastLine = started;
  const tally = await runImport(rows, {
    concurrency,
    create: async (row) => {
      const answer = await api.prospects.create(row.info, definition);
      return { created: answer.created, existing: answer.prospect.info };
    },
    refusal: (err) => (err instanceof ApiRefusal && err.status < 500 && err.status !== 401 ? err.message : undefined),
    progress: ({ done }) => {
      const rate = (done / Math.max((Date.now() - started) / 1000, 0.001)).toFixed(1);
      if (bar) bar.update(done, { rate });
      else if (Date.now() - lastLine >= 5_000) {
        // Off a terminal (a log, a pipe): a line every 5 s instead of a bar.
        lastLine = Date.now();
        process.stderr.write(`importing: ${done}/${rows.length} prospects (${rate}/s)\n`);
      }
    },
  });
  bar?.stop();
  if (tally.stopped !== undefined) {
    const message = tally.stopped instanceof Error ? tally.stopped.message : String(tally.stopped);
    throw new DomainError(`${message} (import stopped after ${tallyLine(tally)}; run it again to finish: nothing is created twice)`);
  }
  return { created: tally.created, existing: tally.existing, refused: tally.refused, clashes: tally.clashes };
}
