import { writeFileSync } from 'node:fs';
import { PREBUILT_BUNDLE_PATH, bundleWorkflows } from '../worker/workflowBundle';

/**
 * Part of `npm run build`: bundles the workflows once, next to the compiled code, so a worker
 * starts without running webpack (seconds at each start and restart, and memory the process
 * keeps afterwards). A worker without the file, or with tracing on, bundles at start instead.
 */
async function main(): Promise<void> {
  writeFileSync(PREBUILT_BUNDLE_PATH, await bundleWorkflows());
}

main().catch((err) => {
  console.error(`bundling the workflows failed: ${(err as Error).message}`);
  process.exit(1);
});
