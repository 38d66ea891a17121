#!/usr/bin/env node
import { Command } from 'commander';
import { cliContext } from './shared/cliContext';
import { describeFailure, errorLine } from './shared/cliErrors';
import { registerPipelineCommands } from './pipeline/commands';
import { registerImportCommand } from './pipeline/importCommand';
import { registerTaskCommands } from './tasks/commands';
import { registerProcessCommands } from './process/commands';
import { registerCampaignCommands } from './campaign/commands';
import { registerAccountCommands } from './accounts/commands';
import { registerInboundCommands } from './pipeline/inboundCommands';
import { registerReportCommands } from './reporting/commands';
import { registerCustomerCommands } from './customer/commands';
import { registerAdminCommands } from '../db/adminCommands';

/**
 * `salesflow`: the command line, a client of the salesflow server's API as the logged-in
 * user (`salesflow login`), composed of one module per business area
 * (client/<area>/commands.ts), and the database's admin commands for bootstrap. Reads print text, or
 * JSON with `--json`; every error is one line on stderr and a non-zero exit.
 */

/** What main needs to word an error: the command that ran, and the usage commander showed. */
interface ErrorContext {
  command?: Command;
  usage?: string;
}

export function buildProgram(errors: ErrorContext = {}): Command {
  const program = new Command('salesflow')
    .description('Run the sales process as durable Temporal workflows.')
    // Every error goes through main's one printer; commander only reports what it found.
    .exitOverride()
    .configureOutput({
      outputError: () => undefined,
      writeErr: (str) => {
        errors.usage = /^Usage: ([^[<\n]+)/m.exec(str)?.[1]?.trim();
      },
    })
    .hook('preAction', (_program, action) => {
      errors.command = action;
    });

  registerPipelineCommands(program, cliContext);
  registerImportCommand(program, cliContext);
  registerTaskCommands(program, cliContext);
  registerProcessCommands(program, cliContext);
  registerCampaignCommands(program, cliContext);
  registerAccountCommands(program, cliContext);
  registerInboundCommands(program, cliContext);
  registerReportCommands(program, cliContext);
  registerCustomerCommands(program, cliContext);
  registerAdminCommands(program);
  return program;
}

/** Times inside a refusal (`expired at 2026-12-15T16:00:00Z`) as the person reads every other time. */
function inUserZone(line: string): string {
  try {
    return cliContext.timesIn(line);
  } catch {
    return line; // a bad SALESFLOW_TIMEZONE is itself the error being printed
  }
}

export async function main(argv: string[]): Promise<number> {
  const errors: ErrorContext = {};
  const program = buildProgram(errors);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    const failure = describeFailure(err, errors.command, errors.usage);
    if (failure.line !== undefined) process.stderr.write(errorLine(inUserZone(failure.line)));
    return failure.code;
  }
}

if (require.main === module) {
  main(process.argv).then((code) => process.exit(code));
}
