import type { CampaignCommandName, CampaignProgressView, CampaignState } from '../../domain/campaign/campaign';
import type { SuppressionEntry, SuppressionRemoval } from '../../domain/campaign/suppression';
import type { CsvRowError } from '../../domain/campaign/csv';
import type { ApiClient } from '../shared/apiClient';
import type { CampaignSummary } from './campaignClient';

/** A campaign file as sent: its text, and the audience CSV's text when it names one. */
export interface CampaignUpload {
  yaml: string;
  csv?: string;
}

export interface CampaignCheck {
  valid: true;
  definition: { id: string; name: string; audience: Record<string, unknown>; throttle?: number; schedule?: { cron?: string[]; every?: number } };
  recipients?: number;
  columns?: string[];
  invalidRows: CsvRowError[];
  /** An earlier run under this id completed or was cancelled: starting this one would be refused. */
  alreadyRan?: 'completed' | 'cancelled';
}

export interface RecipientStatus {
  email: string;
  status: string;
  index?: number;
  reason?: string;
  messageId?: string;
  at?: string;
}

/** Campaign runs, schedules and the suppression list through the salesflow server's API. */
export class CampaignApi {
  constructor(private readonly api: ApiClient) {}

  /** Only what the server takes (a caller may hold more, such as where the CSV was read). */
  private static body(upload: CampaignUpload): CampaignUpload {
    return { yaml: upload.yaml, ...(upload.csv !== undefined ? { csv: upload.csv } : {}) };
  }

  validate(upload: CampaignUpload): Promise<CampaignCheck> {
    return this.api.post('/campaigns/validate', CampaignApi.body(upload));
  }

  start(upload: CampaignUpload, options: { batchSize?: number } = {}): Promise<{ started: boolean; workflowId: string; validation: CampaignCheck }> {
    return this.api.post('/campaigns', { ...CampaignApi.body(upload), ...(options.batchSize ? { batchSize: options.batchSize } : {}) });
  }

  progress(id: string): Promise<CampaignProgressView> {
    return this.api.get(`/campaigns/${encodeURIComponent(id)}`);
  }

  state(id: string): Promise<CampaignState> {
    return this.api.get(`/campaigns/${encodeURIComponent(id)}/state`);
  }

  recipient(id: string, email: string): Promise<RecipientStatus> {
    return this.api.get(`/campaigns/${encodeURIComponent(id)}/recipients/${encodeURIComponent(email)}`);
  }

  command(id: string, name: CampaignCommandName, reason?: string): Promise<CampaignProgressView> {
    return this.api.post(`/campaigns/${encodeURIComponent(id)}/${name}`, reason ? { reason } : {});
  }

  list(filter: { status?: string; limit?: number }): Promise<CampaignSummary[]> {
    return this.api.pages<CampaignSummary>('/campaigns', 'campaigns', { status: filter.status }, filter.limit);
  }

  schedule(upload: CampaignUpload, override: { cron?: string; every?: string }): Promise<{ scheduleId: string; created: boolean; definition: CampaignCheck['definition'] }> {
    return this.api.post('/campaign-schedules', { ...CampaignApi.body(upload), ...override });
  }

  unschedule(id: string): Promise<void> {
    return this.api.delete(`/campaign-schedules/${encodeURIComponent(id)}`);
  }

  suppress(email: string, reason: string, note: string): Promise<SuppressionEntry> {
    return this.api.post('/suppressions', { email, reason, note });
  }

  unsuppress(email: string, reason: string): Promise<SuppressionRemoval> {
    return this.api.post('/suppressions/unsuppress', { email, reason });
  }

  async suppressed(): Promise<SuppressionEntry[]> {
    return (await this.api.get<{ suppressed: SuppressionEntry[] }>('/suppressions')).suppressed;
  }

  async removals(): Promise<SuppressionRemoval[]> {
    return (await this.api.get<{ removals: SuppressionRemoval[] }>('/suppressions/removals')).removals;
  }
}
