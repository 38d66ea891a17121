import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { decompressPayload } from '../../client/shared/payloadCompression';
import { PROSPECT_GENERATION } from '../../workflows/pipeline/contract';
import { replayOptions, quietRuntime } from '../helpers/temporal';

/**
 * A start of the current generation that a worker from before generations ran (the API
 * upgraded before the workers): that worker knew nothing of `generation`, recorded the
 * 'lean-history-5' marker and ran the run as its own code did (the deadline timer restarted
 * at every wake, as before generation 7). Today's code must find the marker on replay and go
 * on as that run began, or the history fails as nondeterministic. prospect-won-lean5.json is
 * such a run; here its start input is given the current generation.
 */
quietRuntime();

test('a current-generation start whose first task a pre-generation worker ran (marker recorded) replays on today’s code', async () => {
  const json = JSON.parse(readFileSync(join(__dirname, 'histories', 'prospect-won-lean5.json'), 'utf8'));
  const history = historyFromJSON(json);
  const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
  const input = defaultPayloadConverter.fromPayload<Record<string, unknown>>(decompressPayload(started.input!.payloads![0]!));
  expect(input.generation).toBeUndefined();
  started.input!.payloads![0] = defaultPayloadConverter.toPayload({ ...input, generation: PROSPECT_GENERATION });
  // The marker the old worker recorded is there to be read.
  const markers = history.events!.filter((e) => e.markerRecordedEventAttributes);
  expect(markers).toHaveLength(1);
  await Worker.runReplayHistory(replayOptions(), history, 'prospect-won-lean5-as-generation-6');
});
