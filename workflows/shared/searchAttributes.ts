import { defineSearchAttributeKey } from '@temporalio/common';
import { DomainError } from '../../domain/shared/errors';

/**
 * Everything a person lists or filters prospects by lives in visibility, so inboxes and
 * pipeline lists need no second database. The dev server allows 10 Keyword and 3 each of
 * Datetime/Double/Int attributes per namespace; these are chosen to leave room.
 */
export const SA = {
  stage: defineSearchAttributeKey('SalesStage', 'KEYWORD'),
  rep: defineSearchAttributeKey('SalesRep', 'KEYWORD'),
  quoteTotal: defineSearchAttributeKey('QuoteTotal', 'DOUBLE'),
  nextDue: defineSearchAttributeKey('NextDueTime', 'DATETIME'),
  process: defineSearchAttributeKey('SalesProcess', 'KEYWORD'),
  processVersion: defineSearchAttributeKey('SalesProcessVersion', 'INT'),
  /** A task workflow's state (open, overdue, escalated, done, cancelled); its rep and due time reuse SalesRep and NextDueTime. */
  taskState: defineSearchAttributeKey('TaskState', 'KEYWORD'),
  /** A campaign run's status (resolving, running, paused, completed, cancelled). */
  campaignStatus: defineSearchAttributeKey('CampaignStatus', 'KEYWORD'),
  /** Recipients a campaign run has mailed so far. */
  campaignSent: defineSearchAttributeKey('CampaignSent', 'INT'),
} as const;

export const ALL_SEARCH_ATTRIBUTES = Object.values(SA);

/** The `--search-attribute NAME=Type` flags the Temporal CLI dev server takes. */
export function devServerSearchAttributeFlags(): string[] {
  const cliType = { KEYWORD: 'Keyword', DOUBLE: 'Double', DATETIME: 'Datetime', INT: 'Int', TEXT: 'Text', BOOL: 'Bool', KEYWORD_LIST: 'KeywordList' } as const;
  return ALL_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${cliType[key.type]}`]);
}

/** Visibility queries take string literals; refuse anything that could break out of one. */
export function visibilityLiteral(value: string): string {
  if (!/^[A-Za-z0-9._@-]+$/.test(value)) throw new DomainError(`invalid filter value ${JSON.stringify(value)}`);
  return `'${value}'`;
}

/**
 * A deployment is its task queue (as the suppression list is): lists, inboxes, migrations
 * and campaign filters see only the workflows of their own deployment, even when several
 * share one Temporal namespace.
 */
export function visibilityQuery(workflowType: string, taskQueue: string, ...clauses: string[]): string {
  return [`WorkflowType = ${visibilityLiteral(workflowType)}`, `TaskQueue = ${visibilityLiteral(taskQueue)}`, ...clauses].join(' AND ');
}
