import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every source file the README names is there: a file moved (domain/access.ts became
 * domain/accounts/access.ts) leaves the README pointing a reader nowhere. Built paths
 * (`dist/...`) and placeholders (`<area>`, `NAME.json`) are not source files and not matched.
 */
test('every repository file the README names exists', () => {
  const root = join(__dirname, '..', '..');
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const named = new Set<string>();
  for (const m of readme.matchAll(/(?<![\w./-])((?:domain|server|client|db|workflows|activities|scripts|worker|bench|test|web|examples|deploy|docs)\/[\w./-]+\.(?:ts|tsx|mts|yaml|yml|md|png|json))\b/g)) {
    if (!/\b[A-Z]+\.json$/.test(m[1]!)) named.add(m[1]!);
  }
  expect(named.size).toBeGreaterThan(50);
  expect([...named].filter((path) => !existsSync(join(root, path)))).toEqual([]);
});
