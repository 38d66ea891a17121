import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import { visibilityPage } from '../shared/visibilityPages';
import type { ConnectionConfig } from '../../domain/shared/config';
import { DomainError } from '../../domain/shared/errors';
import { migrateProcess } from '../../domain/pipeline/lifecycle';
import { migrateCustomer } from '../../domain/customer/commands';
import { CUSTOMER_WORKFLOW_TYPE, customerIdOf, customerUpdates, getCustomer } from '../../workflows/customer/contract';
import { allReps, findRep, withTimeZone, type ProcessDefinition } from '../../domain/process/process';
import type { ProspectInfoInput } from '../../domain/pipeline/prospect';
import { versionOf, type Assignment, type PublishedVersion, type RegistryState } from '../../domain/process/registry';
import type { Stage } from '../../domain/pipeline/stages';
import { customerOfTask, prospectOfTask } from '../../domain/tasks/tasks';
import { PROSPECT_WORKFLOW_TYPE, ProspectSA, getProspect, prospectIdOf, prospectUpdates } from '../../workflows/pipeline/contract';
import { REGISTRY_WORKFLOW_TYPE, getProcessVersion, getRegistry, publishProcess, registryNameOf } from '../../workflows/process/contract';
import { TASK_WORKFLOW_TYPE, TaskSA, completeTaskUpdate, getTask, taskIdOf, taskWorkflowId, type TaskView } from '../../workflows/tasks/contract';
import { OPEN, visibilityLiteral, visibilityQuery } from '../../workflows/shared/searchAttributes';
import { assignOnProcess, registryHandle } from './start';
import { translate, type SalesflowClient } from '../pipeline/salesflowClient';

/**
 * What sales ops and reps do beyond one prospect: publish process versions, migrate
 * prospects between them, and work task inboxes. Built on the same Temporal client.
 */

/** A task as the inbox shows it: read from visibility (search attributes and memo), not from the task. */
export type InboxRow = Pick<TaskView, 'id' | 'prospectId' | 'kind' | 'title' | 'rep' | 'dueAt'> & { state: string };

export interface MigrationResult {
  prospectId: string;
  from?: number;
  outcome: 'migrated' | 'would migrate' | 'refused';
  reason?: string;
}

export interface MigrationReport {
  results: MigrationResult[];
  /** Migrated (or, in a dry run, would migrate). */
  moved: number;
  refused: number;
  /** Already on the target version. */
  unchanged: number;
  /** The process's customer accounts (post-sales), moved by the same run. */
  customers: CustomerMigrationReport;
}

export interface CustomerMigrationResult {
  customerId: string;
  from: number;
  outcome: MigrationResult['outcome'];
  reason?: string;
}

export interface CustomerMigrationReport {
  results: CustomerMigrationResult[];
  moved: number;
  refused: number;
  unchanged: number;
}

export class OpsClient {
  private readonly client: Client;
  private readonly config: ConnectionConfig;

  constructor(readonly sales: SalesflowClient) {
    this.client = sales.client;
    this.config = sales.config;
  }

  private registry(name: string, create: boolean) {
    return registryHandle(this.client, this.config.SALESFLOW_TASK_QUEUE, name, create);
  }

  async publish(definition: ProcessDefinition, by: string): Promise<PublishedVersion> {
    const handle = await this.registry(definition.name, true);
    return this.wrap(() => handle.executeUpdate(publishProcess, { args: [{ definition, by }] }), definition.name);
  }

  async registryState(name: string): Promise<RegistryState> {
    const handle = await this.registry(name, false);
    return this.wrap(() => handle.query(getRegistry), name);
  }

  async version(name: string, version?: number): Promise<PublishedVersion> {
    const handle = await this.registry(name, false);
    try {
      return await this.wrap(() => handle.query(getProcessVersion, version), name);
    } catch (err) {
      if (err instanceof DomainError) throw err;
      // The query's own refusal (no such version) reaches the client as a query failure, not
      // as the rule's error: the same rule on the registry's state says it in its words.
      versionOf(await this.registryState(name), version);
      throw err;
    }
  }

