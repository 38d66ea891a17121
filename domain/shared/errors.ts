import type { z } from 'zod';

/**
 * A command refused by the business rules (wrong stage, unknown item, ...). The message is
 * written for the person who issued the command; workflows turn it into an update
 * rejection and the CLI prints it as one line.
 */
export class DomainError extends Error {
  constructor(
    message: string,
    /**
     * When a schema refused the input: each bad field by its path in the input, so a
     * caller (the CLI) can name it in its own terms (`--price PUMP-X` for `lines[0].unitPrice`).
     */
    readonly issues?: readonly FieldIssue[],
    /** The refused input, for resolving those paths (which product is `lines[0]`). */
    public input?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export interface FieldIssue {
  path: readonly (string | number)[];
  message: string;
}

/** Joins a zod issue path as people write it: `items[2].quantity`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What a value of zod's type names is, for "must be a number". */
const TYPE_WORDS: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  date: 'a date',
};

const FORMAT_WORDS: Record<string, string> = {
  email: 'an email address',
  datetime: 'an ISO time such as 2026-12-15T17:00:00Z',
  date: 'a date such as 2026-12-15',
  url: 'a URL',
  regex: 'in the expected form',
};

/**
 * A person's wording for a zod issue. A schema's own message (`must be a lower-case id`)
 * is kept; zod's defaults ("Too small: expected number to be >=0", "Invalid input") are
 * rewritten from the issue's parameters, so no caller ever shows them.
 */
export function issueMessage(issue: z.core.$ZodIssue): string {
  if (!/^(Too (small|big)|Invalid|Unrecognized)\b/.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      if (/received undefined$/.test(issue.message)) return 'is required';
      return `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    case 'too_small': {
      const min = Number(issue.minimum);
      const bound = issue.inclusive === false ? 'more than' : 'at least';
      if (issue.origin === 'string') return min <= 1 ? 'must not be empty' : `must have ${bound} ${plural(min, 'character')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return min <= 1 ? 'needs at least one entry' : `needs ${bound} ${plural(min, 'entry')}`;
      return issue.inclusive === false ? `must be more than ${min}` : `must be ${min} or more`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      const bound = issue.inclusive === false ? 'fewer than' : 'at most';
      if (issue.origin === 'string') return `must have ${bound} ${plural(max, 'character')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `allows ${bound} ${plural(max, 'entry')}`;
      return issue.inclusive === false ? `must be less than ${max}` : `must be ${max} or less`;
    }
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${JSON.stringify(issue.values[0])}` : `must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'invalid_format':
      return `must be ${FORMAT_WORDS[issue.format] ?? `a valid ${issue.format}`}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'unrecognized_keys':
      return `unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.join(', ')}`;
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      if (options && options.length > 0) return `must be one of ${options.map((o) => String(o)).join(', ')}`;
      // Absent: every branch says so (a duration given as text or seconds, left out).
      if (issue.errors.length > 0 && issue.errors.every((branch) => branch.length === 1 && branch[0]!.code === 'invalid_type' && /received undefined$/.test(branch[0]!.message))) {
        return 'is required';
      }
      // `string | number`: every branch refused only the type.
      const types = issue.errors.map((branch) => (branch.length === 1 && branch[0]!.code === 'invalid_type' ? branch[0]!.expected : undefined));
      if (types.length > 0 && types.every((t) => t !== undefined)) return `must be ${types.map((t) => TYPE_WORDS[t!] ?? t).join(' or ')}`;
      return 'is not in any accepted form';
    }
    case 'invalid_key':
      return 'has an invalid key';
    case 'invalid_element':
      return 'has an invalid entry';
    default:
      return 'is not valid';
  }
}

/** One readable line per zod issue: `field: rule`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = formatPath(issue.path);
    return where === '' ? issueMessage(issue) : `${where}: ${issueMessage(issue)}`;
  });
}

/**
 * Parses with a schema and throws one DomainError naming every bad field, so every
 * boundary (CLI flag, workflow input, update) refuses bad input the same way.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({ path: i.path.filter((p): p is string | number => typeof p !== 'symbol'), message: issueMessage(i) }));
    throw new DomainError(`${INVALID} ${what}: ${describeIssues(result.error).join(ISSUE_SEPARATOR)}`, issues, value);
  }
  return result.data;
}

const INVALID = 'invalid';

/**
 * A business rule's refusal of one field, worded like a schema's (`invalid contact: at:
 * ... is in the future`), so every caller names the field the way it does for a schema
 * refusal: the CLI as the flag the person typed, the HTTP API as the field.
 */
export function fieldRefusal(what: string, path: readonly (string | number)[], message: string): DomainError {
  return new DomainError(`${INVALID} ${what}: ${formatPath(path)}: ${message}`, [{ path, message }]);
}
const ISSUE_SEPARATOR = '; ';

/**
 * The field issues inside a refusal's message, when it crossed a boundary as text (an
 * update validator's failure carries only its message). The inverse of parseOrThrow's
 * format; undefined when the message is not a schema refusal.
 */
export function issuesFromMessage(message: string): FieldIssue[] | undefined {
  const head = new RegExp(`^${INVALID} [^:]+: `).exec(message);
  if (!head) return undefined;
  const issues: FieldIssue[] = [];
  for (const part of message.slice(head[0].length).split(ISSUE_SEPARATOR)) {
    const m = /^([A-Za-z_$][\w$-]*(?:\.[\w$-]+|\[\d+\])*): (.+)$/.exec(part);
    const last = issues[issues.length - 1];
    // A part that names no field is the rest of the message before it, which held a "; "
    // ("... is in the future (rule: ... happened; at most 5 minutes of clock skew)").
    if (!m && last) issues[issues.length - 1] = { ...last, message: `${last.message}${ISSUE_SEPARATOR}${part}` };
    else issues.push(m ? { path: parsePath(m[1]!), message: m[2]! } : { path: [], message: part });
  }
  return issues;
}

/** `items[2].quantity` back to `['items', 2, 'quantity']`. */
export function parsePath(text: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of text.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}
