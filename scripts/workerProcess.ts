import type { ChildProcess } from 'node:child_process';

/**
 * Resolves, with what it printed, once a worker process (`node dist/worker/main.js`) says it
 * polls its task queue (worker/main.ts prints that banner, its `workflows` line included, in
 * one write); rejects if the process exits first. The tests and the scale bench start
 * workers as their own processes.
 */
export function untilPolling(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer | string) => {
      seen += chunk.toString();
      if (seen.includes('worker polling') && seen.includes('workflows')) resolve(seen);
    });
    child.once('exit', (code) => reject(new Error(`the worker process exited (${code}) before polling: ${seen}`)));
  });
}