  async listProcesses(): Promise<{ name: string; versions: number; latestPublishedAt?: string }[]> {
    const out = [];
    const query = visibilityQuery(REGISTRY_WORKFLOW_TYPE, this.config.SALESFLOW_TASK_QUEUE, OPEN);
    for await (const wf of this.client.workflow.list({ query })) {
      const name = registryNameOf(wf.workflowId);
      const state = await this.registryState(name);
      out.push({ name, versions: state.versions.length, latestPublishedAt: state.versions[state.versions.length - 1]?.publishedAt });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Round-robin (or territory) assignment by the published process; durable across callers. */
  async assign(name: string, info: Pick<ProspectInfoInput, 'fields' | 'source' | 'company' | 'email'>): Promise<Assignment> {
    return this.wrap(() => assignOnProcess(this.client, name, { fields: info.fields ?? {}, source: info.source, company: info.company, email: info.email }), name);
  }

  /**
   * Creates a prospect on a published process, pinned to its latest version; without a rep
   * the registry assigns one (round-robin, or territory rules first). Idempotent like
   * SalesflowClient.createProspect: an existing prospect is returned untouched.
   */
  async createOnProcess(info: Omit<ProspectInfoInput, 'rep'> & { rep?: string }, processName: string) {
    const existing = await this.sales.findProspect(info.id);
    if (existing) return { created: false, state: existing };
    const published = await this.version(processName);
    const rep = info.rep ?? (await this.assign(processName, info)).rep;
    return this.sales.createProspect({ ...info, rep }, published.definition);
  }

  /**
   * Moves in-flight prospects of a process to version `to`. Each prospect decides itself
   * whether the move is safe (its validator), so a refusal changes nothing there. With
   * `reassign`, a prospect whose rep (or open task's rep) `from` is not in version `to`
   * moves to rep `to` in the same step.
   */
  async migrate(
    name: string,
    to: number,
    where: { stage?: Stage },
    dryRun: boolean,
    by: string,
    reassign?: { from: string; to: string },
  ): Promise<MigrationReport> {
    const target = withTimeZone((await this.version(name, to)).definition, this.config.SALESFLOW_TIMEZONE);
    if (reassign && !findRep(target, reassign.to)) {
      throw new DomainError(`--to-rep ${reassign.to}: not a rep of ${name} v${to} (reps: ${allReps(target).map((r) => r.id).join(', ')})`);
    }
    const base = [OPEN, `${ProspectSA.process.name} = ${visibilityLiteral(name)}`];
    if (where.stage) base.push(`${ProspectSA.stage.name} = ${visibilityLiteral(where.stage)}`);
    // Prospects already on the target version: counted (before moving any), not touched.
    const unchanged = (await this.client.workflow.count(visibilityQuery(PROSPECT_WORKFLOW_TYPE, this.config.SALESFLOW_TASK_QUEUE, ...base, `${ProspectSA.processVersion.name} = ${to}`))).count;
    const results: MigrationResult[] = [];
    const query = visibilityQuery(PROSPECT_WORKFLOW_TYPE, this.config.SALESFLOW_TASK_QUEUE, ...base, `${ProspectSA.processVersion.name} != ${to}`);
    for await (const wf of this.client.workflow.list({ query })) {
      const prospectId = prospectIdOf(wf.workflowId);
      const from = wf.typedSearchAttributes.get(ProspectSA.processVersion);
      const handle = this.client.workflow.getHandle(wf.workflowId);
      if (dryRun) {
        // The same pure rules the prospect runs, on its current state.
        let reason: string | undefined;
        try {
          migrateProcess(await handle.query(getProspect), { process: target, reassign, by }, new Date().toISOString());
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          reason = err.message.replace(/^cannot migrate [^:]+: /, '');
        }
        results.push(reason ? { prospectId, from, outcome: 'refused', reason } : { prospectId, from, outcome: 'would migrate' });
        continue;
      }
      try {
        await handle.executeUpdate(prospectUpdates.migrateProcess, { args: [{ process: target, ...(reassign ? { reassign } : {}), by }] });
        results.push({ prospectId, from, outcome: 'migrated' });
      } catch (err) {
        // Only the prospect's refusal is a result; anything else (no worker, no server) ends the run.
        if (!(err instanceof WorkflowUpdateFailedError)) throw err;
        results.push({ prospectId, from, outcome: 'refused', reason: translate(err, prospectId).message.replace(/^cannot migrate [^:]+: /, '') });
      }
    }
    results.sort((a, b) => a.prospectId.localeCompare(b.prospectId));
    // A stage names prospects; accounts have none, so a run limited to a stage leaves them.
    const customers = where.stage ? { results: [], moved: 0, refused: 0, unchanged: 0 } : await this.migrateCustomers(name, target, dryRun, by, reassign);
    return {
      results,
      moved: results.filter((r) => r.outcome !== 'refused').length,
      refused: results.filter((r) => r.outcome === 'refused').length,
      unchanged,
      customers,
    };
  }

  /**
   * The process's customer accounts to `target`, each deciding for itself as a prospect does
   * (the account's `migrateProcess` update and its validator; the same pure rule in a dry
   * run). Accounts publish no process search attribute, so every running account is asked
   * which process it runs: one query each, fine for the accounts of a company, and no
   * account started before such an attribute existed is missed.
   */
  private async migrateCustomers(name: string, target: ProcessDefinition, dryRun: boolean, by: string, reassign?: { from: string; to: string }): Promise<CustomerMigrationReport> {
    const results: CustomerMigrationResult[] = [];
    let unchanged = 0;
    const query = visibilityQuery(CUSTOMER_WORKFLOW_TYPE, this.config.SALESFLOW_TASK_QUEUE, OPEN);
    const command = { process: target, ...(reassign ? { reassign } : {}), by };
    for await (const wf of this.client.workflow.list({ query })) {
      const customerId = customerIdOf(wf.workflowId);
      const handle = this.client.workflow.getHandle(wf.workflowId);
      let state;
      try {
        state = await handle.query(getCustomer);
      } catch (err) {
        // Closed between the list and the query: nothing to move.
        if (err instanceof WorkflowNotFoundError) continue;
        throw translate(err, customerId);
      }
      if (state.process.name !== name) continue;
      const from = state.process.version;
      if (from === target.version) {
        unchanged++;
        continue;
      }
      const reasonOf = (message: string) => message.replace(/^cannot migrate [^:]+: /, '');
      if (dryRun) {
        try {
          migrateCustomer(state, command, new Date().toISOString());
          results.push({ customerId, from, outcome: 'would migrate' });
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          results.push({ customerId, from, outcome: 'refused', reason: reasonOf(err.message) });
        }
        continue;
      }
      try {
        await handle.executeUpdate(customerUpdates.migrateProcess, { args: [command] });
        results.push({ customerId, from, outcome: 'migrated' });
      } catch (err) {
        if (!(err instanceof WorkflowUpdateFailedError)) throw translate(err, customerId);
        results.push({ customerId, from, outcome: 'refused', reason: reasonOf(translate(err, customerId).message) });
      }
    }
    results.sort((a, b) => a.customerId.localeCompare(b.customerId));
    return { results, moved: results.filter((r) => r.outcome !== 'refused').length, refused: results.filter((r) => r.outcome === 'refused').length, unchanged };
  }

  private inboxQuery(rep: string, due: 'today' | 'overdue' | undefined, now: Date): string {
    const clauses = [OPEN, `${TaskSA.rep.name} = ${visibilityLiteral(rep)}`];
    if (due === 'overdue') clauses.push(dueClause(`${TaskSA.nextDue.name} < '${now.toISOString()}'`));
    if (due === 'today') {
      const end = new Date(now);
      end.setUTCHours(23, 59, 59, 999);
      clauses.push(dueClause(`${TaskSA.nextDue.name} <= '${end.toISOString()}'`));
    }
    return visibilityQuery(TASK_WORKFLOW_TYPE, this.config.SALESFLOW_TASK_QUEUE, ...clauses);
  }

  /** A rep's open tasks from visibility, soonest due first. */
  async inbox(rep: string, due?: 'today' | 'overdue', now = new Date()): Promise<InboxRow[]> {
    const rows: InboxRow[] = [];
    for await (const wf of this.client.workflow.list({ query: this.inboxQuery(rep, due, now) })) rows.push(inboxRow(wf, rep));
    return rows.sort(byDue);
  }

  /** One page of the inbox (soonest due first within the page), and the token to the next. */
  async inboxPage(rep: string, due: 'today' | 'overdue' | undefined, pageSize: number, pageToken?: string, now = new Date()): Promise<{ tasks: InboxRow[]; nextPageToken?: string }> {
    const page = await visibilityPage(this.client, this.inboxQuery(rep, due, now), pageSize, pageToken);
    return { tasks: page.executions.map((wf) => inboxRow(wf, rep)).sort(byDue), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
  }

  async task(taskId: string): Promise<TaskView> {
    try {
      return await this.client.workflow.getHandle(taskWorkflowId(taskId)).query(getTask);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new DomainError(`no task "${taskId}"`);
      throw translate(err, taskId);
    }
  }

  /** Completes a task through its workflow; tasks from before task workflows go to their prospect. */
  async completeTask(taskId: string, outcome: string, note: string | undefined, by: string): Promise<TaskView | undefined> {
    try {
      return await this.client.workflow.getHandle(taskWorkflowId(taskId)).executeUpdate(completeTaskUpdate, { args: [{ outcome, note, by }] });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw translate(err, taskId);
    }
    const prospectId = prospectOfTask(taskId);
    if (prospectId) {
      await this.sales.run(prospectId, 'completeTask', { taskId, outcome, note, by });
      return undefined;
    }
    if (customerOfTask(taskId)) {
      // A post-sales task has always run as its own workflow, so it has closed (its last
      // state says done or cancelled; a terminated run's says neither) or never was: this.task
      // says "no task" then.
      const { state } = await this.task(taskId);
      throw new DomainError(`task ${taskId} is already ${state === 'done' || state === 'cancelled' ? state : 'closed'}`);
    }
    throw new DomainError(`"${taskId}" is not a task id (they look like acme-T1, or rho-mills-C1 for a customer's)`);
  }

  private async wrap<T>(fn: () => Promise<T>, what: string): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new DomainError(`no published process "${what}"`);
      throw translate(err, what);
    }
  }
}


function inboxRow(wf: WorkflowExecutionInfo, rep: string): InboxRow {
  const memo = (wf.memo ?? {}) as { title?: string; kind?: string };
  const id = taskIdOf(wf.workflowId);
  return {
    id,
    prospectId: prospectOfTask(id) ?? '',
    kind: memo.kind ?? '',
    title: memo.title ?? '',
    rep,
    dueAt: wf.typedSearchAttributes.get(TaskSA.nextDue)?.toISOString() ?? '',
    state: wf.typedSearchAttributes.get(TaskSA.state) ?? '',
  };
}

const byDue = (a: InboxRow, b: InboxRow) => a.dueAt.localeCompare(b.dueAt) || a.id.localeCompare(b.id);

/**
 * A due-time bound for a rep's inbox, written so that SQLite visibility (the dev server's) still
 * reads the rep's own index: given a bare range on `NextDue`, its planner (no statistics) walks
 * the `NextDue` index through every open workflow of every rep due before the bound, and sorts
 * them. An OR with a term no index can serve keeps the range from choosing the index; the second
 * term never holds beside OPEN (an open run has no close time), so the rows are the same.
 */
function dueClause(range: string): string {
  return `(${range} OR CloseTime IS NOT NULL)`;
}
