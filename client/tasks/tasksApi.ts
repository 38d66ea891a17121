import type { TaskView } from '../../workflows/tasks/contract';
import type { ApiClient } from '../shared/apiClient';
import type { InboxRow } from '../process/opsClient';

/** A rep's tasks through the salesflow server's API. */
export class TasksApi {
  constructor(private readonly api: ApiClient) {}

  /** The whole inbox (every page), soonest due first; without a rep, the caller's own. */
  async inbox(rep: string | undefined, due?: 'today' | 'overdue'): Promise<InboxRow[]> {
    const rows: InboxRow[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.api.get<{ tasks: InboxRow[]; nextPageToken?: string }>('/tasks', { rep, due, limit: 500, pageToken });
      rows.push(...page.tasks);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return rows.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.id.localeCompare(b.id));
  }

  get(id: string): Promise<TaskView> {
    return this.api.get(`/tasks/${encodeURIComponent(id)}`);
  }

  async complete(id: string, outcome: string, note?: string): Promise<TaskView | undefined> {
    const answer = await this.api.post<{ task?: TaskView }>(`/tasks/${encodeURIComponent(id)}/complete`, { outcome, ...(note ? { note } : {}) });
    return answer.task;
  }
}
