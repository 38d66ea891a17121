import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserServer } from 'playwright-core';

/**
 * Chromium for the web tests, with nothing downloaded at run time: the system's `chromium`
 * when CHROMIUM_PATH or the PATH names one (faster to start), else the binary the
 * @sparticuz/chromium package ships in node_modules. One browser per jest run (globalSetup
 * launches it as a server; each test file connects over its WebSocket).
 */

function onPath(name: string): string | undefined {
  try {
    const found = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    return found && existsSync(found) ? found : undefined;
  } catch {
    return undefined;
  }
}

export async function chromiumLaunchOptions(): Promise<{ executablePath: string; args: string[] }> {
  const system = process.env.CHROMIUM_PATH || onPath('chromium') || onPath('chromium-browser');
  if (system) return { executablePath: system, args: ['--no-sandbox', '--disable-dev-shm-usage'] };
  const sparticuz = (await import('@sparticuz/chromium')).default;
  const executablePath = await sparticuz.executablePath();
  // Its args are tuned for AWS Lambda: a single process and no web security would change
  // what the pages under test are allowed to do, so those two are left out.
  const args = sparticuz.args.filter((a) => a !== '--single-process' && a !== '--disable-web-security' && !a.startsWith('--headless'));
  return { executablePath, args };
}

export async function launchBrowserServer(): Promise<BrowserServer> {
  const options = await chromiumLaunchOptions();
  // A binary unpacked a moment ago can still be busy being written (ETXTBSY): try again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await chromium.launchServer({ ...options, headless: true });
    } catch (err) {
      if (attempt >= 5 || !/ETXTBSY/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

/** The run's browser (see test/helpers/globalSetup.ts). */
export async function connectBrowser(): Promise<Browser> {
  const ws = process.env.SALESFLOW_TEST_BROWSER_WS;
  if (!ws) throw new Error('no browser: test/helpers/globalSetup.ts launches it (SALESFLOW_TEST_BROWSER_WS)');
  return chromium.connect(ws);
}

/** A browser of this file's own (a file run alone, without the run's shared one). */
export async function launchChromium(): Promise<Browser> {
  const options = await chromiumLaunchOptions();
  // A binary unpacked a moment ago (by another test file) can still be busy: try again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await chromium.launch({ ...options, headless: true });
    } catch (err) {
      if (attempt >= 5 || !/ETXTBSY/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

/** The run's shared browser when globalSetup launched one, else one for this file; close() it after (a shared one is only disconnected). */
export function useBrowser(): Promise<Browser> {
  return process.env.SALESFLOW_TEST_BROWSER_WS ? connectBrowser() : launchChromium();
}
