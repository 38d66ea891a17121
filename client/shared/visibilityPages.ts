import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
// The SDK's own decoder of a raw visibility row (memo, search attributes, status): the
// iterator client.workflow.list() pages internally and keeps its page token to itself.
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { DomainError } from '../../domain/shared/errors';

/**
 * One page of a visibility query, with the token that continues it: lists over HTTP page
 * through thousands of prospects without the server holding a cursor. The token is
 * Temporal's own, opaque, base64url so it travels in a query string.
 */

export interface VisibilityPage {
  executions: WorkflowExecutionInfo[];
  /** Absent on the last page. */
  nextPageToken?: string;
}

export const MAX_PAGE_SIZE = 1000;

export async function visibilityPage(client: Client, query: string, pageSize: number, pageToken?: string): Promise<VisibilityPage> {
  let token: Uint8Array | undefined;
  if (pageToken !== undefined) {
    token = Buffer.from(pageToken, 'base64url');
    if (token.length === 0) throw new DomainError(`pageToken "${pageToken}" is not a token from a previous page`);
  }
  const namespace = client.options.namespace;
  let response;
  try {
    response = await client.workflowService.listWorkflowExecutions({ namespace, query, pageSize: Math.min(pageSize, MAX_PAGE_SIZE), nextPageToken: token });
  } catch (err) {
    // A token that is not one of Temporal's is refused as an invalid argument (3).
    if (pageToken !== undefined && (err as { code?: number }).code === 3) throw new DomainError(`pageToken "${pageToken}" is not a token from a previous page`);
    throw err;
  }
  const converter = client.workflow.options.loadedDataConverter;
  const executions = await Promise.all((response.executions ?? []).map((raw) => executionInfoFromRaw(raw, converter, raw, namespace)));
  const next = response.nextPageToken && response.nextPageToken.length > 0 ? Buffer.from(response.nextPageToken).toString('base64url') : undefined;
  return { executions: executions as WorkflowExecutionInfo[], ...(next ? { nextPageToken: next } : {}) };
}
