import { readFileSync } from 'node:fs';
import { normalizeEmail } from '../../domain/shared/email';
import { ApplicationFailure, Context, heartbeat } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  checkLeadColumns,
  checkLeadRep,
  checkTemplateAgainstAudience,
  filterExcludedStages,
  leadRecipients,
  type Audience,
  type CampaignDefinition,
  type LeadOptions,
} from '../../domain/campaign/campaign';
import { audienceFromTable, type CsvRowError, type Recipient } from '../../domain/campaign/csv';
import { DomainError } from '../../domain/shared/errors';
import { DEFAULT_PROCESS_INPUT, ProcessDefinitionSchema, type ProcessDefinitionInput } from '../../domain/process/process';
import type { ProspectState } from '../../domain/pipeline/prospect';
import type { Template } from '../../domain/campaign/template';
import { PROSPECT_WORKFLOW_TYPE, ProspectSA, getProspect, prospectIdOf, prospectWorkflowId } from '../../workflows/pipeline/contract';
import { OPEN, visibilityLiteral, visibilityQuery } from '../../workflows/shared/searchAttributes';
import { processVersion } from '../../client/process/start';
import { AudiencePathError, readCsvTable, resolveAudiencePath } from '../../client/campaign/audienceCsv';
import { readUpload, uploadOf, type CampaignStore } from '../../db/campaignStore';
import { campaignStoreOf } from './campaign';
import { eachLimited } from '../shared/concurrency';

/**
 * Resolving a campaign's audience: a CSV (read only inside the campaign folder), a list of
 * prospects, or a visibility filter, into a snapshot in the campaign store. Every setting is
 * checked here, before anyone is mailed: a mistake in the campaign file fails the run with
 * a message naming the setting; a row that cannot be mailed or become a prospect is listed
 * with its line and reason, and the run goes on without it.
 */

export interface AudienceDeps {
  /** The campaign store in the salesflow database (also holds the audiences uploaded through the API). */
  store?: CampaignStore;
  temporal: Client;
  /** The only folder audience CSVs named by path are read from (SALESFLOW_CAMPAIGN_DIR). */
  campaignDir: string;
  /** Prospects per visibility page (default 1,000); small in tests to make many pages. */
  listPageSize?: number;
}

export interface ResolveAudienceInput {
  runKey: string;
  audience: Audience;
  template: Template;
  leads?: CampaignDefinition['leads'];
}

export interface ResolvedAudience {
  total: number;
  columns: string[];
  invalidRows: number;
  invalidSamples: CsvRowError[];
}

/** What a retried resolution finds in its heartbeat: how far listing from visibility got. */
export interface ListingProgress {
  phase: 'list';
  listed: number;
  /** Base64 of the next page's token; absent when the last page was read. */
  nextPageToken?: string;
}

/** ... or, once every id is known, how many prospects have been looked up. */
export interface LookupProgress {
  phase: 'query';
  queried: number;
  of: number;
}

type ResolveProgress = ListingProgress | LookupProgress;

/** Prospects looked up between two checkpoints. */
const LOOKUP_SLICE = 500;

const PAGE_SIZE = 1_000;

function invalidAudience(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'InvalidAudience');
}

function prospectRecipient(state: ProspectState): Recipient | undefined {
  const { info } = state;
  if (!info.email) return undefined;
  const email = normalizeEmail(info.email);
  return { email, prospectId: info.id, vars: { id: info.id, name: info.name, company: info.company ?? '', email, rep: info.rep } };
}

