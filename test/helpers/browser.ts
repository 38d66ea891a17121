import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/**
 * A real Chromium for page tests (the quotation page), driven by playwright-core: the
 * system's when CHROMIUM_PATH or the PATH names one (faster to start), else the binary the
 * @sparticuz/chromium package unpacks. Same shape as the web app's harness on the `web`
 * branch (chromiumLaunchOptions), so the two fold into one; this one launches per file.
 */

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export async function chromiumLaunchOptions(): Promise<{ executablePath: string; args: string[] }> {
  const system = process.env.CHROMIUM_PATH || onPath('chromium') || onPath('chromium-browser');
  if (system) return { executablePath: system, args: ['--no-sandbox', '--disable-dev-shm-usage'] };
  const sparticuz = (await import('@sparticuz/chromium')).default;
  // Its Lambda tuning (one process, no web security) would change what pages may do: left out.
  const args = sparticuz.args.filter((a) => a !== '--single-process' && a !== '--disable-web-security' && !a.startsWith('--headless'));
  return { executablePath: await sparticuz.executablePath(), args };
}

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
