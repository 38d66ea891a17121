import { allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { assign, publish, versionOf, type RegistryState } from '../../domain/process/registry';
import { assignRep, getProcessVersion, getRegistry, publishProcess } from './contract';

export interface ProcessRegistryInput {
  name: string;
  state?: RegistryState;
}

/**
 * `process-<name>`: every published version of one process, kept durably in Temporal,
 * and the round-robin position of each team. Runs for as long as the process exists.
 */
export async function processRegistryWorkflow(input: ProcessRegistryInput): Promise<void> {
  let state: RegistryState = input.state ?? { name: input.name, versions: [], roundRobin: {} };
  const now = () => new Date(Date.now()).toISOString();

  setHandler(getRegistry, () => state);
  setHandler(getProcessVersion, (version?: number) => versionOf(state, version));
  setHandler(
    publishProcess,
    (request) => {
      // Applies what the validator accepted, under the rules it was recorded with (domain/shared/inputRules.ts).
      const result = publish(state, request, now(), 'recorded');
      state = result.state;
      return result.version;
    },
    { validator: (request) => void publish(state, request, now(), 'current') },
  );
  setHandler(
    assignRep,
    (request) => {
      const result = assign(state, request);
      state = result.state;
      return result.assignment;
    },
    { validator: (request) => void assign(state, request) },
  );

  // Assignment adds history with every prospect; start afresh well before it grows large.
  await condition(() => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > 5_000);
  await condition(allHandlersFinished);
  await continueAsNew<typeof processRegistryWorkflow>({ name: state.name, state });
}
