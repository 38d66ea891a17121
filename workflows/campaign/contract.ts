import { defineSearchAttributeKey, type SearchAttributePair } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CampaignCommandName, CampaignProgress, CampaignState, RecipientException, SteerCommand } from '../../domain/campaign/campaign';
import type { SuppressInput, SuppressionEntry, SuppressionRemoval, UnsuppressInput } from '../../domain/campaign/suppression';

/**
 * The campaign area's Temporal contract: campaign runs (`campaignWorkflow`, id and schedule id
 * `campaign-<id>`) and the suppression list's shards (`suppressionListWorkflow`, id
 * `suppression-list-<task queue>-<shard>`). Bundle-safe.
 */

const CAMPAIGN_ID_PREFIX = 'campaign-';

/** A run's workflow id, its schedule's id, and the key of its ledger and Message-IDs. */
export function campaignWorkflowId(id: string): string {
  return `${CAMPAIGN_ID_PREFIX}${id}`;
}

/** The campaign id back from its workflow id. */
export function campaignIdOf(workflowId: string): string {
  return workflowId.startsWith(CAMPAIGN_ID_PREFIX) ? workflowId.slice(CAMPAIGN_ID_PREFIX.length) : workflowId;
}

/** `suppression-list-salesflow-7` for shard 7 of the default queue (domain/campaign/suppression.ts shards). */
export function suppressionWorkflowId(taskQueue: string, shard: number): string {
  return `suppression-list-${taskQueue}-${shard}`;
}

/** The run's workflow type, for visibility queries and schedules. */
export const CAMPAIGN_WORKFLOW_TYPE = 'campaignWorkflow';
export const SUPPRESSION_WORKFLOW_TYPE = 'suppressionListWorkflow';

export const CampaignSA = {
  /** A campaign run's status (resolving, running, paused, completed, cancelled). */
  status: defineSearchAttributeKey('CampaignStatus', 'KEYWORD'),
  /** Recipients a campaign run has mailed so far. */
  sent: defineSearchAttributeKey('CampaignSent', 'INT'),
} as const;

/** A run is listed as resolving its audience from its first moment. */
export function campaignStartSearchAttributes(): SearchAttributePair[] {
  return [
    { key: CampaignSA.status, value: 'resolving' },
    { key: CampaignSA.sent, value: 0 },
  ];
}

/** Pause, resume and cancel are updates: a wrong-state command is refused by the validator. */
export const campaignUpdates = {
  pause: defineUpdate<CampaignProgress, [SteerCommand]>('pauseCampaign'),
  resume: defineUpdate<CampaignProgress, [SteerCommand]>('resumeCampaign'),
  cancel: defineUpdate<CampaignProgress, [SteerCommand]>('cancelCampaign'),
} as const satisfies Record<CampaignCommandName, unknown>;

export const getCampaignProgress = defineQuery<CampaignProgress>('getCampaignProgress');
export const getCampaign = defineQuery<CampaignState>('getCampaign');
/** A recipient that was skipped, bounced or failed, by address; undefined if none such (yet). */
export const getCampaignException = defineQuery<RecipientException | undefined, [string]>('getCampaignException');

/** An unsubscribe or a bounce: a fact, so a signal (signal-with-start creates the list). */
export const suppressSignal = defineSignal<[SuppressInput]>('suppress');
/** The same as a command (CLI `campaign suppress`): validated, and answers with the entry. */
export const suppressUpdate = defineUpdate<SuppressionEntry, [SuppressInput]>('suppress');
/** Takes an address off the list (CLI `campaign unsuppress`); the removal stays on record. */
export const unsuppressUpdate = defineUpdate<SuppressionRemoval, [UnsuppressInput]>('unsuppress');
/** The shard's most recent removals, oldest first. */
export const listUnsuppressed = defineQuery<SuppressionRemoval[]>('listUnsuppressed');
export const getSuppressed = defineQuery<SuppressionEntry[], [string[]]>('getSuppressed');
export const listSuppressed = defineQuery<SuppressionEntry[]>('listSuppressed');
