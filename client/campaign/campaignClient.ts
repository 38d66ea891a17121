import {
  Client,
  Connection,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import { visibilityPage } from '../shared/visibilityPages';
import type { ConnectionConfig } from '../../domain/shared/config';
import { openTemporalClient } from '../shared/temporalConnection';
import {
  parseCampaignDefinition,
  type CampaignCommandName,
  type CampaignDefinition,
  type CampaignProgress,
  type CampaignState,
  type RecipientException,
  type SteerCommand,
} from '../../domain/campaign/campaign';
import { DomainError, parseOrThrow } from '../../domain/shared/errors';
import {
  SUPPRESSION_SHARDS,
  suppressionShard,
  SuppressSchema,
  UnsuppressSchema,
  type SuppressInput,
  type SuppressionEntry,
  type SuppressionRemoval,
  type UnsuppressInput,
} from '../../domain/campaign/suppression';
import type { CampaignReport, CampaignRunOptions } from '../../workflows/campaign/campaign';
import {
  CAMPAIGN_WORKFLOW_TYPE,
  CampaignSA,
  campaignIdOf,
  campaignUpdates,
  campaignWorkflowId,
  getCampaign,
  getCampaignException,
  getCampaignProgress,
  listSuppressed,
  listUnsuppressed,
  suppressionWorkflowId,
  unsuppressUpdate,
} from '../../workflows/campaign/contract';
import { visibilityLiteral, visibilityQuery } from '../../workflows/shared/searchAttributes';
import { campaignScheduleAction, startCampaignRun, suppressAndConfirm } from './start';
import { translate } from '../pipeline/salesflowClient';
import { prospectWorkflowId } from '../../domain/pipeline/prospect';

export interface CampaignSummary {
  id: string;
  workflowId: string;
  name: string;
  status?: string;
  sent?: number;
  execution: string;
  startedAt: string;
}

/**
 * The typed facade over campaign runs and the suppression list, for the CLI, the HTTP
 * endpoint, the bench and the tests. Errors come back as one readable line.
 */
export class CampaignClient {
  private constructor(
    readonly client: Client,
    private readonly connection: Connection | undefined,
    readonly config: ConnectionConfig,
  ) {}

  static fromClient(client: Client, config: ConnectionConfig): CampaignClient {
    return new CampaignClient(client, undefined, config);
  }

  static async connect(config: ConnectionConfig): Promise<CampaignClient> {
    const { client, connection } = await openTemporalClient(config);
    return new CampaignClient(client, connection, config);
  }

  async close(): Promise<void> {
    await this.connection?.close();
  }

  /**
   * Starts a run. Starting one that is running is idempotent (`started: false`); one that
   * completed is refused, since running it again would mail everyone again: give a new id.
   * A run that failed may be started again and continues from its ledger.
   */
  async start(definition: CampaignDefinition, options: CampaignRunOptions = {}): Promise<{ started: boolean; workflowId: string; runId?: string }> {
    const campaign = parseCampaignDefinition(definition);
    const workflowId = campaignWorkflowId(campaign.id);
    try {
      const handle = await startCampaignRun(this.client, this.config.SALESFLOW_TASK_QUEUE, campaign, options);
      return { started: true, workflowId, runId: handle.firstExecutionRunId };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw translate(err, workflowId);
      const described = await this.client.workflow.getHandle(workflowId).describe();
      if (described.status.name === 'RUNNING') return { started: false, workflowId };
      throw new DomainError(`campaign ${campaign.id} already ran (${await this.endedAs(campaign.id, described.status.name)}); to mail its audience again, start it with a new --id`);
    }
  }

  /**
   * The prospects of a listed audience that do not exist, by their place in the list, so
   * `validate` (and a start through the server) refuses a mistyped id at its line instead of
   * the run reporting it after the others were mailed. Each is described (strongly
   * consistent, unlike visibility, so a prospect created a moment ago counts), 20 at a time;
   * a list longer than {@link PROSPECT_CHECK_LIMIT} is left to the run, which reports each.
   */
  async missingProspects(ids: readonly string[]): Promise<number[]> {
    if (ids.length > PROSPECT_CHECK_LIMIT) return [];
    const missing: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const k = next++;
        try {
          await this.client.workflow.getHandle(prospectWorkflowId(ids[k]!)).describe();
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw translate(err, ids[k]!);
          missing.push(k);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(20, ids.length) }, worker));
    return missing.sort((a, b) => a - b);
  }

  /**
   * How an earlier run under this id ended, when starting it again would be refused (it
   * completed or was cancelled); undefined when the id is free, running (a start follows it)
   * or failed (a start continues it). What `validate` warns of before anyone presses start.
   */
  async ranAs(id: string): Promise<'completed' | 'cancelled' | undefined> {
    const execution = await this.handle(id)
      .describe()
      .then((d) => d.status.name, (err: unknown) => {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw translate(err, campaignWorkflowId(id));
      });
    if (execution !== 'COMPLETED') return undefined;
    const ended = await this.endedAs(id, execution);
    return ended === 'cancelled' ? 'cancelled' : 'completed';
  }

  /**
   * How a closed run ended, as the campaign says it: a cancelled run's workflow completes
   * (it returns its report), so the execution's status alone called it "completed". Its own
   * status is still readable by query; a run that failed or was terminated says so itself.
   */
  private async endedAs(id: string, execution: string): Promise<string> {
    if (execution !== 'COMPLETED') return execution.toLowerCase();
    return this.handle(id)
      .query(getCampaignProgress)
      .then((p) => p.status, () => 'completed');
  }

  private handle(id: string) {
    return this.client.workflow.getHandle(campaignWorkflowId(id));
  }

  private async wrap<T>(id: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || (err instanceof Error && /already completed/i.test(err.message))) {
        // An update to a closed run looks like a missing one; tell the two apart.
        const execution = await this.handle(id)
          .describe()
          .then((d) => d.status.name, () => undefined);
        throw new DomainError(execution ? `campaign ${id} has ended (${await this.endedAs(id, execution)})` : `no campaign "${id}"`);
      }
      throw translate(err, campaignWorkflowId(id));
    }
  }

  progress(id: string): Promise<CampaignProgress> {
    return this.wrap(id, () => this.handle(id).query(getCampaignProgress));
  }

  state(id: string): Promise<CampaignState> {
    return this.wrap(id, () => this.handle(id).query(getCampaign));
  }

  exception(id: string, email: string): Promise<RecipientException | undefined> {
    return this.wrap(id, () => this.handle(id).query(getCampaignException, email));
  }

  result(id: string): Promise<CampaignReport> {
    return this.wrap(id, () => this.handle(id).result());
  }

  /** Pause, resume or cancel; a wrong-state command is refused with the reason. */
  command(id: string, name: CampaignCommandName, cmd: SteerCommand): Promise<CampaignProgress> {
    return this.wrap(id, () => this.handle(id).executeUpdate(campaignUpdates[name], { args: [cmd] }));
  }

  private listQuery(status?: string): string {
    return visibilityQuery(CAMPAIGN_WORKFLOW_TYPE, this.config.SALESFLOW_TASK_QUEUE, ...(status ? [`${CampaignSA.status.name} = ${visibilityLiteral(status)}`] : []));
  }

  async list(filter: { status?: string; limit?: number } = {}): Promise<CampaignSummary[]> {
    const out: CampaignSummary[] = [];
    for await (const info of this.client.workflow.list({ query: this.listQuery(filter.status) })) {
      out.push(campaignSummary(info));
      if (filter.limit !== undefined && out.length >= filter.limit) break;
    }
    return out;
  }

  /** One page of runs (newest first), and the token to the next. */
  async listPage(status: string | undefined, pageSize: number, pageToken?: string): Promise<{ campaigns: CampaignSummary[]; nextPageToken?: string }> {
    const page = await visibilityPage(this.client, this.listQuery(status), pageSize, pageToken);
    return { campaigns: page.executions.map(campaignSummary), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
  }

  /**
   * Runs the campaign on a Temporal Schedule (`campaign-<id>`); each run's workflow id is
   * `campaign-<id>-<scheduled time>`, so each run has its own ledger and Message-IDs.
   * Scheduling again replaces the schedule.
   */
  async schedule(definition: CampaignDefinition, options: CampaignRunOptions = {}): Promise<{ scheduleId: string; created: boolean }> {
    const campaign = parseCampaignDefinition(definition);
    if (!campaign.schedule) throw new DomainError(`campaign ${campaign.id} has no schedule (add schedule: {cron: [...]} or {every: 1w}, or pass --cron/--every)`);
    const scheduleId = campaignWorkflowId(campaign.id);
    const spec = campaign.schedule.cron ? { cronExpressions: campaign.schedule.cron } : { intervals: [{ every: campaign.schedule.every! }] };
    const action = campaignScheduleAction(campaign, this.config.SALESFLOW_TASK_QUEUE, options);
    try {
      await this.client.schedule.create({ scheduleId, spec, action, memo: { name: campaign.name } });
      return { scheduleId, created: true };
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw scheduleRefusal(err) ?? translate(err, scheduleId);
      try {
        await this.client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action }));
      } catch (updateErr) {
        throw scheduleRefusal(updateErr) ?? translate(updateErr, scheduleId);
      }
      return { scheduleId, created: false };
    }
  }

  async unschedule(id: string): Promise<void> {
    try {
      await this.client.schedule.getHandle(campaignWorkflowId(id)).delete();
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) throw new DomainError(`campaign ${id} has no schedule`);
      throw translate(err, id);
    }
  }

  /** Starts a scheduled campaign's run now (tests, and "send this week's one early"). */
  async triggerSchedule(id: string): Promise<void> {
    await this.client.schedule.getHandle(campaignWorkflowId(id)).trigger();
  }

  /** Adds an address to the suppression list (creating the list on first use). */
  async suppress(input: SuppressInput): Promise<SuppressionEntry> {
    const entry = parseOrThrow(SuppressSchema, input, 'suppression');
    const shard = await suppressAndConfirm(this.client, this.config.SALESFLOW_TASK_QUEUE, entry);
    // The update reads the entry back (the first reason recorded wins) once the signal is in;
    // a full shard refuses it, and the caller hears so.
    try {
      return await shard.confirm();
    } catch (err) {
      throw translate(err, shard.workflowId);
    }
  }

  /**
   * Takes an address off the suppression list (a mistake, a bounce that was the relay's
   * fault); the shard keeps the removal on its record with who and why.
   */
  async unsuppress(input: UnsuppressInput): Promise<SuppressionRemoval> {
    const cmd = parseOrThrow(UnsuppressSchema, input, 'unsuppress');
    const id = suppressionWorkflowId(this.config.SALESFLOW_TASK_QUEUE, suppressionShard(cmd.email));
    try {
      return await this.client.workflow.getHandle(id).executeUpdate(unsuppressUpdate, { args: [cmd] });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new DomainError(`${cmd.email} is not on the suppression list`);
      throw translate(err, id);
    }
  }

  /** Every removal still on the shards' record, over all shards, oldest first. */
  async unsuppressed(): Promise<SuppressionRemoval[]> {
    const shards = await Promise.all(
      Array.from({ length: SUPPRESSION_SHARDS }, async (_, shard) => {
        const id = suppressionWorkflowId(this.config.SALESFLOW_TASK_QUEUE, shard);
        try {
          return await this.client.workflow.getHandle(id).query(listUnsuppressed);
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return [];
          throw translate(err, id);
        }
      }),
    );
    return shards.flat().sort((a, b) => a.at.localeCompare(b.at) || a.entry.email.localeCompare(b.entry.email));
  }

  /** Every suppressed address, over all shards, oldest first. */
  async suppressed(): Promise<SuppressionEntry[]> {
    const shards = await Promise.all(
      Array.from({ length: SUPPRESSION_SHARDS }, async (_, shard) => {
        const id = suppressionWorkflowId(this.config.SALESFLOW_TASK_QUEUE, shard);
        try {
          return await this.client.workflow.getHandle(id).query(listSuppressed);
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return [];
          throw translate(err, id);
        }
      }),
    );
    return shards.flat().sort((a, b) => a.at.localeCompare(b.at) || a.email.localeCompare(b.email));
  }

}

