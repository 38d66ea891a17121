import { WorkflowNotFoundError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import type { CustomerCommandName } from '../../domain/customer/commands';
import { CUSTOMER_COMMANDS } from '../../domain/customer/commands';
import type { ContractRecord, CustomerState, RenewalQuote } from '../../domain/customer/customer';
import type { ConnectionConfig } from '../../domain/shared/config';
import { DomainError } from '../../domain/shared/errors';
import { CUSTOMER_WORKFLOW_TYPE, CustomerSA, customerIdOf, customerUpdates, customerWorkflowId, getCustomer, type CustomerCommandResult } from '../../workflows/customer/contract';
import { OPEN, visibilityLiteral, visibilityQuery } from '../../workflows/shared/searchAttributes';
import { translate, type SalesflowClient } from '../pipeline/salesflowClient';

/** One row of the customer list, from visibility (no account is woken to build it). */
export interface CustomerSummary {
  id: string;
  name: string;
  owner?: string;
  nextDue?: string;
  nextRenewal?: string;
  status: string;
}

/** A contract ending soon, for the renewals list. */
export interface RenewalRow {
  customerId: string;
  customerName: string;
  owner: string;
  contractId: string;
  product: string;
  kind: ContractRecord['kind'];
  end: string;
  status: ContractRecord['status'];
  autoRenew: boolean;
  /** The customer declined the renewal: it lapses at its end, auto-renewing or not. */
  declined?: ContractRecord['declined'];
  valueCents: number;
  currency: string;
  renewalQuote?: RenewalQuote;
}

/**
 * The typed facade over customer accounts, for the HTTP API (and through it the CLI).
 * Commands are validated here with the same domain rules the workflow's validators run,
 * so a refusal names the field before anything reaches Temporal.
 */
export class CustomerClient {
  private readonly client: Client;
  private readonly config: ConnectionConfig;

  constructor(sales: SalesflowClient) {
    this.client = sales.client;
    this.config = sales.config;
  }

  /** The account, or undefined when there is none. */
  async find(id: string): Promise<CustomerState | undefined> {
    try {
      return await this.client.workflow.getHandle(customerWorkflowId(id)).query(getCustomer);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw translate(err, id);
    }
  }

  async get(id: string): Promise<CustomerState> {
    const state = await this.find(id);
    if (!state) throw new DomainError(`no customer "${id}"`);
    return state;
  }

  /** Runs a command on the account and answers with what it made; a refusal throws. */
  async run(id: string, name: CustomerCommandName, args: unknown): Promise<CustomerCommandResult> {
    const current = await this.get(id);
    // The same rules, here first: a refused command never reaches the workflow.
    CUSTOMER_COMMANDS[name](current, args, new Date().toISOString());
    try {
      return await this.client.workflow.getHandle(customerWorkflowId(id)).executeUpdate(customerUpdates[name], { args: [args] });
    } catch (err) {
      throw translate(err, id);
    }
  }

  async list(filter: { owner?: string; limit?: number } = {}): Promise<CustomerSummary[]> {
    const query = visibilityQuery(
      CUSTOMER_WORKFLOW_TYPE,
      this.config.SALESFLOW_TASK_QUEUE,
      OPEN,
      ...(filter.owner ? [`${CustomerSA.owner.name} = ${visibilityLiteral(filter.owner)}`] : []),
    );
    const out: CustomerSummary[] = [];
    for await (const info of this.client.workflow.list({ query })) {
      out.push(summarize(info));
      if (filter.limit !== undefined && out.length >= filter.limit) break;
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Contracts ending within `withinMs` (90 days by default), soonest first, from the accounts visibility finds. */
  async renewals(filter: { withinMs?: number; owner?: string; now?: Date } = {}): Promise<RenewalRow[]> {
    const now = filter.now ?? new Date();
    const until = new Date(now.getTime() + (filter.withinMs ?? 90 * 86_400_000));
    const query = visibilityQuery(
      CUSTOMER_WORKFLOW_TYPE,
      this.config.SALESFLOW_TASK_QUEUE,
      OPEN,
      `${CustomerSA.nextRenewal.name} <= '${until.toISOString()}'`,
      ...(filter.owner ? [`${CustomerSA.owner.name} = ${visibilityLiteral(filter.owner)}`] : []),
    );
    const rows: RenewalRow[] = [];
    for await (const info of this.client.workflow.list({ query })) {
      const state = await this.find(customerIdOf(info.workflowId));
      if (!state) continue;
      rows.push(...renewalRows(state, until));
    }
    return rows.sort((a, b) => a.end.localeCompare(b.end) || a.customerId.localeCompare(b.customerId));
  }
}

/** An account's contracts that end by `until` and have not lapsed. */
export function renewalRows(state: CustomerState, until: Date): RenewalRow[] {
  return state.contracts
    .filter((k) => k.status !== 'lapsed' && Date.parse(k.end) <= until.getTime())
    .map((k) => ({
      customerId: state.info.id,
      customerName: state.info.name,
      owner: state.info.owner,
      contractId: k.id,
      product: k.product,
      kind: k.kind,
      end: k.end,
      status: k.status,
      autoRenew: k.autoRenew,
      ...(k.declined ? { declined: k.declined } : {}),
      valueCents: k.valueCents,
      currency: k.currency,
      ...(k.renewalQuote ? { renewalQuote: k.renewalQuote } : {}),
    }));
}

function summarize(info: WorkflowExecutionInfo): CustomerSummary {
  const sa = info.typedSearchAttributes;
  const memo = (info.memo ?? {}) as { name?: string };
  const due = sa.get(CustomerSA.nextDue);
  const renewal = sa.get(CustomerSA.nextRenewal);
  return {
    id: customerIdOf(info.workflowId),
    name: memo.name ?? '',
    owner: sa.get(CustomerSA.owner),
    ...(due ? { nextDue: due.toISOString() } : {}),
    ...(renewal ? { nextRenewal: renewal.toISOString() } : {}),
    status: info.status.name,
  };
}
