import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PREBUILT_BUNDLE_PATH, workflowBundleOptions } from '../worker/workflowBundle';

/**
 * Part of `npm run build`: bundles the workflows once, next to the compiled code, so a worker
 * starts without running webpack (seconds at each start and restart, and memory the process
 * keeps afterwards). A worker without the file, or with tracing on, bundles at start instead.
 */
async function main(): Promise<void> {
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const { code } = await bundleWorkflowCode({ ...workflowBundleOptions(), logger: quiet });
  writeFileSync(PREBUILT_BUNDLE_PATH, code);
}

main().catch((err) => {
  console.error(`bundling the workflows failed: ${(err as Error).message}`);
  process.exit(1);
});
