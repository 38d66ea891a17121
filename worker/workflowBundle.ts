import { readdirSync } from 'node:fs';
import { extname, join } from 'node:path';

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

/** Every module of the domain layer, as source (ts-jest, ts-node) or as built (dist), whichever this file is. */
function domainModules(dir: string): string[] {
  const ext = extname(__filename);
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(ext) && !entry.name.endsWith(`.d${ext}`))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}
