import type { PublishedVersion } from '../../domain/process/registry';
import type { Stage } from '../../domain/pipeline/stages';
import type { ApiClient } from '../shared/apiClient';
import type { MigrationReport } from './opsClient';

export interface DefinitionChange {
  path: string;
  from: unknown;
  to: unknown;
}

/** Process definitions through the salesflow server's API: sent as the file's text, so problems come back with lines. */
export class ProcessApi {
  constructor(private readonly api: ApiClient) {}

  validate(yaml: string): Promise<{ valid: true; definition: { name: string } & Record<string, unknown> }> {
    return this.api.post('/processes/validate', { yaml });
  }

  publish(yaml: string): Promise<PublishedVersion> {
    return this.api.post('/processes', { yaml });
  }

  async list(): Promise<{ name: string; versions: number; latestPublishedAt?: string }[]> {
    return (await this.api.get<{ processes: { name: string; versions: number; latestPublishedAt?: string }[] }>('/processes')).processes;
  }

  version(name: string, version?: number): Promise<PublishedVersion> {
    return this.api.get(`/processes/${encodeURIComponent(name)}`, { version });
  }

  async diff(name: string, from: number, to: number): Promise<DefinitionChange[]> {
    return (await this.api.get<{ changes: DefinitionChange[] }>(`/processes/${encodeURIComponent(name)}/diff`, { from, to })).changes;
  }

  migrate(name: string, to: number, options: { stage?: Stage; dryRun: boolean; reassign?: { from: string; to: string } }): Promise<MigrationReport> {
    return this.api.post(`/processes/${encodeURIComponent(name)}/migrate`, { to, dryRun: options.dryRun, ...(options.stage ? { stage: options.stage } : {}), ...(options.reassign ? { reassign: options.reassign } : {}) });
  }
}
