import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { DomainError } from '../../domain/shared/errors';
import { formatProblem, parseYamlWithSchema, type FileCheck } from '../shared/definitionText';
import { ProcessDefinitionSchema, processFileProblems, type ProcessDefinition } from '../../domain/process/process';

/**
 * Reads and validates a YAML definition file (a process, a campaign): the value, or every
 * problem as `file:line: path: message`. An unreadable file is one DomainError.
 */
export function readDefinitionFile<S extends z.ZodType>(
  file: string,
  schema: S,
  what: string,
  check?: FileCheck,
): { ok: true; value: z.output<S> } | { ok: false; report: string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DomainError(`cannot read ${what} file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const parsed = parseYamlWithSchema(text, schema, check);
  return parsed.ok ? parsed : { ok: false, report: parsed.problems.map((p) => formatProblem(file, p)) };
}

/** Like readDefinitionFile, but every problem goes into one DomainError of one line. */
export function loadDefinitionFile<S extends z.ZodType>(file: string, schema: S, what: string, check?: FileCheck): z.output<S> {
  const result = readDefinitionFile(file, schema, what, check);
  if (!result.ok) throw new DomainError(`invalid ${what} file: ${result.report.join('; ')}`);
  return result.value;
}

/** A process file: the schema, and durations with their units. */
export function readProcessFile(file: string): ReturnType<typeof readDefinitionFile<typeof ProcessDefinitionSchema>> {
  return readDefinitionFile(file, ProcessDefinitionSchema, 'process', processFileProblems);
}

export function loadProcessFile(file: string): ProcessDefinition {
  return loadDefinitionFile(file, ProcessDefinitionSchema, 'process', processFileProblems);
}

/** A process file's text, for the server to check and report on line by line. */
export function readProcessText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new DomainError(`cannot read process file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