export function createCampaignAudienceActivities(deps: AudienceDeps) {
  const { temporal } = deps;

  /**
   * A busy worker may not answer a query ("no poller seen", or a prospect whose workflow
   * task timed out and waits for its retry); tries over some 15 s save the attempt, and past
   * them the attempt fails and its retry resumes at the checkpoint.
   */
  async function queryProspect(id: string): Promise<ProspectState | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await temporal.workflow.getHandle(prospectWorkflowId(id)).query(getProspect);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return undefined;
        if (attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 1_000 * 2 ** (attempt - 1)));
      }
    }
  }

  /**
   * Looks every prospect up (its address and the template's variables), a slice at a time;
   * after each slice the answers so far go to a checkpoint and the heartbeat says how many,
   * so a retried attempt goes on from there.
   */
  async function prospectsAudience(store: CampaignStore, runKey: string, ids: string[]): Promise<{ recipients: Recipient[]; errors: CsvRowError[] }> {
    const resumed = Context.current().info.heartbeatDetails as ResolveProgress | undefined;
    const saved = resumed?.phase === 'query' && resumed.of === ids.length ? await store.readCheckpoint<(Recipient | string)[]>(runKey, 'queried') : undefined;
    const found: (Recipient | string)[] = saved && resumed?.phase === 'query' ? saved.slice(0, resumed.queried) : [];
    while (found.length < ids.length) {
      const from = found.length;
      const slice = ids.slice(from, from + LOOKUP_SLICE);
      const answers: (Recipient | string)[] = new Array(slice.length);
      await eachLimited(
        slice.map((id, k) => ({ id, k })),
        20,
        async ({ id, k }) => {
          const state = await queryProspect(id);
          answers[k] = !state ? `no prospect "${id}"` : (prospectRecipient(state) ?? `prospect "${id}" has no email address`);
          // Alive; the checkpoint still stands where this slice began.
          heartbeat({ phase: 'query', queried: from, of: ids.length } satisfies LookupProgress);
        },
      );
      found.push(...answers);
      await store.writeCheckpoint(runKey, 'queried', found);
      heartbeat({ phase: 'query', queried: found.length, of: ids.length } satisfies LookupProgress);
    }
    const recipients: Recipient[] = [];
    const errors: CsvRowError[] = [];
    const seen = new Set<string>();
    found.forEach((r, k) => {
      if (typeof r === 'string') errors.push({ line: k + 1, message: r });
      else if (seen.has(r.email)) errors.push({ line: k + 1, message: `${r.email} is a duplicate (prospect ${r.prospectId})` });
      else {
        seen.add(r.email);
        recipients.push(r);
      }
    });
    return { recipients, errors };
  }

  /**
   * Lists the running prospects a filter selects, a page at a time. After each page the ids
   * so far go to a checkpoint and the heartbeat carries the next page's token, so an attempt
   * that dies (worker killed, timeout) is resumed by the retry at the page it had reached.
   */
  async function listFiltered(store: CampaignStore, runKey: string, filter: Extract<Audience, { filter: unknown }>['filter']): Promise<string[]> {
    const { stage, rep } = filter;
    const excluded = filterExcludedStages(filter);
    let query: string;
    try {
      query = visibilityQuery(
        PROSPECT_WORKFLOW_TYPE,
        Context.current().info.taskQueue,
        OPEN,
        ...(stage ? [`${ProspectSA.stage.name} = ${visibilityLiteral(stage)}`] : []),
        ...(excluded.length > 0 ? [`${ProspectSA.stage.name} NOT IN (${excluded.map(visibilityLiteral).join(', ')})`] : []),
        ...(rep ? [`${ProspectSA.rep.name} = ${visibilityLiteral(rep)}`] : []),
      );
    } catch (err) {
      throw invalidAudience((err as Error).message);
    }
    const resumed = Context.current().info.heartbeatDetails as ResolveProgress | undefined;
    const checkpoint = resumed ? await store.readCheckpoint<string[]>(runKey, 'listed') : undefined;
    // Listing had finished and looking up had begun: the checkpoint holds every id.
    if (resumed?.phase === 'query' && checkpoint?.length === resumed.of) return checkpoint;
    let ids: string[] = [];
    let token: Uint8Array | undefined;
    if (resumed?.phase === 'list' && checkpoint && checkpoint.length >= resumed.listed) {
      ids = checkpoint.slice(0, resumed.listed);
      if (resumed.nextPageToken === undefined) return ids;
      token = Buffer.from(resumed.nextPageToken, 'base64');
    }
    const namespace = temporal.options.namespace;
    for (;;) {
      const page = await temporal.workflowService.listWorkflowExecutions({ namespace, query, pageSize: deps.listPageSize ?? PAGE_SIZE, nextPageToken: token });
      for (const e of page.executions ?? []) ids.push(prospectIdOf(e.execution?.workflowId ?? ''));
      const next = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
      await store.writeCheckpoint(runKey, 'listed', ids);
      const progress: ListingProgress = { phase: 'list', listed: ids.length, ...(next ? { nextPageToken: Buffer.from(next).toString('base64') } : {}) };
      heartbeat(progress);
      if (!next) return ids;
      token = next;
    }
  }

  /** The process leads start on; `leads.rep` must be one of its reps. */
  async function checkLeadSettings(leads: LeadOptions): Promise<void> {
    let process: ProcessDefinitionInput = DEFAULT_PROCESS_INPUT;
    if (leads.process) {
      try {
        process = (await processVersion(temporal, leads.process)).definition;
      } catch (err) {
        throw invalidAudience(`leads.process "${leads.process}" is not a published process (${(err as Error).message})`);
      }
    }
    try {
      checkLeadRep(leads, ProcessDefinitionSchema.parse(process));
    } catch (err) {
      if (err instanceof DomainError) throw invalidAudience(err.message);
      throw err;
    }
  }

  /** An uploaded CSV from the store (by its hash), any other from SALESFLOW_CAMPAIGN_DIR. */
  async function csvText(store: CampaignStore, file: string): Promise<string> {
    const upload = uploadOf(file);
    if (upload !== undefined) {
      const text = await readUpload(store.db, upload);
      if (text === undefined) throw invalidAudience(`the uploaded audience ${file} is not in the campaign store`);
      return text;
    }
    try {
      return readFileSync(resolveAudiencePath(file, deps.campaignDir), 'utf8');
    } catch (err) {
      if (err instanceof AudiencePathError) throw invalidAudience(err.message);
      throw invalidAudience(`cannot read audience ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }

  async function csvAudience(store: CampaignStore, file: string, leads: LeadOptions | undefined): Promise<{ recipients: Recipient[]; errors: CsvRowError[]; columns: string[] }> {
    const text = await csvText(store, file);
    const parsed = audienceFromTable(readCsvTable(text));
    if (leads && parsed.columns.length > 0) {
      try {
        checkLeadColumns(leads, parsed.columns);
      } catch (err) {
        if (err instanceof DomainError) throw invalidAudience(err.message);
        throw err;
      }
    }
    return { ...leadRecipients(parsed, leads), columns: parsed.columns };
  }

  return {
    /**
     * Resolves the audience once per run and snapshots it in the store; a retry after the
     * snapshot is complete returns it unchanged. A template variable the audience does not
     * provide, or a `leads` setting that does not fit, fails the run here, before anyone is
     * mailed.
     */
    async resolveCampaignAudience(input: ResolveAudienceInput): Promise<ResolvedAudience> {
      const store = campaignStoreOf(deps);
      if (input.leads) await checkLeadSettings(input.leads);
      const existing = await store.readMeta(input.runKey);
      if (existing) {
        return { total: existing.total, columns: existing.columns, invalidRows: existing.invalidRows, invalidSamples: (await store.readInvalid(input.runKey)).slice(0, 100) };
      }
      let recipients: Recipient[];
      let errors: CsvRowError[];
      let columns: string[];
      if ('csv' in input.audience) {
        ({ recipients, errors, columns } = await csvAudience(store, input.audience.csv, input.leads));
      } else {
        columns = ['id', 'name', 'company', 'email', 'rep'];
        const ids = 'prospects' in input.audience ? input.audience.prospects : (await listFiltered(store, input.runKey, input.audience.filter)).sort();
        ({ recipients, errors } = await prospectsAudience(store, input.runKey, ids));
      }
      try {
        checkTemplateAgainstAudience(input.template, input.audience, columns);
      } catch (err) {
        if (err instanceof DomainError) throw ApplicationFailure.nonRetryable(err.message, 'TemplateVariableMissing');
        throw err;
      }
      const meta = await store.writeAudience(input.runKey, recipients, columns, errors);
      // Another attempt may have committed its snapshot first: answer with that one.
      const invalidSamples = meta.invalidRows === errors.length ? errors.slice(0, 100) : (await store.readInvalid(input.runKey)).slice(0, 100);
      return { total: meta.total, columns: meta.columns, invalidRows: meta.invalidRows, invalidSamples };
    },
  };
}
