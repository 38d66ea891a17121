import { Client, Connection } from '@temporalio/client';
import type { ConnectionConfig } from '../domain/config';
import { DomainError } from '../domain/errors';

/** Opens a client for the configured namespace, with the message a person needs when Temporal is not there. */
export async function openTemporalClient(config: ConnectionConfig): Promise<{ client: Client; connection: Connection }> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, connectTimeout: 5_000 });
  } catch (err) {
    throw new DomainError(`cannot reach Temporal at ${config.TEMPORAL_ADDRESS} (${(err as Error).message}); is "npm start" running?`);
  }
  return { client: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }), connection };
}
