import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createApiToken, createUser } from '../../db/accounts';
import type { Role } from '../../domain/accounts/accounts';
import type { TestDatabase } from './database';
import type { ServerHarness } from './server';
import type { TestStack } from './temporal';

const exec = promisify(execFile);

/** The built `salesflow` bin (pretest builds it), as a user runs it. */
export const CLI = join(__dirname, '..', '..', 'dist', 'client', 'cli.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A salesflow server and who the CLI acts as on it (an API token, as `salesflow login` stores one). */
export interface CliTarget {
  url: string;
  token: string;
  login: string;
  /** The CLI's config folder for this target: never the tester's own ~/.config. */
  configDir: string;
}

/** Runs the built CLI against a server as the target's user; never throws on a non-zero exit. */
export async function runCli(target: CliTarget, args: string[], env: NodeJS.ProcessEnv = {}, stdin?: string): Promise<CliResult> {
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, SALESFLOW_URL: target.url, SALESFLOW_TOKEN: target.token, SALESFLOW_CONFIG_DIR: target.configDir, ...env };
  for (const [k, v] of Object.entries(fullEnv)) if (v === undefined) delete fullEnv[k];
  try {
    const child = exec(process.execPath, [CLI, ...args], { env: fullEnv });
    child.child.stdin?.end(stdin ?? '');
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** An account on the server's database with an API token, as an admin would create one. */
export async function cliTarget(server: { url: string; database: TestDatabase }, login = 'cli-test', role: Role = 'admin', extra: { personId?: string; team?: string } = {}): Promise<CliTarget> {
  const user = await createUser(server.database.db, { login, role, password: 'cli test password 123', ...extra });
  const { token } = await createApiToken(server.database.db, user.id, { name: `test ${login}`, role });
  return { url: server.url, token, login, configDir: mkdtempSync(join(tmpdir(), 'salesflow-cli-config-')) };
}

/**
 * For a test file that drives the built bin: starts a worker on the shared dev server and the
 * salesflow server over it before the file's tests, stops them after, and gives
 * `salesflow(...args)` as an admin `cli-test` (whose login every command records as `by`).
 */
export function useCliStack(): { salesflow(...args: string[]): Promise<CliResult>; stack(): TestStack; harness(): ServerHarness; target(): CliTarget } {
  let harness: ServerHarness | undefined;
  let target: CliTarget | undefined;
  beforeAll(async () => {
    // Imported here, not at the top: files that only use runCli need no server module.
    const { startServer } = await import('./server');
    harness = await startServer();
    target = await cliTarget(harness);
  });
  afterAll(async () => {
    await harness?.close();
  });
  const current = (): ServerHarness => {
    if (!harness) throw new Error('useCliStack: the stack is not started yet (call salesflow inside a test)');
    return harness;
  };
  return {
    salesflow: (...args) => runCli(target!, args),
    stack: () => current().stack,
    harness: current,
    target: () => {
      current();
      return target!;
    },
  };
}
