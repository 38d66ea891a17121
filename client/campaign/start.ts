import type { Client, ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import type { CampaignDefinition } from '../../domain/campaign/campaign';
import { suppressionShard, type SuppressInput, type SuppressionEntry } from '../../domain/campaign/suppression';
import {
  CAMPAIGN_WORKFLOW_TYPE,
  SUPPRESSION_WORKFLOW_TYPE,
  campaignStartSearchAttributes,
  campaignWorkflowId,
  suppressSignal,
  suppressUpdate,
  suppressionWorkflowId,
} from '../../workflows/campaign/contract';
import type { CampaignRunOptions, campaignWorkflow } from '../../workflows/campaign/campaign';
import type { suppressionListWorkflow } from '../../workflows/campaign/suppression';
import { startSearchAttributes } from '../shared/visibility';

/**
 * The campaign area's typed starts, for every caller (the campaign facade, the campaign
 * activity that records bounces, the HTTP API's unsubscribe page).
 */

function runOptions(campaign: CampaignDefinition, taskQueue: string, options: CampaignRunOptions) {
  const args: Parameters<typeof campaignWorkflow> = [{ campaign, options }];
  return {
    workflowId: campaignWorkflowId(campaign.id),
    taskQueue,
    args,
    memo: { name: campaign.name },
    ...startSearchAttributes(campaignStartSearchAttributes()),
  };
}

/**
 * Starts a run. A run id is used once: starting one that completed is refused (it would
 * mail everyone again); one that failed may start again and continues from its ledger.
 */
export function startCampaignRun(client: Client, taskQueue: string, campaign: CampaignDefinition, options: CampaignRunOptions = {}) {
  return client.workflow.start<typeof campaignWorkflow>(CAMPAIGN_WORKFLOW_TYPE, {
    ...runOptions(campaign, taskQueue, options),
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
  });
}

/** What a campaign's schedule (`campaign-<id>`) starts on each tick. */
export function campaignScheduleAction(campaign: CampaignDefinition, taskQueue: string, options: CampaignRunOptions = {}): ScheduleOptionsStartWorkflowAction<typeof campaignWorkflow> {
  return { type: 'startWorkflow', workflowType: CAMPAIGN_WORKFLOW_TYPE, ...runOptions(campaign, taskQueue, options) };
}

/**
 * Puts the address on its suppression shard, creating the shard on first use (a signal,
 * which cannot be lost), and reads the entry back with an update: the update is ordered
 * after the signal, so its answer confirms the entry is held. A full shard refuses the
 * update (the caller says so in its own terms).
 */
export async function suppressAndConfirm(client: Client, taskQueue: string, entry: SuppressInput): Promise<{ workflowId: string; confirm: () => Promise<SuppressionEntry> }> {
  const handle = await client.workflow.signalWithStart<typeof suppressionListWorkflow, [SuppressInput]>(SUPPRESSION_WORKFLOW_TYPE, {
    workflowId: suppressionWorkflowId(taskQueue, suppressionShard(entry.email)),
    taskQueue,
    args: [{}],
    signal: suppressSignal,
    signalArgs: [entry],
  });
  return { workflowId: handle.workflowId, confirm: () => handle.executeUpdate(suppressUpdate, { args: [entry] }) };
}
