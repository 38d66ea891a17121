import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AssignRequest, Assignment, Publish, PublishedVersion, RegistryState } from '../../domain/process/registry';

/**
 * The process area's Temporal contract: one registry workflow per named process
 * (`processRegistryWorkflow`, id `process-<name>`) keeps its published versions and the
 * teams' round-robin positions. Bundle-safe.
 */

const REGISTRY_ID_PREFIX = 'process-';

export function registryWorkflowId(name: string): string {
  return `${REGISTRY_ID_PREFIX}${name}`;
}

/** The process name back from its registry's workflow id. */
export function registryNameOf(workflowId: string): string {
  return workflowId.startsWith(REGISTRY_ID_PREFIX) ? workflowId.slice(REGISTRY_ID_PREFIX.length) : workflowId;
}

/** The registry's workflow type, for visibility queries. */
export const REGISTRY_WORKFLOW_TYPE = 'processRegistryWorkflow';

export const publishProcess = defineUpdate<PublishedVersion, [Publish]>('publish');
export const assignRep = defineUpdate<Assignment, [AssignRequest]>('assign');
export const getRegistry = defineQuery<RegistryState>('getRegistry');
export const getProcessVersion = defineQuery<PublishedVersion, [number | undefined]>('getProcessVersion');
