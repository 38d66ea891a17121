import { isNode, LineCounter, parseDocument } from 'yaml';

/**
 * A definition file as the user wrote it: its value for the API, and the line of any field
 * path the server names in a refusal (`teams[0].reps[1].email` → the line of that key), so
 * each problem is shown at its line of the file.
 */

export interface LineProblem {
  path: string;
  line?: number;
  message: string;
}

export interface ParsedYaml {
  value: unknown;
  /** YAML syntax errors (then `value` is unusable). */
  syntax: LineProblem[];
  lineOf(field: string): number | undefined;
}

export function pathOf(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

export function parseYamlText(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntax = doc.errors.map((e) => ({ path: '(file)', line: lineCounter.linePos(e.pos[0]).line, message: e.message.split('\n')[0] ?? e.message }));
  const lineOf = (field: string) => {
    const path = pathOf(field);
    // The deepest node that exists: a missing key is shown at its parent.
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) {
        // A key's line, not its value's (a nested map starts on the next line).
        if (depth > 0) {
          const parent = depth === 1 ? doc.contents : doc.getIn(path.slice(0, depth - 1), true);
          const pair = isNode(parent) && 'items' in parent ? (parent.items as { key?: unknown; value?: unknown }[]).find((i) => i.value === node) : undefined;
          const key = pair?.key;
          if (isNode(key) && key.range) return lineCounter.linePos(key.range[0]).line;
        }
        return lineCounter.linePos(node.range[0]).line;
      }
    }
    return undefined;
  };
  return { value: syntax.length ? undefined : doc.toJS(), syntax, lineOf };
}
