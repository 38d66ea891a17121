import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startDevServer, type TemporalDevServer } from '../../scripts/devStack';
import { ensureTemporalCli, ensureTestServer } from '../../scripts/temporalBinaries';
import { freePort } from '../../scripts/freePort';

declare global {
  // eslint-disable-next-line no-var
  var __salesflowDevServer: TemporalDevServer | undefined;
}

/**
 * Once per jest run: find (or install) the Temporal binaries, bundle the workflows, and
 * start one dev server that every integration test shares. Workers inherit the env vars.
 */
export default async function globalSetup(): Promise<void> {
  const cli = ensureTemporalCli();
  process.env.TEMPORAL_TEST_SERVER_PATH = ensureTestServer();

  const dir = mkdtempSync(join(tmpdir(), 'salesflow-test-'));
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.env.SALESFLOW_TEST_BUNDLE = bundlePath;

  const port = await freePort();
  const server = await startDevServer({
    executable: cli,
    port,
    extraArgs: ['--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF'],
  });
  globalThis.__salesflowDevServer = server;
  process.env.SALESFLOW_TEST_TEMPORAL_ADDRESS = server.address;
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
