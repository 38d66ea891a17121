import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The web app reads the prospect and the customer as the domain's own types (type-only
 * imports in web/src/api/views.ts), and Vite's build strips types without checking them: so
 * the suite type-checks the web app, and a domain change the pages do not follow fails here.
 */
test('the web app type-checks against the domain and the generated API schema', () => {
  const root = join(__dirname, '..', '..');
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', join(root, 'web', 'tsconfig.json')], { encoding: 'utf8' });
  expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
  expect(tsc.status).toBe(0);
}, 120_000);
