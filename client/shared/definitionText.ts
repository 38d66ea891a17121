import { LineCounter, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml';
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
  const issues = result.success
    ? []
    : result.error.issues.flatMap((issue) => {
        // An unknown key is named itself, at its own line, with the keys allowed there (as a
        // process file's unknown setting is): zod reports it on the parent mapping, whose
        // first line is not where the misspelt key stands.
        if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => unknownKeyProblem(doc, lineCounter, schema, issue.path, key));
        return [{ path: formatPath(issue.path) || '(root)', line: lineOf(issue.path), message: issueMessage(issue) }];
      });
  return {
    ok: false,
    // In file order, as an editor shows them.
    problems: [...extra, ...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
  };
}

/** An unknown key: its path, the line of the key itself, and what the mapping it stands in takes. */
function unknownKeyProblem(doc: Document, lineCounter: LineCounter, schema: z.ZodType, parent: readonly PropertyKey[], key: string): FileProblem {
  const allowed = allowedKeys(schema, parent);
  const where = parent.length === 0 ? 'keys at the top of the file' : `keys of ${formatPath(parent)}`;
  const list = allowed === undefined ? '' : allowed.oneOf ? ` (${formatPath(parent)} takes one of: ${allowed.keys.join(', ')})` : ` (${where}: ${allowed.keys.join(', ')})`;
  const map = doc.getIn(parent as unknown[], true);
  const pair = isMap(map) ? map.items.find((p) => isScalar(p.key) && p.key.value === key) : undefined;
  const keyNode = pair && isNode(pair.key) ? pair.key : undefined;
  const line = keyNode?.range ? lineCounter.linePos(keyNode.range[0]).line : lineInDocument(doc, lineCounter, parent);
  return { path: formatPath([...parent, key]), line, message: `unknown key${list}` };
}

/**
 * The keys a mapping at `path` of a schema takes (zod's unknown-key issue does not say): an
 * object's shape, or, for a union of objects (a campaign's audience), each branch's keys, of
 * which one is given. Wrappers (optional, default, pipe, lazy) are looked through.
 */
function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[]): { keys: string[]; oneOf: boolean } | undefined {
  const at = (s: unknown, rest: readonly PropertyKey[]): unknown[] => {
    const def = (s as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (!def) return [];
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'readonly':
      case 'catch':
      case 'nonoptional':
        return at(def.innerType, rest);
      case 'pipe':
        return at(def.in, rest);
      case 'lazy':
        return at((def.getter as () => unknown)(), rest);
      case 'union':
        return (def.options as unknown[]).flatMap((o) => at(o, rest));
      default:
        break;
    }
    if (rest.length === 0) return [s];
    const [head, ...tail] = rest;
    if (def.type === 'object') {
      const shape = def.shape as Record<string, unknown>;
      return typeof head === 'string' && head in shape ? at(shape[head], tail) : [];
    }
    if (def.type === 'array' && typeof head === 'number') return at(def.element, tail);
    if (def.type === 'record') return at(def.valueType, tail);
    return [];
  };
  const found = at(schema, path) as { _zod: { def: { type: string; shape?: object; keyType?: { _zod: { def: { type: string; entries?: Record<string, string> } } } } } }[];
  // A mapping keyed by a list of names (a process's tasks by stage).
  const named = found.find((s) => s._zod.def.type === 'record' && s._zod.def.keyType?._zod.def.type === 'enum');
  if (named) return { keys: Object.values(named._zod.def.keyType!._zod.def.entries ?? {}), oneOf: false };
  const objects = found.filter((s) => s._zod.def.type === 'object');
  if (objects.length === 0) return undefined;
  const keys = [...new Set(objects.flatMap((o) => Object.keys(o._zod.def.shape ?? {})))];
  return { keys, oneOf: objects.length > 1 };
}

/**
 * The line of `path` in a parsed document: of the deepest node that exists. A missing key is
 * reported on its parent's own key (`quotePolicy:`), not on the parent's first entry below it.
 */
function lineInDocument(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true);
    if (!isNode(node) || !node.range) continue;
    const key = path[depth - 1];
    if (depth < path.length && typeof key === 'string') {
      const holder = doc.getIn(path.slice(0, depth - 1) as unknown[], true);
      const pair = isMap(holder) ? holder.items.find((p) => isScalar(p.key) && p.key.value === key) : undefined;
      if (pair && isScalar(pair.key) && pair.key.range) return lineCounter.linePos(pair.key.range[0]).line;
    }
    return lineCounter.linePos(node.range[0]).line;
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