/**
 * Temporal refusing the schedule itself (gRPC INVALID_ARGUMENT: a spec its own rules reject
 * though ours took it, such as an interval under a second) is a refusal of what the person
 * wrote, with Temporal's reason, and not an outage: as a ServiceError the server answered 503
 * "try again", and a retry never helps. The SDK turns an invalid spec into a TypeError
 * carrying Temporal's message (only this call's, so no bug of ours is taken for one); other
 * invalid arguments come as a ServiceError whose cause has the gRPC code.
 */
export function scheduleRefusal(err: unknown): DomainError | undefined {
  let reason: string | undefined;
  if (err instanceof TypeError) reason = err.message;
  for (let e: unknown = err; reason === undefined && e instanceof Error; e = e.cause) {
    if ((e as { code?: unknown }).code !== GRPC_INVALID_ARGUMENT) continue;
    const details = (e as { details?: unknown }).details;
    reason = typeof details === 'string' && details !== '' ? details : e.message.replace(/^\d+ INVALID_ARGUMENT: /, '');
  }
  return reason === undefined ? undefined : new DomainError(`Temporal refused the schedule: ${reason}`, [{ path: ['schedule'], message: `Temporal refused it: ${reason}` }]);
}
const GRPC_INVALID_ARGUMENT = 3;

/** The longest prospect list `validate` looks up one by one; a longer one is checked by the run. */
export const PROSPECT_CHECK_LIMIT = 1_000;

function campaignSummary(info: WorkflowExecutionInfo): CampaignSummary {
  return {
    id: campaignIdOf(info.workflowId),
    workflowId: info.workflowId,
    name: String((info.memo as { name?: string } | undefined)?.name ?? ''),
    status: info.typedSearchAttributes.get(CampaignSA.status),
    sent: info.typedSearchAttributes.get(CampaignSA.sent),
    execution: info.status.name,
    startedAt: info.startTime.toISOString(),
  };
}
