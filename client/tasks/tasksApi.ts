import type { TaskView } from '../../workflows/tasks/contract';
import type { ApiClient } from '../shared/apiClient';
import type { InboxRow } from '../process/opsClient';

/** A rep's tasks through the salesflow server's API. */
export class TasksApi {
  constructor(private readonly api: ApiClient) {}

  /** The whole inbox (every page), soonest due first; without a rep, the caller's own. */
  async inbox(rep: string | undefined, due?: 'today' | 'overdue'): Promise<InboxRow[]> {
    const rows = await this.api.pages<InboxRow>('/tasks', 'tasks', { rep, due });
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
