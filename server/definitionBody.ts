import { z } from 'zod';
import { lineOfPath, parseYamlWithSchema, type FileCheck } from '../client/shared/definitionText';
import { DomainError, formatPath, parsePath } from '../domain/shared/errors';
import { HttpProblem } from './problem';

/**
 * A definition (a process, a campaign) in a request body: either the file's text as written
 * (`yaml`, so every problem comes back with its line) or the same document as JSON
 * (`definition`). Exactly one of the two.
 */
export const DefinitionFields = {
  /** The document as JSON (what the YAML file holds). */
  definition: z.record(z.string(), z.unknown()).optional(),
  /** The file's text (YAML, or JSON), as written: problems are reported with their lines. */
  yaml: z.string().min(1).max(512 * 1024).optional(),
};

export function readDefinition<S extends z.ZodType>(body: { definition?: Record<string, unknown>; yaml?: string }, schema: S, what: string, check?: FileCheck): z.output<S> {
  if ((body.definition === undefined) === (body.yaml === undefined)) {
    throw new HttpProblem(400, 'invalid-request', 'Invalid request', `send the ${what} either as yaml (the file's text) or as definition (JSON), not both or neither`, [
      { path: ['yaml'], message: 'send yaml or definition' },
    ]);
  }
  const text = body.yaml ?? JSON.stringify(body.definition);
  const parsed = parseYamlWithSchema(text, schema, check);
  if (parsed.ok) return parsed.value;
  throw definitionRefusal(
    what,
    parsed.problems.map((p) => ({ path: p.path === '(root)' || p.path === '(file)' ? [] : parsePath(p.path), message: p.message, ...(body.yaml !== undefined && p.line !== undefined ? { line: p.line } : {}) })),
  );
}

/** A definition's problems as the 422 every definition route answers: each at its line, when the YAML was sent. */
function definitionRefusal(what: string, issues: { path: (string | number)[]; message: string; line?: number }[]): HttpProblem {
  const lines = issues.map((i) => `${i.line !== undefined ? `line ${i.line}: ` : ''}${formatPath(i.path) || '(file)'}: ${i.message}`);
  return new HttpProblem(422, 'invalid-definition', `Invalid ${what}`, `invalid ${what}: ${lines.join('; ')}`, issues);
}

/**
 * A refusal found after the schema passed (a campaign's template naming a column its CSV lacks)
 * as the same 422, each problem at its line of the YAML sent; other errors pass unchanged.
 */
export function atDefinitionLines<T>(body: { yaml?: string }, what: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (!(err instanceof DomainError) || !err.issues?.length || body.yaml === undefined) throw err;
    const yaml = body.yaml;
    throw definitionRefusal(
      what,
      err.issues.map((i) => {
        const line = lineOfPath(yaml, i.path);
        return { path: [...i.path], message: i.message, ...(line !== undefined ? { line } : {}) };
      }),
    );
  }
}
