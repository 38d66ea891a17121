import {
  ActivityCancellationType,
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { normalizeEmail } from '../../domain/shared/email';
import {
  CAMPAIGN_COMMANDS,
  applyBatch,
  audienceResolved,
  earliestSendTime,
  isFinished,
  keepPace,
  newCampaignState,
  parseCampaignDefinition,
  progressOf,
  throttledBatchSize,
  type CampaignCommandName,
  type CampaignDefinitionInput,
  type CampaignProgress,
  type BatchOutcome,
  type CampaignState,
  type RecipientException,
} from '../../domain/campaign/campaign';
import { CampaignSA, campaignUpdates, getCampaign, getCampaignException, getCampaignProgress } from './contract';
import { startedWithSearchAttribute } from '../shared/searchAttributes';

export interface CampaignRunOptions {
  /** Recipients per send activity (default 500). */
  batchSize?: number;
  /** Continue-as-new once the run's history is longer than this (default 2,000 events). */
  continueAsNewAfterEvents?: number;
  /** Recorded in older histories; no longer read (workflows/shared/searchAttributes.ts). */
  searchAttributes?: boolean;
}

export interface CampaignWorkflowInput {
  /** The definition, validated again here; a CSV path must be one the workers can read. */
  campaign: CampaignDefinitionInput;
  options?: CampaignRunOptions;
  /** Carried over by continue-as-new. */
  state?: CampaignState;
}

export type CampaignReport = CampaignProgress & { exceptions: RecipientException[]; invalidRowSamples: CampaignState['invalidRowSamples']; runs: number };

const { resolveCampaignAudience } = proxyActivities<Activities>({
  startToCloseTimeout: '10m',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', nonRetryableErrorTypes: ['InvalidAudience', 'TemplateVariableMissing'] },
});

// A batch heartbeats every second on a timer, whatever it waits on; a worker that dies
// mid-batch is noticed within the heartbeat timeout and the batch is retried elsewhere,
// skipping what the ledger holds. The timeout is long enough that a slow relay never trips
// it (a second attempt running beside a live one would mail its recipients twice).
// SMTP outages are retried for as long as they last; a refused login fails the run.
// A cancelled run waits for the batch to stop and report what it sent.
const { sendCampaignBatch } = proxyActivities<Activities>({
  startToCloseTimeout: '10m',
  heartbeatTimeout: '30s',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', nonRetryableErrorTypes: ['CampaignStoreMissing', 'SmtpConfig', 'SuppressionListFull'] },
});

/**
 * Runs one batch; a cancel command while it runs cancels the activity, which stops
 * handing out mail within about a second and reports what it did. Undefined when the
 * batch was cancelled before it could report (between attempts): nothing to count.
 */
async function sendBatchUnlessCancelled(args: Parameters<typeof sendCampaignBatch>[0], cancelled: () => boolean): Promise<BatchOutcome | undefined> {
  const sending = new CancellationScope();
  const watching = new CancellationScope();
  watching
    .run(() => condition(cancelled))
    .then(
      () => {
        // Older runs let the batch in flight finish; keep that on replay.
        if (patched('cancel-batch-in-flight')) sending.cancel();
      },
      () => undefined,
    );
  try {
    return await sending.run(() => sendCampaignBatch(args));
  } catch (err) {
    if (cancelled() && isCancellation(err)) {
      log.info('batch cancelled before it reported', { offset: args.offset });
      return undefined;
    }
    throw err;
  } finally {
    watching.cancel();
  }
}

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}

function reportOf(state: CampaignState): CampaignReport {
  return { ...progressOf(state), exceptions: state.exceptions, invalidRowSamples: state.invalidRowSamples, runs: state.runs };
}

/**
 * One run of a campaign (`campaign-<id>`). The audience is resolved by an activity into the
 * campaign store (not into history), then mailed in batches by an activity each, paced by
 * the throttle. History holds counts and exceptions only, and the run continues-as-new
 * before it grows long, so 100,000 recipients cost what 1,000 do per run.
 */
export async function campaignWorkflow(input: CampaignWorkflowInput): Promise<CampaignReport> {
  const definition = parseCampaignDefinition(input.campaign);
  const options = input.options ?? {};
  const runKey = workflowInfo().workflowId;
  let state: CampaignState = input.state ?? newCampaignState(definition, runKey, nowIso());

  setHandler(getCampaignProgress, () => progressOf(state));
  setHandler(getCampaign, () => state);
  setHandler(getCampaignException, (email) => state.exceptions.find((e) => e.email === normalizeEmail(email)));
  for (const name of Object.keys(campaignUpdates) as CampaignCommandName[]) {
    const apply = CAMPAIGN_COMMANDS[name];
    setHandler(
      campaignUpdates[name],
      (cmd) => {
        state = apply(state, cmd, nowIso());
        return progressOf(state);
      },
      { validator: (cmd) => void apply(state, cmd, nowIso()) },
    );
  }

  let published = '';
  const indexed = startedWithSearchAttribute(CampaignSA.status);
  const publish = () => {
    if (!indexed) return;
    const pairs = [
      { key: CampaignSA.status, value: state.status },
      { key: CampaignSA.sent, value: state.sent },
    ];
    const signature = JSON.stringify(pairs.map((p) => p.value));
    if (signature !== published) upsertSearchAttributes(pairs);
    published = signature;
  };

  if (state.total === 0 && state.sendingSince === undefined) {
    publish();
    const resolved = await resolveCampaignAudience({ runKey, audience: definition.audience, template: definition.template, leads: definition.leads });
    state = audienceResolved(state, resolved.total, { count: resolved.invalidRows, samples: resolved.invalidSamples }, nowIso());
  }

  const batchSize = throttledBatchSize(options.batchSize ?? 500, definition.throttle);
  const canAfter = options.continueAsNewAfterEvents ?? 2_000;
  for (;;) {
    publish();
    if (isFinished(state)) break;
    if (state.status === 'paused') {
      await condition(() => state.status !== 'paused');
      continue;
    }
    if (state.cursor >= state.total) {
      state = { ...state, status: 'completed', finishedAt: nowIso() };
      continue;
    }
    const notBefore = earliestSendTime(state);
    if (notBefore !== undefined && notBefore > Date.now()) {
      // Woken early by pause or cancel; otherwise the throttle's time has come.
      await condition(() => state.status !== 'running', notBefore - Date.now());
      continue;
    }
    // Back from an outage: pace from now instead of sending the backlog at once. Histories
    // from before this rule keep their old pacing on replay.
    const paced = keepPace(state, batchSize, nowIso());
    if (paced !== state && patched('throttle-holds-after-outage')) state = paced;
    const outcome = await sendBatchUnlessCancelled({
      runKey,
      campaignId: definition.id,
      offset: state.cursor,
      limit: Math.min(batchSize, state.total - state.cursor),
      template: definition.template,
      from: definition.from,
      leadsRep: definition.leads?.rep,
      ...(definition.leads?.process ? { leadsProcess: definition.leads.process } : {}),
    }, () => state.status === 'cancelled');
    if (outcome) state = applyBatch(state, outcome);

    if (!isFinished(state) && (workflowInfo().historyLength > canAfter || workflowInfo().continueAsNewSuggested)) {
      publish();
      await condition(allHandlersFinished);
      await continueAsNew<typeof campaignWorkflow>({ ...input, campaign: definition, state: { ...state, runs: state.runs + 1 } });
    }
  }
  await condition(allHandlersFinished);
  return reportOf(state);
}
