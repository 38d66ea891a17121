import type { ApiClient } from '../shared/apiClient';

export interface InboundMail {
  id: string;
  receivedAt: string;
  messageId: string;
  from: string | null;
  subject: string | null;
  status: 'pending' | 'logged' | 'auto_reply' | 'unmatched';
  prospectId: string | null;
  matchedBy: string | null;
  detail: string | null;
  text: string | null;
}

export type InboundStatus = InboundMail['status'];

/** Inbound mail (replies) as ops read it, through the salesflow server's API. */
export class InboundApi {
  constructor(private readonly api: ApiClient) {}

  async list(status: InboundStatus = 'unmatched', limit = 100): Promise<InboundMail[]> {
    return (await this.api.get<{ mail: InboundMail[] }>('/inbound', { status, limit })).mail;
  }
}
