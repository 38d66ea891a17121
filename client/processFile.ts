import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import { DomainError, formatPath, issueMessage } from '../domain/errors';
import { ProcessDefinitionSchema, type ProcessDefinition } from '../domain/process';

export interface FileProblem {
  path: string;
  line?: number;
  message: string;
}

/** Reads a YAML (or JSON, which is YAML) document and validates it; every problem keeps its line. */
export function parseYamlWithSchema<S extends z.ZodType>(
  text: string,
  schema: S,
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
  const result = schema.safeParse(doc.toJS());
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => {
      // Point at the deepest node that exists: a missing key is reported on its parent.
      let line: number | undefined;
      for (let depth = issue.path.length; depth >= 0 && line === undefined; depth--) {
        const node = doc.getIn(issue.path.slice(0, depth) as unknown[], true);
        if (isNode(node) && node.range) line = lineCounter.linePos(node.range[0]).line;
      }
      if (line === undefined && doc.contents && isNode(doc.contents) && doc.contents.range) {
        line = lineCounter.linePos(doc.contents.range[0]).line;
      }
      return { path: formatPath(issue.path) || '(root)', line, message: issueMessage(issue) };
    })
      // In file order, as an editor shows them.
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
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
): { ok: true; value: z.output<S> } | { ok: false; report: string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DomainError(`cannot read ${what} file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const parsed = parseYamlWithSchema(text, schema);
  return parsed.ok ? parsed : { ok: false, report: parsed.problems.map((p) => formatProblem(file, p)) };
}

/** Like readDefinitionFile, but every problem goes into one DomainError of one line. */
export function loadDefinitionFile<S extends z.ZodType>(file: string, schema: S, what: string): z.output<S> {
  const result = readDefinitionFile(file, schema, what);
  if (!result.ok) throw new DomainError(`invalid ${what} file: ${result.report.join('; ')}`);
  return result.value;
}

export function loadProcessFile(file: string): ProcessDefinition {
  return loadDefinitionFile(file, ProcessDefinitionSchema, 'process');
}
