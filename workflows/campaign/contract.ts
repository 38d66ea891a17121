import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CampaignCommandName, CampaignProgress, CampaignState, RecipientException, SteerCommand } from '../../domain/campaign/campaign';
import type { SuppressInput, SuppressionEntry, SuppressionRemoval, UnsuppressInput } from '../../domain/campaign/suppression';

/**
 * The messages of campaign runs and of the suppression list. (Kept apart from
 * messages.ts, which holds the prospect's, so the two can change independently.)
 */

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
