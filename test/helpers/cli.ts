import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestStack } from './temporal';

const exec = promisify(execFile);

/** The built `salesflow` bin (pretest builds it), as a user runs it. */
export const CLI = join(__dirname, '..', '..', 'dist', 'client', 'cli.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI against a test stack's server and task queue; never throws on a non-zero exit. */
export async function runCli(stack: Pick<TestStack, 'config' | 'taskQueue'>, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args], {
      env: { ...process.env, TEMPORAL_ADDRESS: stack.config.TEMPORAL_ADDRESS, SALESFLOW_TASK_QUEUE: stack.taskQueue, SALESFLOW_USER: 'cli-test', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * For a test file that drives the built bin: starts a worker on the shared dev server
 * before the file's tests, stops it after, and gives `salesflow(...args)` against it.
 */
export function useCliStack(): { salesflow(...args: string[]): Promise<CliResult>; stack(): TestStack } {
  let stack: (TestStack & { close(): Promise<void> }) | undefined;
  beforeAll(async () => {
    // Imported here, not at the top: the time-skipping helpers in that module are not needed by
    // files that only use runCli.
    const { startDevServerStack } = await import('./temporal');
    stack = await startDevServerStack();
  });
  afterAll(async () => {
    await stack?.close();
  });
  const current = (): TestStack => {
    if (!stack) throw new Error('useCliStack: the stack is not started yet (call salesflow inside a test)');
    return stack;
  };
  return { salesflow: (...args) => runCli(current(), args), stack: current };
}
