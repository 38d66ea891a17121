import { existsSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';

/**
 * How salesflow's workflows are bundled, in one place: the worker bundles with it, and so do
 * the tests, whose replay and integration runs must execute what production executes.
 *
 * The SDK evaluates a workflow's modules again for every new workflow, so that no state leaks
 * between them. The domain's modules hold no workflow state (pure functions, constants, zod
 * schemas, and caches of Intl formatters whose output depends only on their key), so they are
 * preloaded: evaluated once per worker and shared. Measured on a replayed won prospect, that
 * halves the workflow CPU of a new prospect, and a cached workflow no longer holds its own
 * copy of every schema. zod is preloaded with them (it would be anyway, as their import).
 * Exported schemas go through domain/shared/shareable.ts to survive the SDK's freezing of
 * preloaded modules.
 */
export function workflowBundleOptions(): { workflowsPath: string; preloadModules: string[] } {
  return {
    workflowsPath: require.resolve('../workflows'),
    preloadModules: ['zod', ...domainModules(join(__dirname, '..', 'domain'))],
  };
}

/**
 * The workflows bundled with those options (`npm run build`, the tests), with any workflow
 * interceptor modules a worker needs besides (tracing's). Webpack's warnings and errors are
 * shown, its progress is not.
 */
export async function bundleWorkflows(workflowInterceptorModules: string[] = []): Promise<string> {
  const logger = {
    log: () => undefined,
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: (message: string) => console.warn(message),
    error: (message: string) => console.error(message),
  };
  const { code } = await bundleWorkflowCode({ ...workflowBundleOptions(), workflowInterceptorModules, logger });
  return code;
}

/** Every module of the domain layer, as source (ts-jest, ts-node) or as built (dist), whichever this file is. */
function domainModules(dir: string): string[] {
  const ext = extname(__filename);
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(ext) && !entry.name.endsWith(`.d${ext}`))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/**
 * Where `npm run build` writes the bundle (scripts/bundleWorkflows.ts): dist/workflow-bundle.js,
 * beside the code it was built from. From the sources (tests) the path does not exist.
 */
export const PREBUILT_BUNDLE_PATH = join(__dirname, '..', 'workflow-bundle.js');

/**
 * What a worker runs: the bundle `npm run build` wrote, when there is one and `prebuilt`
 * allows it, else the workflows bundled at start with the same options. A traced worker
 * bundles at start, as its bundle must hold tracing's workflow interceptors too.
 */
export function workerWorkflowCode(options: { prebuilt: boolean }): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'bundlerOptions'> {
  if (options.prebuilt && existsSync(PREBUILT_BUNDLE_PATH)) return { workflowBundle: { codePath: PREBUILT_BUNDLE_PATH } };
  const { workflowsPath, preloadModules } = workflowBundleOptions();
  return { workflowsPath, bundlerOptions: { preloadModules } };
}
