import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { replayOptions, quietRuntime } from '../helpers/temporal';

/**
 * Histories recorded from real runs (scripts/recordHistory.ts) must replay on today's
 * workflow code without nondeterminism. A change that breaks one needs `patched()`.
 */
quietRuntime();
const dir = join(__dirname, 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

test('there are committed histories to replay', () => {
  expect(files.length).toBeGreaterThanOrEqual(4);
});

test.each(files)('%s replays without nondeterminism', async (file) => {
  const history = historyFromJSON(JSON.parse(readFileSync(join(dir, file), 'utf8')));
  // A recorded run, not a stub: started, at least one workflow task, and what it did.
  expect(history.events?.length).toBeGreaterThanOrEqual(8);
  await Worker.runReplayHistory(replayOptions(), history, file.replace(/\.json$/, ''));
});
