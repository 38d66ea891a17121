import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort } from '../../scripts/freePort';

test('ports are chosen below the ephemeral range (never handed out by listen(0)), bindable, and not twice in one process', async () => {
  const low = Number.parseInt(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]!, 10);
  const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
  expect(new Set(ports).size).toBe(20);
  for (const port of ports) {
    expect(port).toBeGreaterThanOrEqual(1_024);
    expect(port).toBeLessThan(low);
  }
  // The kernel's own choice for listen(0) is never one of them.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kernels = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  expect(kernels).toBeGreaterThanOrEqual(low);
  // Each is free to bind.
  const bound = createServer();
  await new Promise<void>((resolve, reject) => bound.once('error', reject).listen(ports[0], '127.0.0.1', resolve));
  await new Promise((resolve) => bound.close(resolve));
});
