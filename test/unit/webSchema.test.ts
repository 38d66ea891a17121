import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The web app's API types (web/src/api/schema.d.ts) are what the server's OpenAPI document
 * says now: a route or schema change without `npm run web:schema` fails here. Runs the
 * built script (npm test builds first), as CI would.
 */
test('web/src/api/schema.d.ts matches the server’s OpenAPI document', () => {
  const script = join(__dirname, '..', '..', 'dist', 'scripts', 'webSchema.js');
  const out = execFileSync(process.execPath, [script, '--check'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  expect(out).toMatch(/matches the server/);
});
