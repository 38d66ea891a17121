import { commandSegment } from '../../domain/pipeline/commands';
import type { CommandName } from '../../domain/pipeline/lifecycle';
import type { ProspectInfoInput, ProspectState } from '../../domain/pipeline/prospect';
import type { Stage } from '../../domain/pipeline/stages';
import type { ApiClient } from '../shared/apiClient';
import type { ProspectSummary } from './salesflowClient';

/** Prospects through the salesflow server's API, as the logged-in user (`by` is who that is). */
export class ProspectsApi {
  constructor(private readonly api: ApiClient) {}

  /**
   * Creates a prospect: on a published process by name (which may assign the rep), on a
   * process file's text, or on the built-in process.
   */
  create(info: Omit<ProspectInfoInput, 'rep'> & { rep?: string }, process: { name?: string; yaml?: string } = {}): Promise<{ created: boolean; prospect: ProspectState }> {
    return this.api.post('/prospects', { ...info, ...(process.name ? { process: process.name } : {}), ...(process.yaml ? { processYaml: process.yaml } : {}) });
  }

  get(id: string): Promise<ProspectState> {
    return this.api.get(`/prospects/${encodeURIComponent(id)}`);
  }

  /** Every page up to `limit` rows (all when undefined), sorted by id like the direct list. */
  async list(filter: { stage?: Stage; rep?: string; search?: string; limit?: number }): Promise<ProspectSummary[]> {
    const rows = await this.api.pages<ProspectSummary>('/prospects', 'prospects', { stage: filter.stage, rep: filter.rep, q: filter.search }, filter.limit);
    return rows.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** A prospect command (an update of its workflow); the server records the caller as `by`. */
  command(id: string, name: CommandName, args: Record<string, unknown>): Promise<ProspectState> {
    const body = Object.fromEntries(Object.entries(args).filter(([k, v]) => v !== undefined && k !== 'by'));
    return this.api.post(`/prospects/${encodeURIComponent(id)}/${commandSegment(name)}`, body);
  }
}
