import type { z } from 'zod';

/**
 * A command refused by the business rules (wrong stage, unknown item, ...). The message is
 * written for the person who issued the command; workflows turn it into an update
 * rejection and the CLI prints it as one line.
 */
export class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DomainError';
  }
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

/** zod's wording where a person's is clearer: a missing field "is required". */
export function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return 'is required';
  return issue.message;
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
    throw new DomainError(`invalid ${what}: ${describeIssues(result.error).join('; ')}`);
  }
  return result.data;
}
