import { z } from 'zod';
import { parseYamlWithSchema, type FileCheck } from '../client/shared/definitionText';
import { parsePath } from '../domain/shared/errors';
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
  const issues = parsed.problems.map((p) => ({ path: p.path === '(root)' || p.path === '(file)' ? [] : parsePath(p.path), message: p.message, ...(body.yaml !== undefined && p.line !== undefined ? { line: p.line } : {}) }));
  const lines = parsed.problems.map((p) => `${body.yaml !== undefined && p.line !== undefined ? `line ${p.line}: ` : ''}${p.path}: ${p.message}`);
  throw new HttpProblem(422, 'invalid-definition', `Invalid ${what}`, `invalid ${what}: ${lines.join('; ')}`, issues);
}
