import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { formatPath, issueMessage } from '../../domain/shared/errors';

/**
 * Definitions as people write them (YAML, or JSON, which is YAML), read from text so the CLI
 * (reading a file) and the server (reading an upload) report every problem with its line.
 */

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
  const lineOf = (path: readonly PropertyKey[]) => lineInDocument(doc, lineCounter, path);
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

/** The line of `path` in a parsed document: of the deepest node that exists (a missing key is reported on its parent). */
function lineInDocument(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return doc.contents && isNode(doc.contents) && doc.contents.range ? lineCounter.linePos(doc.contents.range[0]).line : undefined;
}

/**
 * The line of `path` in a YAML text, for a problem found after the schema passed: a
 * campaign's template against its CSV's columns.
 */
export function lineOfPath(text: string, path: readonly (string | number)[]): number | undefined {
  const lineCounter = new LineCounter();
  return lineInDocument(parseDocument(text, { lineCounter, prettyErrors: false }), lineCounter, path);
}

export function formatProblem(file: string, p: FileProblem): string {
  return `${file}:${p.line ?? '?'}: ${p.path}: ${p.message}`;
}

