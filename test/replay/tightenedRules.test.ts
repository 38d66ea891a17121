import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { newProspect, runCommand, type CommandName } from '../../domain/pipeline/lifecycle';
import type { ProspectState } from '../../domain/pipeline/prospect';
import { replayOptions, quietRuntime } from '../helpers/temporal';

/**
 * Input rules were tightened after these histories were recorded. prospect-won.json carries
 * prices as numbers; prospect-old-rules.json is the same run with commands today's rules
 * refuse written into its recorded updates (a contact logged in the future with a bell in
 * its note, a wanted delivery date in the past). Validators do not run on replay; the
 * handlers apply recorded rules, so both replay as they ran.
 */
quietRuntime();

interface RecordedUpdate {
  name: CommandName;
  args: unknown;
  at: string;
}

function recordedUpdates(file: string): { start: { info: unknown; process: unknown }; startedAt: string; updates: RecordedUpdate[] } {
  const json = JSON.parse(readFileSync(join(__dirname, 'histories', file), 'utf8'));
  const decode = (payload: { data: string }) => JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8'));
  const started = json.events[0];
  const updates = (json.events as { eventType: string; eventTime: string; workflowExecutionUpdateAcceptedEventAttributes?: { acceptedRequest: { input: { name: string; args: { payloads: { data: string }[] } } } } }[])
    .filter((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED')
    .map((e) => {
      const input = e.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest.input;
      return { name: input.name as CommandName, args: decode(input.args.payloads[0]!), at: new Date(Date.parse(e.eventTime)).toISOString() };
    });
  return { start: decode(started.workflowExecutionStartedEventAttributes.input.payloads[0]), startedAt: new Date(Date.parse(started.eventTime)).toISOString(), updates };
}

/** Each recorded update, and what today's rules (an update validator now) say about it. */
function refusalsToday(file: string): { name: string; refusal?: string }[] {
  const { start, startedAt, updates } = recordedUpdates(file);
  let state: ProspectState = newProspect(start.info as never, start.process as never, startedAt);
  return updates.map((u) => {
    let refusal: string | undefined;
    try {
      runCommand(u.name, state, u.args, u.at, 'current');
    } catch (err) {
      refusal = (err as Error).message;
    }
    // What the workflow's handler does: apply under recorded rules, which never throws here.
    state = runCommand(u.name, state, u.args, u.at, 'recorded');
    return { name: u.name, refusal };
  });
}

async function replay(file: string): Promise<void> {
  const history = historyFromJSON(JSON.parse(readFileSync(join(__dirname, 'histories', file), 'utf8')));
  await Worker.runReplayHistory(replayOptions(), history, file.replace(/\.json$/, ''));
}

test('prospect-won.json: prices recorded as numbers are refused today, and the history replays', async () => {
  const refused = refusalsToday('prospect-won.json').filter((u) => u.refusal);
  expect(refused.map((u) => u.name)).toEqual(['createQuote', 'changeQuote', 'changeQuote']);
  expect(refused[0]?.refusal).toMatch(/lines\[0\]\.unitPrice: must be decimal text such as "1999\.90", not the number 12\.5/);
  await replay('prospect-won.json');
});

test('prospect-old-rules.json: a future contact, a control character and a past delivery date replay as recorded', async () => {
  const refused = refusalsToday('prospect-old-rules.json').filter((u) => u.refusal);
  expect(refused.map((u) => [u.name, u.refusal])).toEqual([
    ['logContact', 'invalid contact: note: must not contain control characters other than tab and newline (found U+0007)'],
    ['createInquiry', expect.stringMatching(/^invalid inquiry: items\[0\]\.wantedDeliveryDate: 2026-11-01 \(WIDGET\) is in the past \(rule: /)],
    ['createQuote', expect.stringMatching(/must be decimal text/)],
    ['changeQuote', expect.stringMatching(/must be decimal text/)],
    ['changeQuote', expect.stringMatching(/must be decimal text/)],
  ]);
  await replay('prospect-old-rules.json');
});
