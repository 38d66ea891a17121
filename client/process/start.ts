import type { Client, WorkflowHandle } from '@temporalio/client';
import type { AssignRequest, Assignment, PublishedVersion } from '../../domain/process/registry';
import { REGISTRY_WORKFLOW_TYPE, assignRep, getProcessVersion, registryWorkflowId } from '../../workflows/process/contract';
import type { processRegistryWorkflow } from '../../workflows/process/processRegistry';

/**
 * The process registry's typed entry points, for every caller (the ops facade, the campaign
 * activity that assigns its new leads a rep, the HTTP API).
 */

/** The registry of `name`, started on first use (idempotent); `create: false` only looks it up. */
export async function registryHandle(client: Client, taskQueue: string, name: string, create: boolean): Promise<WorkflowHandle<typeof processRegistryWorkflow>> {
  const workflowId = registryWorkflowId(name);
  if (create) {
    await client.workflow.start<typeof processRegistryWorkflow>(REGISTRY_WORKFLOW_TYPE, {
      workflowId,
      taskQueue,
      args: [{ name }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  }
  return client.workflow.getHandle<typeof processRegistryWorkflow>(workflowId);
}

/** A published version of the process (the latest when `version` is undefined). */
export function processVersion(client: Client, name: string, version?: number): Promise<PublishedVersion> {
  return client.workflow.getHandle(registryWorkflowId(name)).query(getProcessVersion, version);
}

/** Round-robin (or territory) assignment by the published process; durable across callers. */
export function assignOnProcess(client: Client, name: string, request: AssignRequest): Promise<Assignment> {
  return client.workflow.getHandle(registryWorkflowId(name)).executeUpdate(assignRep, { args: [request] });
}
