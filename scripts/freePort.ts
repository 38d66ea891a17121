import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Ports are taken below the system's ephemeral range. A port the kernel handed out for
 * `listen(0)` and that was closed again is soon handed out again to the next `listen(0)`:
 * the Temporal dev server binds its internal services that way while it starts, and one of
 * them took the frontend port chosen for it ("bind: address already in use", a benchmark run
 * lost). A port below the range is never handed out by the kernel, only chosen.
 */
function ephemeralLow(): number {
  try {
    const low = Number.parseInt(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]!, 10);
    if (Number.isInteger(low) && low > 2_000) return low;
  } catch {
    // Not Linux: macOS's range starts at 49152, so the ports below 32768 are outside it too.
  }
  return 32_768;
}

const LOW = ephemeralLow();
const FROM = Math.max(1_024, Math.min(20_000, LOW - 4_000));

/** Ports this process handed out already: two calls before either port is bound never get the same one. */
const handedOut = new Set<number>();

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A TCP port on loopback that nothing listens on right now, outside the ephemeral range. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = FROM + Math.floor(Math.random() * (LOW - FROM));
    if (handedOut.has(port)) continue;
    if (await isFree(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free TCP port on 127.0.0.1 between ${FROM} and ${LOW - 1}`);
}
