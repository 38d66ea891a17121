import { CommanderError, type Command, type Option } from 'commander';
import { DomainError, formatPath, type FieldIssue } from '../../domain/shared/errors';
import { ApiRefusal } from './apiClient';

/**
 * The CLI's one voice for errors: whatever refused the command (commander's parser, a
 * domain rule in this process, a workflow's validator on the server), the person reads
 * one line, `salesflow: <what> : <rule>`, naming the flag or argument they typed.
 */

export interface CliFailure {
  /** The line to print, without the `salesflow: ` prefix; undefined when nothing is printed (help, version). */
  line?: string;
  code: number;
}

/**
 * Which option a key of a command's input comes from when the names differ. Each CLI
 * command builds its input from its flags; these are the keys that are not simply the
 * flag's own name (`validTo` is `--valid-to` by commander's own naming).
 */
const KEY_TO_OPTIONS: Record<string, readonly string[]> = {
  lines: ['price', 'item'],
  items: ['item'],
  inquiryItems: ['item'],
  fields: ['field'],
};

function findOption(command: Command, attribute: string): Option | undefined {
  return command.options.find((o) => o.attributeName() === attribute);
}

function quoteIfNeeded(value: string): string {
  return /[\s"']/.test(value) ? JSON.stringify(value) : value;
}

/**
 * The flag (or argument) a field path of the command's input came from, as the person
 * typed it: `lines[0].unitPrice` is `--price PUMP-X`, `answers.budget` is `--budget`,
 * `items[1].quantity` is `--item "PUMP:many"`, `id` is `<id>`. Undefined when no flag fits.
 */
export function flagFor(path: readonly (string | number)[], command: Command, input?: unknown): string | undefined {
  const opts = command.opts() as Record<string, unknown>;
  for (let k = 0; k < path.length; k++) {
    const key = path[k];
    if (typeof key !== 'string') continue;
    for (const attribute of KEY_TO_OPTIONS[key] ?? [key]) {
      const option = findOption(command, attribute);
      if (!option) continue;
      const value = opts[attribute];
      const next = path[k + 1];
      if (Array.isArray(value)) {
        // A repeatable flag: name the one occurrence the field came from.
        if (value.length === 0 && (KEY_TO_OPTIONS[key]?.length ?? 0) > 1) continue;
        if (typeof next === 'number') {
          if (attribute === 'price') {
            const product = (input as Record<string, { product?: string }[] | undefined> | undefined)?.[key]?.[next]?.product;
            if (product !== undefined) return `${option.long} ${quoteIfNeeded(product)}`;
          }
          const typed = value[next];
          if (typeof typed === 'string') return `${option.long} ${quoteIfNeeded(typed)}`;
        }
        if (typeof next === 'string') return `${option.long} ${quoteIfNeeded(next)}`;
      }
      return option.long ?? option.flags;
    }
    const argument = command.registeredArguments.find((a) => a.name() === key || a.name().replace(/-(\w)/g, (_, c: string) => c.toUpperCase()) === key);
    if (argument) return `<${argument.name()}>`;
  }
  return undefined;
}

function describeIssue(issue: FieldIssue, command: Command | undefined, input: unknown): string {
  if (issue.path.length === 0) return issue.message;
  const where = (command && flagFor(issue.path, command, input)) ?? formatPath(issue.path);
  return `${where}: ${issue.message}`;
}

/** Commander's parse errors, reworded to name the flag the way the rest of the CLI does. */
function commanderLine(err: CommanderError): string {
  const text = err.message.replace(/^error: /, '');
  let m: RegExpExecArray | null;
  if ((m = /^option '(--[\w-]+)[^']*' argument '(.*)' is invalid\. Allowed choices are (.*)\.$/.exec(text))) {
    return `${m[1]}: "${m[2]}" is not one of ${m[3]}`;
  }
  if ((m = /^required option '(--[\w-]+)[^']*' not specified$/.exec(text))) return `${m[1]} is required`;
  if ((m = /^option '(--[\w-]+)[^']*' argument missing$/.exec(text))) return `${m[1]} needs a value`;
  if ((m = /^missing required argument '([\w-]+)'$/.exec(text))) return `<${m[1]}> is required`;
  if ((m = /^option '(--[\w-]+)[^']*' argument '(.*)' is invalid\. (.*)$/.exec(text))) return `${m[1]} "${m[2]}": ${m[3]}`;
  return text;
}

/** What to print for an error that ended a command, and the exit code. */
export function describeFailure(err: unknown, command: Command | undefined, usage?: string): CliFailure {
  if (err instanceof CommanderError) {
    if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return { code: err.exitCode };
    // A group without its subcommand (`salesflow quote`): commander shows the help as an error.
    if (err.code === 'commander.help') return { line: `missing command; see "${usage ?? 'salesflow'} --help"`, code: 1 };
    return { line: commanderLine(err), code: 1 };
  }
  if (err instanceof DomainError) {
    const issues = err.issues ?? [];
    const line = issues.length > 0 ? issues.map((i) => describeIssue(i, command, err.input)).join('; ') : err.message;
    return { line, code: 1 };
  }
  return { line: err instanceof Error ? err.message : String(err), code: 2 };
}

/** `salesflow: ...` as exactly one line, whatever the message held. */
export function errorLine(line: string): string {
  return `salesflow: ${line.replace(/\s*\n\s*/g, ' ').trim()}\n`;
}

/**
 * A file's problems as the server found them, one per line as an editor shows them
 * (`file:line: path: message`); undefined when the refusal was not about the file's content.
 */
export function fileProblems(err: unknown, file: string): string[] | undefined {
  if (!(err instanceof ApiRefusal) || !err.problem.type?.endsWith('/invalid-definition')) return undefined;
  return (err.problem.errors ?? []).map((e) => `${file}:${e.line ?? '?'}: ${e.field || '(file)'}: ${e.message}`);
}
