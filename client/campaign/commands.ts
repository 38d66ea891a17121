import { resolve } from 'node:path';
import { normalizeEmail } from '../../domain/shared/email';
import { Option, type Command } from 'commander';
import { CampaignStore } from '../../activities/campaign/campaignStore';
import type { CampaignProgress } from '../../domain/campaign/campaign';
import { campaignWorkflowId } from '../../workflows/campaign/contract';
import { parseDuration } from '../../domain/shared/duration';
import { DomainError } from '../../domain/shared/errors';
import { SUPPRESSION_REASONS } from '../../domain/campaign/suppression';
import type { CampaignClient } from './campaignClient';
import type { CliContext } from '../shared/cliContext';
import { loadCampaignFile, validateCampaign } from './campaignFile';
import { progressLine, speedOf, watchProgress } from './progressBar';

/**
 * `salesflow campaign ...`: validate, start, watch, steer and schedule campaign runs.
 * Reads take --json; errors are one line on stderr (cli.ts's main prints them).
 */

function positiveInt(flag: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n <= 0) throw new DomainError(`${flag} "${text}": must be a positive whole number`);
    return n;
  };
}

function summary(p: CampaignProgress): string {
  return (
    `campaign ${p.id} ${p.status}: ${p.total} recipients, ${p.sent} sent, ${p.skipped} skipped, ${p.failed} failed` +
    (p.bounced > 0 ? ` (${p.bounced} bounced)` : '') +
    `, ${p.remaining} remaining` +
    (p.invalidRows > 0 ? `; ${p.invalidRows} invalid row${p.invalidRows === 1 ? '' : 's'} skipped` : '')
  );
}

async function follow(c: CampaignClient, id: string, json: boolean): Promise<void> {
  const final = await watchProgress({ poll: () => c.progress(id), out: json ? { isTTY: false, write: () => true } : process.stdout });
  if (json) {
    console.log(JSON.stringify(await c.state(id), null, 2));
    return;
  }
  console.log(summary(final));
  const state = await c.state(id);
  for (const e of state.exceptions.slice(0, 20)) console.log(`  ${e.status.padEnd(7)} ${e.email}: ${e.reason}`);
  if (state.exceptions.length > 20) console.log(`  ... ${state.exceptions.length - 20} more (--json lists them)`);
  for (const r of state.invalidRowSamples.slice(0, 20)) console.log(`  invalid row ${r.line}: ${r.message}`);
}

