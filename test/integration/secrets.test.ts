import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * No default secrets in production: the worker and the api (as `npm run worker` and
 * `npm run api` start them) refuse the built-in unsubscribe secret unless they are the
 * local development stack, and say what to set. They refuse before connecting anywhere.
 */

const exec = promisify(execFile);
const DIST = join(__dirname, '..', '..', 'dist');

async function run(script: string, env: NodeJS.ProcessEnv, timeout = 20_000): Promise<{ code: number | null; stderr: string }> {
  const base = { ...process.env };
  delete base.SALESFLOW_UNSUBSCRIBE_SECRET;
  delete base.SALESFLOW_DEV_STACK;
  try {
    // Nothing listens on port 9: a process that got past the check would fail differently.
    // (The api's database too, so it never starts an embedded PostgreSQL here.)
    await exec(process.execPath, [join(DIST, script)], {
      env: { ...base, TEMPORAL_ADDRESS: '127.0.0.1:9', DATABASE_URL: 'postgres://salesflow:x@127.0.0.1:9/salesflow', ...env },
      timeout,
      killSignal: 'SIGKILL',
    });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

const REFUSAL = 'SALESFLOW_UNSUBSCRIBE_SECRET is the built-in development value: set your own (at least 16 characters, the same for workers and the api), or SALESFLOW_DEV_STACK=1 on a laptop\n';

test.each([
  ['worker', 'worker/main.js', 'salesflow worker: '],
  ['api', 'server/main.js', 'salesflow api: '],
])('the %s refuses to start with the built-in unsubscribe secret outside the dev stack', async (_name, script, prefix) => {
  expect(await run(script, {})).toEqual({ code: 1, stderr: `${prefix}${REFUSAL}` });
  expect(await run(script, { SALESFLOW_UNSUBSCRIBE_SECRET: 'salesflow-local-dev-secret-change-me' })).toEqual({ code: 1, stderr: `${prefix}${REFUSAL}` });
  // With a secret of its own, or as the dev stack, it gets past the check (and then
  // tries to reach Temporal on port 9, where nothing answers; we stop it there).
  for (const env of [{ SALESFLOW_UNSUBSCRIBE_SECRET: 'a-deployment-secret-of-its-own' }, { SALESFLOW_DEV_STACK: '1' }]) {
    const other = await run(script, env, 3_000);
    expect(other.code).not.toBe(0);
    expect(other.stderr).not.toContain('SALESFLOW_UNSUBSCRIBE_SECRET');
  }
});
