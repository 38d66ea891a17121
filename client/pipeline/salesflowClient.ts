import {
  Client,
  Connection,
  WorkflowNotFoundError,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import { ApplicationFailure, TemporalFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { ConnectionConfig } from '../../domain/shared/config';
import { visibilityPage } from '../shared/visibilityPages';
import { openTemporalClient } from '../shared/temporalConnection';
import { DomainError, issuesFromMessage } from '../../domain/shared/errors';
import { newProspect, type CommandName } from '../../domain/pipeline/lifecycle';
import { DEFAULT_PROCESS_INPUT, withTimeZone, type ProcessDefinitionInput } from '../../domain/process/process';
import type { CommandResult, ProspectInfoInput, ProspectState } from '../../domain/pipeline/prospect';
import type { Stage } from '../../domain/pipeline/stages';
import { PROSPECT_WORKFLOW_TYPE, ProspectSA, getProspect, prospectIdOf, prospectUpdates, prospectWorkflowId } from '../../workflows/pipeline/contract';
import { OPEN, visibilityLiteral, visibilityQuery } from '../../workflows/shared/searchAttributes';
import { startNewProspect } from './start';

/** One row of a pipeline list, read from visibility (no workflow is woken to build it). */
export interface ProspectSummary {
  id: string;
  name: string;
  company?: string;
  stage?: string;
  rep?: string;
  quoteTotal?: number;
  nextDue?: string;
  process?: string;
  processVersion?: number;
  status: string;
}

export interface ListFilter {
  stage?: Stage;
  /** Any of these stages (the board's open columns); with `stage`, both must hold. */
  stages?: readonly Stage[];
  rep?: string;
  /** Only these prospects (a search's hits, found in the read model). */
  ids?: readonly string[];
  limit?: number;
}

/**
 * The typed facade the CLI and the HTTP API use. It validates every command with the same
 * domain rules the workflow applies and turns Temporal's errors into one readable line.
 */
export class SalesflowClient {
  private constructor(
    readonly client: Client,
    /** Owned (and closed) only when this facade opened it. */
    private readonly connection: Connection | undefined,
    readonly config: ConnectionConfig,
  ) {}

  /** Wraps an existing client (tests hand in the test environment's). */
  static fromClient(client: Client, config: ConnectionConfig): SalesflowClient {
    return new SalesflowClient(client, undefined, config);
  }

  /** `options.workflowInterceptors`: tracing's, when it is on (client/shared/tracing.ts). */
  static async connect(config: ConnectionConfig, options: Parameters<typeof openTemporalClient>[1] = {}): Promise<SalesflowClient> {
    const { client, connection } = await openTemporalClient(config, options);
    return new SalesflowClient(client, connection, config);
  }

  async close(): Promise<void> {
    await this.connection?.close();
  }

  /**
   * Starts the prospect's workflow. Creating an existing prospect again is not an error:
   * it returns the running prospect untouched (`created: false`).
   */
  async createProspect(
    info: ProspectInfoInput,
    process: ProcessDefinitionInput = DEFAULT_PROCESS_INPUT,
  ): Promise<{ created: boolean; state: ProspectState }> {
    // Validate here too, so a bad input never starts a workflow. A process without a zone
    // of its own writes its mails in this deployment's SALESFLOW_TIMEZONE.
    const initial = newProspect(info, withTimeZone(process, this.config.SALESFLOW_TIMEZONE), new Date().toISOString());
    try {
      await startNewProspect(this.client, this.config.SALESFLOW_TASK_QUEUE, initial);
      return { created: true, state: initial };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    // It exists, or a racing create started it a moment ago: one of them is created, the
    // others answer with it (a query waits for its first workflow task).
    return { created: false, state: await this.getProspect(initial.info.id) };
  }

  async getProspect(id: string): Promise<ProspectState> {
    const state = await this.tryGetProspect(id);
    if (!state) throw new DomainError(`no prospect "${id}"`);
    return state;
  }

  /** The prospect, or undefined when there is none. */
  findProspect(id: string): Promise<ProspectState | undefined> {
    return this.tryGetProspect(id);
  }

  private async tryGetProspect(id: string): Promise<ProspectState | undefined> {
    try {
      return await this.client.workflow.getHandle(prospectWorkflowId(id)).query(getProspect);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw translate(err, id);
    }
  }

  /**
   * Gives a prospect a command and returns the prospect after it (queried: the update itself
   * answers only with a small result, which stays out of the prospect's history), or throws
   * the refusal.
   */
  async command(id: string, name: CommandName, args: unknown): Promise<ProspectState> {
    await this.run(id, name, args);
    return this.getProspect(id);
  }

  /** Gives a prospect a command; answers with what changed, for callers that need no more. */
  async run(id: string, name: CommandName, args: unknown): Promise<CommandResult> {
    const handle = this.client.workflow.getHandle(prospectWorkflowId(id));
    // The same update definitions the workflow registers; its validators run the rules.
    try {
      return await handle.executeUpdate(prospectUpdates[name], { args: [args as never] });
    } catch (err) {
      const refusal = translate(err, id);
      // Keep what was refused, so the caller can name a bad field in its own terms.
      if (refusal instanceof DomainError && refusal.input === undefined) refusal.input = args;
      throw refusal;
    }
  }

  private listQuery(filter: ListFilter): string {
    return visibilityQuery(
      PROSPECT_WORKFLOW_TYPE,
      this.config.SALESFLOW_TASK_QUEUE,
      OPEN,
      ...(filter.stage ? [`${ProspectSA.stage.name} = ${visibilityLiteral(filter.stage)}`] : []),
      ...(filter.stages ? [`${ProspectSA.stage.name} IN (${filter.stages.map(visibilityLiteral).join(', ')})`] : []),
      ...(filter.rep ? [`${ProspectSA.rep.name} = ${visibilityLiteral(filter.rep)}`] : []),
      ...(filter.ids ? [`WorkflowId IN (${filter.ids.map((id) => visibilityLiteral(prospectWorkflowId(id))).join(', ')})`] : []),
    );
  }

  async listProspects(filter: ListFilter = {}): Promise<ProspectSummary[]> {
    const out: ProspectSummary[] = [];
    for await (const info of this.client.workflow.list({ query: this.listQuery(filter) })) {
      out.push(summarize(info));
      if (filter.limit !== undefined && out.length >= filter.limit) break;
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** The summaries of these prospects (at most a page of them), in the order given; one visibility call. */
  async summariesOf(ids: readonly string[]): Promise<ProspectSummary[]> {
    if (ids.length === 0) return [];
    const page = await visibilityPage(this.client, this.listQuery({ ids }), ids.length);
    const byId = new Map(page.executions.map((info) => [prospectIdOf(info.workflowId), summarize(info)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** One page of open prospects (newest first, as visibility orders them), and the token to the next. */
  async listProspectsPage(filter: Omit<ListFilter, 'limit'>, pageSize: number, pageToken?: string): Promise<{ prospects: ProspectSummary[]; nextPageToken?: string }> {
    const page = await visibilityPage(this.client, this.listQuery(filter), pageSize, pageToken);
    return { prospects: page.executions.map(summarize), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
  }
}

function summarize(info: WorkflowExecutionInfo): ProspectSummary {
  const sa = info.typedSearchAttributes;
  const memo = (info.memo ?? {}) as { name?: string; company?: string };
  const nextDue = sa.get(ProspectSA.nextDue);
  return {
    id: prospectIdOf(info.workflowId),
    name: memo.name ?? '',
    company: memo.company || undefined,
    stage: sa.get(ProspectSA.stage),
    rep: sa.get(ProspectSA.rep),
    quoteTotal: sa.get(ProspectSA.quoteTotal),
    nextDue: nextDue ? nextDue.toISOString() : undefined,
    process: sa.get(ProspectSA.process),
    processVersion: sa.get(ProspectSA.processVersion),
    status: info.status.name,
  };
}

/** Turns Temporal's layered errors into the one line a person needs. */
export function translate(err: unknown, id: string): Error {
  if (err instanceof DomainError) return err;
  if (err instanceof WorkflowNotFoundError) return new DomainError(`no prospect "${id}"`);
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    const message = cause instanceof ApplicationFailure || cause instanceof TemporalFailure ? cause.message : err.message;
    return new DomainError(message, issuesFromMessage(message));
  }
  if (err instanceof WorkflowFailedError) {
    // The innermost failure says why (an activity's non-retryable error, say).
    let cause: unknown = err.cause;
    while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
    return new DomainError(`failed: ${cause instanceof Error ? cause.message : err.message}`);
  }
  if (err instanceof Error && /workflow execution already completed/i.test(err.message)) {
    return new DomainError(`prospect "${id}" is closed`);
  }
  return err instanceof Error ? err : new Error(String(err));
}
