import type { CustomerCommandName } from '../../domain/customer/commands';
import type { CustomerState } from '../../domain/customer/customer';
import type { CustomerCommandResult } from '../../workflows/customer/contract';
import type { ApiClient } from '../shared/apiClient';
import type { CustomerSummary, RenewalRow } from './customerClient';

/** The URL segment of each account command (server/customerRoutes.ts). */
const SEGMENTS: Record<CustomerCommandName, string> = {
  logContact: 'log-contact',
  recordSatisfaction: 'satisfaction',
  changeProfile: 'profile',
  openDeal: 'deals',
  addReferral: 'referrals',
  renewContract: 'renew',
  declineRenewal: 'decline-renewal',
  recordOrder: 'orders',
  openSupportQuery: 'support-queries',
  answerSupportQuery: 'answer-support-query',
  migrateProcess: 'migrate',
};

/** Customer accounts through the salesflow server's API, as the logged-in user. */
export class CustomerApi {
  constructor(private readonly api: ApiClient) {}

  get(id: string): Promise<CustomerState> {
    return this.api.get(`/customers/${encodeURIComponent(id)}`);
  }

  /** The first 500 accounts (the server's most) and how many matched in all. */
  async list(filter: { owner?: string; search?: string } = {}): Promise<{ customers: CustomerSummary[]; total: number }> {
    return this.api.get<{ customers: CustomerSummary[]; total: number }>('/customers', { owner: filter.owner, q: filter.search, limit: 500 });
  }

  async renewals(within?: string, owner?: string): Promise<RenewalRow[]> {
    return (await this.api.get<{ renewals: RenewalRow[] }>('/renewals', { within, owner })).renewals;
  }

  /** An account command; the server records the caller as `by`. */
  command(id: string, name: CustomerCommandName, args: Record<string, unknown>): Promise<{ result: CustomerCommandResult; customer: CustomerState }> {
    const body = Object.fromEntries(Object.entries(args).filter(([k, v]) => v !== undefined && k !== 'by'));
    return this.api.post(`/customers/${encodeURIComponent(id)}/${SEGMENTS[name]}`, body);
  }
}