export function registerCampaignCommands(program: Command, ctx: CliContext): void {
  const { withCampaigns } = ctx;
  const campaign = program.command('campaign').description('mail an audience, throttled, exactly once per recipient');
  const { json, by } = ctx;

  campaign
    .command('validate')
    .description('check a campaign file: definition, audience CSV (every bad row), template variables')
    .argument('<file>', 'campaign YAML, e.g. examples/campaign-spring.yaml')
    .addOption(json())
    .action((file: string, opts) => {
      const result = validateCampaign(loadCampaignFile(file));
      if (opts.json) {
        console.log(JSON.stringify({ valid: true, ...result }, null, 2));
        return;
      }
      const d = result.definition;
      const who = 'csv' in d.audience ? `${result.recipients} recipients from ${d.audience.csv}` : 'prospects' in d.audience ? `${d.audience.prospects.length} prospects` : `prospects matching ${JSON.stringify(d.audience.filter)}`;
      console.log(`campaign ${d.id} "${d.name}" is valid: ${who}${d.throttle ? `, ${d.throttle} mails/min` : ''}`);
      for (const r of result.invalidRows) console.log(`  line ${r.line} skipped: ${r.message}`);
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
      const loaded = loadCampaignFile(file);
      const definition = opts.id ? { ...loaded, id: opts.id as string } : loaded;
      const validation = validateCampaign(definition);
      await withCampaigns(async (c) => {
        const { started, workflowId } = await c.start(validation.definition, opts.batchSize ? { batchSize: opts.batchSize } : {});
        if (!opts.json || opts.detach) {
          const line = started ? `started campaign ${definition.id} (workflow ${workflowId})` : `campaign ${definition.id} is already running; following it`;
          if (opts.json) console.log(JSON.stringify({ started, workflowId }));
          else console.log(line);
          for (const r of validation.invalidRows.slice(0, 20)) if (!opts.json) console.log(`  line ${r.line} skipped: ${r.message}`);
        }
        if (!opts.detach) await follow(c, definition.id, Boolean(opts.json));
      });
    });

  campaign
    .command('status')
    .description('progress of a run; --watch follows it, --recipient looks one address up')
    .argument('<id>')
    .option('--watch', 'follow until the run ends')
    .option('--recipient <email>', 'status of one recipient')
    .addOption(json())
    .action(async (id: string, opts) => {
      await withCampaigns(async (c) => {
        if (opts.recipient) {
          const email = normalizeEmail(String(opts.recipient));
          const exception = await c.exception(id, email);
          // Sent recipients are in the run's ledger, in the campaign store of the workers'
          // data dir (readable here when the CLI runs where the worker does, as with npm start).
          const found = exception ? undefined : new CampaignStore(resolve(process.env.SALESFLOW_DATA_DIR ?? '.data', 'campaigns')).findRecipient(campaignWorkflowId(id), email);
          const status = exception
            ? { email, status: exception.status, reason: exception.reason, index: exception.index }
            : found
              ? { email, status: found.ledger?.status ?? 'pending', index: found.index, messageId: found.ledger?.messageId, at: found.ledger?.at, reason: found.ledger?.reason }
              : undefined;
          if (!status) throw new DomainError(`${email} is not in campaign ${id}'s audience (or its ledger is not readable from here: set SALESFLOW_DATA_DIR)`);
          console.log(opts.json ? JSON.stringify(status, null, 2) : `${email}: ${status.status}${'reason' in status && status.reason ? ` (${status.reason})` : ''}${'messageId' in status && status.messageId ? ` ${status.messageId} at ${ctx.time(status.at)}` : ''}`);
          return;
        }
        if (opts.watch) {
          await follow(c, id, Boolean(opts.json));
          return;
        }
        const p = await c.progress(id);
        console.log(opts.json ? JSON.stringify(p, null, 2) : `${summary(p)}\n${progressLine(p, speedOf(p, undefined), 30)}`);
      });
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
      .addOption(by())
      .addOption(json())
      .action(async (id: string, opts) => {
        const p = await withCampaigns((c) => c.command(id, name, { by: opts.by, reason: opts.reason }));
        console.log(opts.json ? JSON.stringify(p, null, 2) : `campaign ${id} ${verb}: ${summary(p)}`);
      });
  }

  campaign
    .command('list')
    .description('campaign runs, from visibility')
    .option('--status <status>', 'resolving, running, paused, completed or cancelled')
    .option('--limit <n>', 'at most this many', positiveInt('--limit'))
    .addOption(json())
    .action(async (opts) => {
      const rows = await withCampaigns((c) => c.list({ status: opts.status, limit: opts.limit }));
      if (opts.json) console.log(JSON.stringify(rows, null, 2));
      else if (rows.length === 0) console.log('no campaigns');
      else for (const r of rows) console.log(`${r.id.padEnd(30)} ${(r.status ?? r.execution.toLowerCase()).padEnd(10)} sent ${String(r.sent ?? 0).padStart(7)}  ${r.name}`);
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
        await withCampaigns((c) => c.unschedule(target));
        console.log(`schedule of campaign ${target} deleted`);
        return;
      }
      const loaded = validateCampaign(loadCampaignFile(target)).definition;
      if (opts.every && parseDuration(opts.every) === undefined) throw new DomainError(`--every "${opts.every}": must be a duration such as 1d or 1w`);
      const definition = opts.cron ? { ...loaded, schedule: { cron: [opts.cron as string] } } : opts.every ? { ...loaded, schedule: { every: parseDuration(opts.every)! } } : loaded;
      const { scheduleId, created } = await withCampaigns((c) => c.schedule(definition));
      const when = definition.schedule?.cron ? `cron ${definition.schedule.cron.join(', ')}` : `every ${opts.every ?? `${definition.schedule?.every} ms`}`;
      console.log(opts.json ? JSON.stringify({ scheduleId, created }) : `${created ? 'scheduled' : 'rescheduled'} campaign ${definition.id} (${when}); runs are ${campaignWorkflowId(definition.id)}-<time>`);
    });

  campaign
    .command('suppress')
    .description('never mail this address from a campaign again')
    .argument('<email>')
    .addOption(new Option('--reason <reason>').choices([...SUPPRESSION_REASONS]).default('manual'))
    .option('--note <text>', '', '')
    .addOption(by())
    .action(async (email: string, opts) => {
      const entry = await withCampaigns((c) => c.suppress({ email, reason: opts.reason, source: `cli:${opts.by}`, detail: opts.note }));
      console.log(`${entry.email} suppressed (${entry.reason}, since ${ctx.time(entry.at)})`);
    });

  campaign
    .command('unsuppress')
    .description('take an address off the suppression list (recorded with who and why)')
    .argument('<email>')
    .option('--reason <text>', 'why it may be mailed again (required)')
    .addOption(by())
    .addOption(json())
    .action(async (email: string, opts) => {
      const removal = await withCampaigns((c) => c.unsuppress({ email, by: opts.by, reason: opts.reason ?? '' }));
      console.log(opts.json ? JSON.stringify(removal, null, 2) : `${removal.entry.email} is no longer suppressed (was ${removal.entry.reason} since ${ctx.time(removal.entry.at)}); recorded: ${removal.by}: ${removal.reason}`);
    });

  campaign
    .command('suppressed')
    .description('the suppression list (--removed: the addresses taken off it, with who and why)')
    .option('--removed', 'list the removals instead')
    .addOption(json())
    .action(async (opts) => {
      if (opts.removed) {
        const removals = await withCampaigns((c) => c.unsuppressed());
        if (opts.json) console.log(JSON.stringify(removals, null, 2));
        else if (removals.length === 0) console.log('no address was taken off the list');
        else for (const r of removals) console.log(`${r.entry.email.padEnd(40)} ${ctx.time(r.at)} by ${r.by}: ${r.reason} (was ${r.entry.reason})`);
        return;
      }
      const entries = await withCampaigns((c) => c.suppressed());
      if (opts.json) console.log(JSON.stringify(entries, null, 2));
      else if (entries.length === 0) console.log('nobody is suppressed');
      else for (const e of entries) console.log(`${e.email.padEnd(40)} ${e.reason.padEnd(12)} ${ctx.time(e.at)} ${e.source}`);
    });
}
