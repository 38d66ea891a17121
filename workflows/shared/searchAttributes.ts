import { workflowInfo } from '@temporalio/workflow';
import { DomainError } from '../../domain/shared/errors';

/**
 * Visibility queries over the areas' search attributes (each area's contract defines its
 * own keys; worker/searchAttributes.ts registers them all).
 */

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

/**
 * "Still open", in the form every list of open workflows uses. A run is open exactly while it has
 * no close time. Not `ExecutionStatus = 'Running'`, which says the same but is an equality on an
 * indexed column: the dev server's SQLite visibility has no planner statistics, and given that
 * equality beside a stage or a rep, it walks the status index through every open workflow to find
 * the few that match (a stage holding no one took 184 ms at 100,000 open prospects). With no
 * equality on the status, it takes the attribute's own index and reads only the matches.
 */
export const OPEN = 'CloseTime IS NULL';

/**
 * Whether this run keeps its search attributes current: only where the server knows them.
 * Every start on a real server sets the area's attributes from the first moment (the start
 * helpers in client/); on the time-skipping test server, which cannot register custom ones,
 * runs start without them (client/shared/visibility.ts), and so publish none. This is the
 * one place a workflow decides it; the committed histories agree (each that upserts started
 * with them), and the `searchAttributes: false` their inputs may carry is no longer read.
 */
export function startedWithSearchAttribute(key: { name: string }): boolean {
  return workflowInfo().typedSearchAttributes.getAll().some((pair) => pair.key.name === key.name);
}
