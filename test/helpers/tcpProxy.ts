import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy that can stop answering: while held, what either side sends is
 * swallowed and nothing is closed, as when a host vanishes or a network drops its packets
 * without a reset. New connections made meanwhile hang too.
 */
export interface TcpProxy {
  port: number;
  hold(): void;
  /** Closes the connections made so far (they were held) and forwards again. */
  release(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let held = false;
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const forget = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk) => held || upstream.write(chunk));
    upstream.on('data', (chunk) => held || client.write(chunk));
    for (const s of pair) {
      s.on('error', forget);
      s.on('close', forget);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the proxy has no port');
  return {
    port: address.port,
    hold: () => {
      held = true;
    },
    release: () => {
      for (const [a, b] of [...pairs]) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
      held = false;
    },
    close: async () => {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
