import { rmSync } from 'node:fs';
import { dirname } from 'node:path';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__salesflowBrowser?.close();
  await globalThis.__salesflowDevServer?.stop();
  const postgres = globalThis.__salesflowPostgres;
  if (postgres) {
    await postgres.stop();
    // A throwaway cluster is tens of MB; the run's other temp files stay for post-mortems.
    rmSync(dirname(postgres.dataDir), { recursive: true, force: true });
  }
}
