import { writeFileSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { loadTemporalSettings, temporalClient } from '../client/shared/temporalConnection';

/**
 * Saves a workflow's history as JSON for the replay tests:
 *   node dist/scripts/recordHistory.js prospect-acme test/replay/histories/prospect-won.json
 * Commit the file; `test/replay` then proves that today's workflow code still replays it.
 */
async function main(workflowId: string, out: string): Promise<void> {
  const config = loadTemporalSettings(process.env);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, ...config.temporalConnection });
  try {
    const client = temporalClient({ connection, namespace: config.TEMPORAL_NAMESPACE });
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    writeFileSync(out, historyToJSON(history) + '\n');
    console.log(`wrote ${history.events?.length ?? 0} events of ${workflowId} to ${out}`);
  } finally {
    await connection.close();
  }
}

const [workflowId, out] = process.argv.slice(2);
if (!workflowId || !out) {
  console.error('usage: node dist/scripts/recordHistory.js WORKFLOW_ID OUT.json');
  process.exit(2);
}
main(workflowId, out).catch((err) => {
  console.error(`recordHistory: ${(err as Error).message}`);
  process.exit(1);
});
