import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The Dockerfile installs with `npm ci`, which refuses a package-lock.json out of step with
 * package.json (here once: @swc/core's optional per-platform packages missing from the lock,
 * so `docker compose up --build` failed while `npm install` quietly repaired the lock and
 * went on). npm checks that without the network: a dry run, offline, on an empty cache.
 */

const ROOT = join(__dirname, '..', '..');

/** What `npm ci` says of this package.json and lock, or undefined when it would install. */
function ciRefusal(packageJson: string, lock: string): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'salesflow-lock-'));
  try {
    writeFileSync(join(dir, 'package.json'), packageJson);
    writeFileSync(join(dir, 'package-lock.json'), lock);
    execFileSync('npm', ['ci', '--dry-run', '--ignore-scripts', '--offline', '--no-audit', '--no-fund', '--cache', join(dir, '.cache')], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    return undefined;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return `${e.stderr ?? ''}${e.stdout ?? ''}` || e.message;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The committed version of a file, or undefined outside a git checkout. */
function committed(file: string): string | undefined {
  try {
    return execFileSync('git', ['show', `HEAD:${file}`], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return undefined;
  }
}

test('package-lock.json is in step with package.json, as `npm ci` in the Dockerfile needs', () => {
  const here = ciRefusal(readFileSync(join(ROOT, 'package.json'), 'utf8'), readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  if (here) throw new Error(`npm ci refuses this package-lock.json: run \`npm install\`\n${here}`);
  // A clean clone runs `npm install` before the tests, which repairs the working copy: the
  // committed lock is what `docker build` gets.
  const [pkg, lock] = [committed('package.json'), committed('package-lock.json')];
  if (pkg === undefined || lock === undefined) return;
  const head = ciRefusal(pkg, lock);
  if (head) throw new Error(`npm ci refuses the committed package-lock.json (npm install repaired the working copy: commit it)\n${head}`);
});
