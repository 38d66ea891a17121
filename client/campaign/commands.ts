import { suppressionSourceText } from '../../domain/campaign/labels';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { normalizeEmail } from '../../domain/shared/email';
import { Option, type Command } from 'commander';
import { CAMPAIGN_STATUSES, refusedRowName, type CampaignProgressView, type CampaignState } from '../../domain/campaign/campaign';
import { campaignWorkflowId } from '../../workflows/campaign/contract';
import { parseDuration } from '../../domain/shared/duration';
import { DomainError } from '../../domain/shared/errors';
import { SUPPRESSION_REASONS } from '../../domain/campaign/suppression';
import { cronProblem } from '../../domain/campaign/cron';
import type { CliContext } from '../shared/cliContext';
import type { CampaignUpload } from './campaignApi';
import { fileProblems } from '../shared/cliErrors';
import { progressLine, speedOf, watchProgress } from './progressBar';
import { textTable } from '../shared/textTable';
import { positiveInt } from '../shared/flags';

/**
 * `salesflow campaign ...`: validate, start, watch, steer and schedule campaign runs.
 * Reads take --json; errors are one line on stderr (cli.ts's main prints them).
 */

/** The run in one line; the average rate is the server's (the web app shows the same figure). */
export function summary(p: CampaignProgressView): string {
  return (
    `campaign ${p.id} ${p.status}: ${p.total} recipient${p.total === 1 ? '' : 's'}, ${p.sent} sent, ${p.skipped} skipped, ${p.failed} failed` +
    (p.bounced > 0 ? ` (${p.bounced} bounced)` : '') +
    `, ${p.remaining} remaining` +
    (p.averagePerMinute !== undefined ? `, ${p.averagePerMinute.toFixed(1)} mails/min on average` : '') +
    (p.invalidRows > 0
      ? p.audience === 'prospects' || p.audience === 'filter'
        ? `; ${p.invalidRows} prospect${p.invalidRows === 1 ? '' : 's'} of the ${p.audience === 'prospects' ? 'list' : 'filter'} left out`
        : `; ${p.invalidRows} invalid row${p.invalidRows === 1 ? '' : 's'} skipped`
      : '')
  );
}

/** What the watch and the final summary need: progress, and the state behind it. */
interface RunSource {
  progress(id: string): Promise<CampaignProgressView>;
  state(id: string): Promise<CampaignState>;
}

async function follow(c: RunSource, id: string, json: boolean): Promise<void> {
  const final = await watchProgress({ poll: () => c.progress(id), out: json ? { isTTY: false, write: () => true } : process.stdout });
  if (json) {
    console.log(JSON.stringify(await c.state(id), null, 2));
    return;
  }
  console.log(summary(final));
  const state = await c.state(id);
  for (const e of state.exceptions.slice(0, 20)) console.log(`  ${e.status.padEnd(7)} ${e.email}: ${e.reason}`);
  if (state.exceptions.length > 20) console.log(`  ... ${state.exceptions.length - 20} more (--json lists them)`);
  // Named as written: a CSV's line, or a listed prospect's place in the list.
  for (const r of state.invalidRowSamples.slice(0, 20)) console.log(`  ${state.audience === 'prospects' || state.audience === 'filter' ? refusedRowName(state.audience, r.line) : `invalid row ${r.line}`}: ${r.message}`);
}

/**
 * A campaign file as the server takes it: its text, and the text of the audience CSV it
 * names (a path relative to the file), so the server needs no access to this machine.
 */
