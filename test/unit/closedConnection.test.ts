import { Connection } from '@temporalio/client';
import { clientInterceptors } from '../../client/shared/temporalConnection';

/**
 * A call made on a connection already closed (a test's teardown, a server shutting down) ends
 * CANCELLED through the caller's promise; it used to end in an uncaught TypeError from the
 * SDK's retry interceptor, which failed the test file whose teardown raced it.
 */
test('a call on a closed connection rejects CANCELLED, nothing thrown beside it', async () => {
  const connection = Connection.lazy({ address: '127.0.0.1:1', interceptors: clientInterceptors() });
  await connection.close();
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  try {
    await expect(connection.workflowService.getSystemInfo({})).rejects.toMatchObject({ code: 1, details: 'the connection to Temporal was closed' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(uncaught).toEqual([]);
  } finally {
    process.removeListener('uncaughtException', onUncaught);
  }
});
