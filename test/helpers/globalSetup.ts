import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevServer, type TemporalDevServer } from '../../scripts/devStack';
import { ensureTemporalCli, ensureTestServer } from '../../scripts/temporalBinaries';
import { freePort } from '../../scripts/freePort';
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from '../../db/embedded';
import type { BrowserServer } from 'playwright-core';
import { launchBrowserServer } from './browser';
import { bundleWorkflows } from '../../worker/workflowBundle';

declare global {
  // eslint-disable-next-line no-var
  var __salesflowDevServer: TemporalDevServer | undefined;
  // eslint-disable-next-line no-var
  var __salesflowPostgres: EmbeddedPostgresServer | undefined;
  // eslint-disable-next-line no-var
  var __salesflowBrowser: BrowserServer | undefined;
}

/**
 * Once per jest run: find (or install) the Temporal binaries, bundle the workflows, and
 * start one dev server and one PostgreSQL that every integration test shares (each test file
 * takes its own database on it, see test/helpers/database.ts). Workers inherit the env vars.
 */
export default async function globalSetup(globalConfig?: Parameters<typeof runsWebTests>[0]): Promise<void> {
  const cli = ensureTemporalCli();
  process.env.TEMPORAL_TEST_SERVER_PATH = ensureTestServer();

  const dir = mkdtempSync(join(tmpdir(), 'salesflow-test-'));
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, await bundleWorkflows());
  process.env.SALESFLOW_TEST_BUNDLE = bundlePath;

  const port = await freePort();
  // The web tests also open the dev server's own Temporal UI (test/web/temporalUiCodec).
  const web = runsWebTests(globalConfig);
  const uiPort = web ? await freePort() : undefined;
  const server = await startDevServer({
    executable: cli,
    port,
    ...(uiPort ? { uiPort } : {}),
    extraArgs: ['--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF'],
  });
  globalThis.__salesflowDevServer = server;
  process.env.SALESFLOW_TEST_TEMPORAL_ADDRESS = server.address;
  if (uiPort) process.env.SALESFLOW_TEST_TEMPORAL_UI = `http://127.0.0.1:${uiPort}`;

  // The server runs as the `postgres` user when we are root; it must reach its folder.
  chmodSync(dir, 0o711);
  const postgres = await startEmbeddedPostgres({ dir: join(dir, 'postgres'), ephemeral: true });
  globalThis.__salesflowPostgres = postgres;
  process.env.SALESFLOW_TEST_DATABASE_URL = postgres.url;

  // One Chromium for the run's web tests (test/web), launched only when the run has some.
  if (web) {
    const browser = await launchBrowserServer();
    globalThis.__salesflowBrowser = browser;
    process.env.SALESFLOW_TEST_BROWSER_WS = browser.wsEndpoint();
  }
}

/** Whether the run's file selection can include test/web (a whole run, or a pattern naming web). */
function runsWebTests(globalConfig: { testPathPatterns?: { patterns?: string[] } | string[]; testPathPattern?: string } | undefined): boolean {
  const raw = globalConfig?.testPathPatterns;
  const patterns = Array.isArray(raw) ? raw : (raw?.patterns ?? (globalConfig?.testPathPattern ? [globalConfig.testPathPattern] : []));
  return patterns.length === 0 || patterns.some((p) => /web/.test(p));
}
