import { status } from '@grpc/grpc-js';
import { Connection, isGrpcServiceError } from '@temporalio/client';
import { clientInterceptors } from '../../client/shared/temporalConnection';

/**
 * A call still retrying when its connection is closed (a test's teardown, the server's
 * shutdown) ends as a CANCELLED rejection of that call, not as an uncaught "Channel has
 * been shut down" thrown later from the SDK's retry timer.
 */
test('closing a connection while a call waits to retry rejects that call, and throws nothing later', async () => {
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  try {
    // Nothing listens on port 1: every attempt is refused, so the retry interceptor waits and retries.
    const connection = Connection.lazy({ address: '127.0.0.1:1', interceptors: clientInterceptors({ deadline: false }) });
    const settled = connection.workflowService.getSystemInfo({}).then(
      () => 'answered',
      (err: unknown) => err,
    );
    await new Promise((r) => setTimeout(r, 400));
    await connection.close();
    const err = await settled;
    expect(isGrpcServiceError(err) && err.code).toBe(status.CANCELLED);
    // Long enough for every retry the SDK would still have scheduled.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(uncaught).toEqual([]);
  } finally {
    process.off('uncaughtException', onUncaught);
  }
});