export function campaignUpload(file: string): CampaignUpload & { csvPath?: string } {
  let yaml: string;
  try {
    yaml = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DomainError(`cannot read campaign file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let csvPath: unknown;
  try {
    csvPath = (parse(yaml) as { audience?: { csv?: unknown } } | null)?.audience?.csv;
  } catch {
    return { yaml }; // the server reports the YAML error with its line
  }
  if (typeof csvPath !== 'string' || csvPath === '') return { yaml };
  const path = isAbsolute(csvPath) ? csvPath : resolve(dirname(file), csvPath);
  try {
    return { yaml, csv: readFileSync(path, 'utf8'), csvPath: path };
  } catch (err) {
    throw new DomainError(`cannot read audience ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** A refusal of the campaign file itself, named by file and line like `process validate`. */
async function uploading<T>(file: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const report = fileProblems(err, file);
    if (report) throw new DomainError(`invalid campaign file: ${report.join('; ')}`);
    throw err;
  }
}

export function registerCampaignCommands(program: Command, ctx: CliContext): void {
  const campaigns = () => ctx.api().campaigns;
  const campaign = program.command('campaign').description('mail an audience, throttled, exactly once per recipient');
  const { json } = ctx;

  campaign
    .command('validate')
    .description('check a campaign file: definition, audience CSV (every bad row), template variables')
    .argument('<file>', 'campaign YAML, e.g. examples/campaign-spring.yaml')
    .addOption(json())
    .action(async (file: string, opts) => {
      const upload = campaignUpload(file);
      const result = await uploading(file, () => campaigns().validate(upload));
      if (opts.json) {
        console.log(JSON.stringify(result, null, 2));
        return;
      }
      const d = result.definition;
      const audience = d.audience as { csv?: string; prospects?: string[]; filter?: unknown };
      const n = (count: number | undefined, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
      const who = audience.csv !== undefined ? `${n(result.recipients, 'recipient')} from ${upload.csvPath}` : audience.prospects ? n(audience.prospects.length, 'prospect') : `prospects matching ${JSON.stringify(audience.filter)}`;
      console.log(`campaign ${d.id} "${d.name}" is valid: ${who}${d.throttle ? `, ${d.throttle} mails/min` : ''}`);
      for (const r of result.invalidRows) console.log(`  line ${r.line} skipped: ${r.message}`);
      if (result.alreadyRan) console.log(`  note: campaign ${d.id} already ran (${result.alreadyRan}); campaign start would refuse it: give it a new --id to mail its audience again`);
    });

  campaign
    .command('start')
    .description('start a run and follow it (a running one is not started twice)')
    .argument('<file>', 'campaign YAML')
    .option('--id <id>', 'run id (default: the file\'s id); a new id mails the audience again')
    .option('--batch-size <n>', 'recipients per send activity', positiveInt('--batch-size'))
    .option('--detach', 'return once started, without following progress')
    .addOption(json())
    .action(async (file: string, opts) => {
      const upload = campaignUpload(file);
      const c = campaigns();
      const sent = opts.id ? { ...upload, yaml: withId(upload.yaml, opts.id as string) } : upload;
      const { started, workflowId, validation } = await uploading(file, () => c.start(sent, opts.batchSize ? { batchSize: opts.batchSize } : {}));
      const id = validation.definition.id;
      if (!opts.json || opts.detach) {
        const line = started ? `started campaign ${id} (workflow ${workflowId})` : `campaign ${id} is already running; following it`;
        if (opts.json) console.log(JSON.stringify({ started, workflowId }));
        else console.log(line);
        for (const r of validation.invalidRows.slice(0, 20)) if (!opts.json) console.log(`  line ${r.line} skipped: ${r.message}`);
      }
      if (!opts.detach) await follow(c, id, Boolean(opts.json));
    });

  campaign
    .command('status')
    .description('progress of a run; --watch follows it, --recipient looks one address up')
    .argument('<id>')
    .option('--watch', 'follow until the run ends')
    .option('--recipient <email>', 'status of one recipient')
    .addOption(json())
    .action(async (id: string, opts) => {
      const c = campaigns();
      if (opts.recipient) {
        const status = await c.recipient(id, normalizeEmail(String(opts.recipient)));
        console.log(opts.json ? JSON.stringify(status, null, 2) : `${status.email}: ${status.status}${status.reason ? ` (${status.reason})` : ''}${status.messageId ? ` ${status.messageId} at ${ctx.time(status.at)}` : ''}`);
        return;
      }
      if (opts.watch) {
        await follow(c, id, Boolean(opts.json));
        return;
      }
      const p = await c.progress(id);
      console.log(opts.json ? JSON.stringify(p, null, 2) : `${summary(p)}\n${progressLine(p, speedOf(p, undefined), 30)}`);
    });

  for (const [name, verb] of [
    ['pause', 'paused'],
    ['resume', 'resumed'],
    ['cancel', 'cancelled'],
  ] as const) {
    campaign
      .command(name)
      .description(`${name} a run${name === 'pause' ? ' (after the batch in flight)' : name === 'cancel' ? ' (the remaining recipients are not mailed)' : ''}`)
      .argument('<id>')
      .option('--reason <text>')
      .addOption(json())
      .action(async (id: string, opts) => {
        const p = await campaigns().command(id, name, opts.reason);
        console.log(opts.json ? JSON.stringify(p, null, 2) : `campaign ${id} ${verb}: ${summary(p)}`);
      });
  }

  campaign
    .command('list')
    .description('campaign runs, from visibility')
    // Refused when it is none of them: visibility would answer an unknown status with no runs at all.
    .addOption(new Option('--status <status>', 'only runs in this status').choices(CAMPAIGN_STATUSES))
    .option('--limit <n>', 'at most this many', positiveInt('--limit'))
    .addOption(json())
    .action(async (opts) => {
      const rows = await campaigns().list({ status: opts.status, limit: opts.limit });
      if (opts.json) console.log(JSON.stringify(rows, null, 2));
      else if (rows.length === 0) console.log('no campaigns');
      else console.log(textTable(['CAMPAIGN', 'STATUS', 'SENT', 'NAME'], rows.map((r) => [r.id, r.status ?? r.execution.toLowerCase(), String(r.sent ?? 0), r.name])));
    });

  campaign
    .command('schedule')
    .description('run a campaign on a Temporal Schedule (each run mails the then-current audience)')
    .argument('<file-or-id>', 'campaign YAML (or, with --delete, the campaign id)')
    .option('--cron <expr>', 'cron in UTC, e.g. "0 9 * * MON" (overrides the file)')
    .option('--every <duration>', 'interval such as 1d or 1w (overrides the file)')
    .option('--delete', 'remove the schedule')
    .addOption(json())
    .action(async (target: string, opts) => {
      if (opts.delete) {
        await campaigns().unschedule(target);
        console.log(`schedule of campaign ${target} deleted`);
        return;
      }
      // Said in the flag's name here; the server would name its field `cron`.
      const cronRefused = opts.cron !== undefined ? cronProblem(String(opts.cron)) : undefined;
      if (cronRefused !== undefined) throw new DomainError(`--cron ${cronRefused}`);
      if (opts.every && parseDuration(opts.every) === undefined) throw new DomainError(`--every "${opts.every}": must be a duration such as 1d or 1w`);
      const { scheduleId, created, definition } = await uploading(target, () => campaigns().schedule(campaignUpload(target), { cron: opts.cron, every: opts.every }));
      const when = definition.schedule?.cron ? `cron ${definition.schedule.cron.join(', ')}` : `every ${opts.every ?? `${definition.schedule?.every} ms`}`;
      console.log(opts.json ? JSON.stringify({ scheduleId, created }) : `${created ? 'scheduled' : 'rescheduled'} campaign ${definition.id} (${when}); runs are ${campaignWorkflowId(definition.id)}-<time>`);
    });

  campaign
    .command('suppress')
    .description('never mail this address from a campaign again')
    .argument('<email>')
    .addOption(new Option('--reason <reason>').choices([...SUPPRESSION_REASONS]).default('manual'))
    .option('--note <text>', '', '')
    .action(async (email: string, opts) => {
      const entry = await campaigns().suppress(email, opts.reason, opts.note);
      console.log(`${entry.email} suppressed (${entry.reason}, since ${ctx.time(entry.at)})`);
    });

  campaign
    .command('unsuppress')
    .description('take an address off the suppression list (recorded with who and why)')
    .argument('<email>')
    .option('--reason <text>', 'why it may be mailed again (required)')
    .addOption(json())
    .action(async (email: string, opts) => {
      if (!opts.reason?.trim()) throw new DomainError('--reason: is required: say why the address may be mailed again');
      const removal = await campaigns().unsuppress(email, opts.reason);
      console.log(opts.json ? JSON.stringify(removal, null, 2) : `${removal.entry.email} is no longer suppressed (was ${removal.entry.reason} since ${ctx.time(removal.entry.at)}); recorded: ${removal.by}: ${removal.reason}`);
    });

  campaign
    .command('suppressed')
    .description('the suppression list (--removed: the addresses taken off it, with who and why)')
    .option('--removed', 'list the removals instead')
    .addOption(json())
    .action(async (opts) => {
      if (opts.removed) {
        const removals = await campaigns().removals();
        if (opts.json) console.log(JSON.stringify(removals, null, 2));
        else if (removals.length === 0) console.log('no address was taken off the list');
        else console.log(textTable(['ADDRESS', 'TAKEN OFF', 'BY', 'WHY', 'WAS'], removals.map((r) => [r.entry.email, ctx.time(r.at), r.by, r.reason, r.entry.reason])));
        return;
      }
      const entries = await campaigns().suppressed();
      if (opts.json) console.log(JSON.stringify(entries, null, 2));
      else if (entries.length === 0) console.log('nobody is suppressed');
      else console.log(textTable(['ADDRESS', 'REASON', 'SINCE', 'SOURCE'], entries.map((e) => [e.email, e.reason, ctx.time(e.at), suppressionSourceText(e.source)])));
    });
}

/** The file's text with another top-level id (`--id`): a new id is a new run that mails again. */
function withId(yaml: string, id: string): string {
  const doc = parseDocument(yaml);
  if (doc.errors.length > 0) return yaml; // the server reports it with its line
  doc.set('id', id);
  return doc.toString();
}
