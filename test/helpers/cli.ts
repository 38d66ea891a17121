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
