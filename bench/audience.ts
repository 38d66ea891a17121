import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { eachLimited } from '../activities/shared/concurrency';
import { CampaignClient } from '../client/campaign/campaignClient';
import { SalesflowClient } from '../client/pipeline/salesflowClient';
import { parseCampaignDefinition } from '../domain/campaign/campaign';
import { newProspect } from '../domain/pipeline/lifecycle';
import { DEFAULT_PROCESS_INPUT } from '../domain/process/process';
import { startBenchStack } from './benchStack';
import { MailSink } from '../scripts/mailSink';
import { startProspect } from '../client/pipeline/start';
import { ProspectSA } from '../workflows/pipeline/contract';

/**
 * `npm run bench -- audience --prospects N`: N running prospects on a fresh dev server
 * (SQLite file, WAL), then a campaign whose audience is a filter over all of them. Prints
 * how long resolving the audience took (listing from visibility and looking every prospect
 * up) against the activity's 10-minute timeout.
 */

export async function audienceBench(options: { prospects: number; maxCached?: number }): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const n = options.prospects;
  const dir = mkdtempSync(join(tmpdir(), 'salesflow-bench-audience-'));
  const sink = await new MailSink().start();
  const stack = await startBenchStack({ dir, sink, from: 'bench <bench@localhost>', pool: 5, ...(options.maxCached ? { maxCachedWorkflows: options.maxCached } : {}) });
  const { client, config } = stack;
  const prospects = SalesflowClient.fromClient(client, config);
  const campaigns = CampaignClient.fromClient(client, config);
  try {
    const now = new Date().toISOString();
    const created = performance.now();
    await eachLimited(
      Array.from({ length: n }, (_, k) => `p${String(k).padStart(6, '0')}`),
      // Gently: a storm of starts starves the worker's first workflow tasks.
      10,
      async (id) => {
        const initial = newProspect({ id, name: `Person ${id}`, email: `${id}@bench.test`, rep: 'alice' }, DEFAULT_PROCESS_INPUT, now);
        await startProspect(client, 'bench', initial);
      },
    );
    // Counting is cheap where listing 10,000 rows every second is not.
    const query = `WorkflowType = 'prospectWorkflow' AND TaskQueue = 'bench' AND ${ProspectSA.rep.name} = 'alice'`;
    for (let seen = 0; seen < n; ) {
      await new Promise((r) => setTimeout(r, 2_000));
      seen = (await client.workflow.count(query)).count;
      console.log(`  ${seen} of ${n} prospects visible after ${((performance.now() - created) / 1000).toFixed(0)} s`);
    }
    // Settled: the last one started answers a query (its first workflow task has run; on a
    // busy machine some first tasks time out and run again).
    for (let tries = 1; ; tries++) {
      try {
        await prospects.getProspect(`p${String(n - 1).padStart(6, '0')}`);
        break;
      } catch (err) {
        if (tries >= 60) throw err;
        await new Promise((r) => setTimeout(r, 2_000));
      }
    }
    const settled = performance.now();
    console.log(`audience bench: ${n} prospects started and settled in ${((settled - created) / 1000).toFixed(1)} s`);

    const definition = parseCampaignDefinition({ id: 'bench-filter', name: 'Bench filter', template: { subject: 'Hello {{name}}', text: 'Hi' }, audience: { filter: { rep: 'alice' } } });
    const started = performance.now();
    await campaigns.start(definition);
    for (;;) {
      const p = await campaigns.progress('bench-filter');
      if (p.total === n) break;
      if (p.status !== 'resolving' && p.total !== n) throw new Error(`resolved ${p.total} of ${n}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const seconds = (performance.now() - started) / 1000;
    await campaigns.command('bench-filter', 'cancel', { by: 'bench', reason: 'only the resolution is measured' });
    console.log(`  filter audience of ${n} prospects resolved in ${seconds.toFixed(1)} s (${(n / seconds).toFixed(0)} prospects/s; activity timeout 600 s)`);
  } finally {
    await stack.stop();
    await sink.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
