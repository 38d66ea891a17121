import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import { DomainError, formatPath, issueMessage } from '../../domain/shared/errors';
import { ProcessDefinitionSchema, bareDurationNumbers, type ProcessDefinition } from '../../domain/process/process';

export interface FileProblem {
  path: string;
  line?: number;
  message: string;
}

/** A check a file must pass besides its schema (rules for what people write, not what programs pass). */
export type FileCheck = (raw: unknown) => { path: (string | number)[]; message: string }[];

/** Reads a YAML (or JSON, which is YAML) document and validates it; every problem keeps its line. */
export function parseYamlWithSchema<S extends z.ZodType>(
  text: string,
  schema: S,
  check?: FileCheck,
): { ok: true; value: z.output<S> } | { ok: false; problems: FileProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        path: '(file)',
        line: lineCounter.linePos(e.pos[0]).line,
        message: e.message.split('\n')[0] ?? e.message,
      })),
    };
  }
  // Point at the deepest node that exists: a missing key is reported on its parent.
  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    let line: number | undefined;
    for (let depth = path.length; depth >= 0 && line === undefined; depth--) {
      const node = doc.getIn(path.slice(0, depth) as unknown[], true);
      if (isNode(node) && node.range) line = lineCounter.linePos(node.range[0]).line;
    }
    if (line === undefined && doc.contents && isNode(doc.contents) && doc.contents.range) {
      line = lineCounter.linePos(doc.contents.range[0]).line;
    }
    return line;
  };
  const raw = doc.toJS();
  const extra = (check?.(raw) ?? []).map((p) => ({ path: formatPath(p.path) || '(root)', line: lineOf(p.path), message: p.message }));
  const result = schema.safeParse(raw);
  if (result.success && extra.length === 0) return { ok: true, value: result.data };
  const issues = result.success ? [] : result.error.issues.map((issue) => ({ path: formatPath(issue.path) || '(root)', line: lineOf(issue.path), message: issueMessage(issue) }));
  return {
    ok: false,
    // In file order, as an editor shows them.
    problems: [...extra, ...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
  };
}

export function formatProblem(file: string, p: FileProblem): string {
  return `${file}:${p.line ?? '?'}: ${p.path}: ${p.message}`;
}

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
  return readDefinitionFile(file, ProcessDefinitionSchema, 'process', bareDurationNumbers);
}

export function loadProcessFile(file: string): ProcessDefinition {
  return loadDefinitionFile(file, ProcessDefinitionSchema, 'process', bareDurationNumbers);
}
