import { z } from 'zod';
import { CommanderError, type Command } from 'commander';
import { buildProgram } from '../../client/cli';
import { describeFailure, errorLine, flagFor } from '../../client/shared/cliErrors';
import { CreateInquirySchema, CreateQuoteSchema, LogContactSchema, QualifySchema, ScheduleCallSchema } from '../../domain/pipeline/commands';
import { DomainError, issuesFromMessage, parseOrThrow } from '../../domain/shared/errors';
import { checkContactTime } from '../../domain/pipeline/timeRules';
import { ProcessDefinitionSchema } from '../../domain/process/process';

/** zod's default wording, which no person should read. */
const RAW_ZOD = /Too small|Too big|Invalid input|Invalid option|expected \w+, received|Unrecognized key|>=|<=/;

function refusedWith(schema: z.ZodType, value: unknown): DomainError {
  try {
    parseOrThrow(schema, value, 'command');
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

function command(path: string): Command {
  let cmd: Command = buildProgram();
  for (const name of path.split(' ')) cmd = cmd.commands.find((c) => c.name() === name)!;
  return cmd;
}

describe('schema refusals read as rules, never as zod defaults', () => {
  it.each([
    [LogContactSchema, { channel: 'pigeon' }, 'channel: must be one of visit, call, letter, direct_mail, email'],
    [LogContactSchema, { channel: 'call', at: 'yesterday' }, 'at: '],
    [ScheduleCallSchema, { at: 5 }, 'at: '],
    [CreateInquirySchema, { items: [] }, 'items: '],
    [CreateInquirySchema, { items: [{ product: 'P', quantity: -1 }] }, 'items[0].quantity: '],
    [CreateQuoteSchema, { lines: [{ product: 'P', quantity: 1, unitPrice: -1 }] }, 'lines[0].unitPrice: '],
    [CreateQuoteSchema, { lines: [{ product: 'P', quantity: 'x', unitPrice: 1 }] }, 'lines[0].quantity: must be a number'],
    [QualifySchema, { answers: { budget: [1] } }, 'answers.budget: '],
    [ProcessDefinitionSchema, { name: 'p', teams: [], quotePolicy: {}, extra: 1 }, 'teams: '],
  ])('%#: refuses with a person\'s wording', (schema, value, start) => {
    const err = refusedWith(schema as z.ZodType, value);
    expect(err.message).toContain(start);
    expect(err.message).not.toMatch(RAW_ZOD);
    expect(err.issues!.length).toBeGreaterThan(0);
    for (const issue of err.issues!) expect(issue.message).not.toMatch(RAW_ZOD);
  });

  it('words the common rules plainly', () => {
    const messages = (schema: z.ZodType, value: unknown) => refusedWith(schema, value).issues!.map((i) => i.message);
    expect(messages(z.object({ n: z.number().min(0) }), { n: -1 })).toEqual(['must be 0 or more']);
    expect(messages(z.object({ n: z.number().max(10) }), { n: 11 })).toEqual(['must be 10 or less']);
    expect(messages(z.object({ n: z.number().positive() }), { n: 0 })).toEqual(['must be more than 0']);
    expect(messages(z.object({ n: z.number().int() }), { n: 1.5 })).toEqual(['must be a whole number']);
    expect(messages(z.object({ s: z.string().min(1) }), { s: '' })).toEqual(['must not be empty']);
    expect(messages(z.object({ s: z.string().max(3) }), { s: 'abcd' })).toEqual(['must have at most 3 characters']);
    expect(messages(z.object({ s: z.string() }), {})).toEqual(['is required']);
    expect(messages(z.object({ e: z.email() }), { e: 'x' })).toEqual(['must be an email address']);
    expect(messages(z.object({ v: z.union([z.string(), z.number()]) }), { v: true })).toEqual(['must be text or a number']);
    expect(messages(z.object({ v: z.union([z.string(), z.number()]) }), {})).toEqual(['is required']);
    expect(messages(z.strictObject({}), { q: 1 })).toEqual(['unknown key q']);
  });

  it('a refusal that crossed the server as text gives back its fields', () => {
    const err = refusedWith(CreateQuoteSchema, { lines: [{ product: 'P', quantity: 1, unitPrice: -1 }], note: 5 });
    expect(issuesFromMessage(err.message)).toEqual(err.issues);
    expect(issuesFromMessage('cannot send revision 1: it is sent, not a draft')).toBeUndefined();
    // A field's message holding "; " stays whole (the web showed it cut at the semicolon).
    const future = (() => {
      try {
        checkContactTime('2026-12-01T10:00:00.000Z', '2026-11-25T10:00:00.000Z');
      } catch (e) {
        return e as DomainError;
      }
    })()!;
    expect(issuesFromMessage(future.message)).toEqual(future.issues);
    expect(future.issues![0]!.message).toMatch(/; at most 5 minutes of clock skew\)$/);
  });
});

describe('flagFor: a field path in the terms the person typed', () => {
  it('names the --price of the product whose line was refused', () => {
    const cmd = command('quote create');
    cmd.setOptionValue('price', ['PUMP-X=-5', 'VALVE=2']);
    cmd.setOptionValue('item', []);
    const input = { lines: [{ product: 'PUMP-X' }, { product: 'VALVE' }] };
    expect(flagFor(['lines', 0, 'unitPrice'], cmd, input)).toBe('--price PUMP-X');
    expect(flagFor(['lines', 1, 'discountPercent'], cmd, input)).toBe('--price VALVE');
  });

  it('names the --item occurrence when the lines were typed as items', () => {
    const cmd = command('quote change');
    cmd.setOptionValue('price', []);
    cmd.setOptionValue('item', ['A:1:10', 'B:0:10']);
    expect(flagFor(['lines', 1, 'quantity'], cmd)).toBe('--item B:0:10');
  });

  it('maps nested answers, camel-cased keys, arguments and repeatable key=value flags', () => {
    expect(flagFor(['answers', 'budget'], command('qualify'))).toBe('--budget');
    expect(flagFor(['validTo'], command('quote create'))).toBe('--valid-to');
    expect(flagFor(['at'], command('contact'))).toBe('--at');
    expect(flagFor(['id'], command('create'))).toBe('<id>');
    expect(flagFor(['fields', 'territory'], command('create'))).toBe('--field territory');
    expect(flagFor(['rep'], command('reassign'))).toBe('--rep');
    expect(flagFor(['teams', 0, 'name'], command('contact'))).toBeUndefined();
  });
});

describe('describeFailure: one line, exit code 1 for a refused input', () => {
  it('names flags for a domain refusal with field issues', () => {
    const cmd = command('inquiry create');
    cmd.setOptionValue('item', ['PUMP:-2']);
    const err = new DomainError('invalid inquiry: items[0].quantity: must be more than 0', [{ path: ['items', 0, 'quantity'], message: 'must be more than 0' }]);
    expect(describeFailure(err, cmd)).toEqual({ line: '--item PUMP:-2: must be more than 0', code: 1 });
  });

  it('keeps a rule message as written, and words commander errors like the rest', () => {
    expect(describeFailure(new DomainError('cannot send revision 1: it is sent, not a draft'), undefined)).toEqual({ line: 'cannot send revision 1: it is sent, not a draft', code: 1 });
    const choice = new CommanderError(1, 'commander.invalidArgument', "error: option '--channel <channel>' argument 'pigeon' is invalid. Allowed choices are visit, call.");
    expect(describeFailure(choice, undefined)).toEqual({ line: '--channel: "pigeon" is not one of visit, call', code: 1 });
    expect(describeFailure(new CommanderError(1, 'commander.missingMandatoryOptionValue', "error: required option '--name <name>' not specified"), undefined).line).toBe('--name is required');
    expect(describeFailure(new CommanderError(1, 'commander.missingArgument', "error: missing required argument 'id'"), undefined).line).toBe('<id> is required');
    expect(describeFailure(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'), undefined)).toEqual({ code: 0 });
  });

  it('prints exactly one line, prefixed', () => {
    expect(errorLine('first\n  second')).toBe('salesflow: first second\n');
  });
});
