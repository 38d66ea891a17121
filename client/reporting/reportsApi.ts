import type { ApiClient } from '../shared/apiClient';
import type { AnyReport, RebuildResult, ReportName } from '../../domain/reporting/reports';

export interface ReportOptions {
  from?: string;
  to?: string;
  rep?: string;
  team?: string;
  process?: string;
  source?: string;
  campaign?: string;
}

/** The reports through the salesflow server's API (server/reportRoutes.ts). */
export class ReportsApi {
  constructor(private readonly api: ApiClient) {}

  get<T extends AnyReport = AnyReport>(name: ReportName, options: ReportOptions = {}): Promise<T> {
    return this.api.get<T>(`/reports/${name}`, { ...options });
  }

  rebuild(): Promise<RebuildResult> {
    return this.api.post<RebuildResult>('/reports/rebuild', {});
  }
}
