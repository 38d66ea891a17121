import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { sql } from 'kysely';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { eachLimited } from '../activities/shared/concurrency';
import { OpsClient } from '../client/process/opsClient';
import { SalesflowClient } from '../client/pipeline/salesflowClient';
import { startProspect } from '../client/pipeline/start';
import { newProspect } from '../domain/pipeline/lifecycle';
import { prospectWorkflowId } from '../domain/pipeline/prospect';
import { DEFAULT_PROCESS_INPUT, type ProcessDefinitionInput } from '../domain/process/process';
import { STAGES } from '../domain/pipeline/stages';
import { MailSink } from '../scripts/mailSink';
import { startBenchStack } from './benchStack';
import { OPEN } from '../workflows/shared/searchAttributes';
import { Latencies } from './stats';

/**
 * `npm run bench -- scale --prospects N`: N open prospects on one dev server (SQLite file,
 * WAL) with the real worker at its default cache settings. Creates them in batches through
 * the typed start every caller uses (one in ten also gets a call scheduled, so reps have
 * task inboxes), then, with all of them open: list by stage and by rep and a rep's inbox
 * (p50/p99, one page of 50 as the API asks for), the worker's RSS (its own process, as deployed),
 * the dev server's and PostgreSQL's size, how long a restarted worker takes to answer a
 * command again, and how late a quotation deadline fires under that load.
 */

const REPS = ['alice', 'bob', 'carol'] as const;
const PAGE = 50;
/** A rep just hired: on the team, holding no prospect and no task yet. */
const NEW_REP = 'dave';

/** A process whose quotation goes stale after seconds, so its reminder fires during the run. */
const FAST: ProcessDefinitionInput = {
  ...DEFAULT_PROCESS_INPUT,
  name: 'bench-fast',
  quotePolicy: { validity: '1h', staleAfter: '45s', escalateAfter: '30m', currency: 'EUR', followUpDueIn: '1d' },
};

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export async function scaleBench(options: { prospects: number; concurrency: number; runs: number; maxCached?: number }): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const n = options.prospects;
  const dir = mkdtempSync(join(tmpdir(), 'salesflow-bench-scale-'));
  const sink = await new MailSink().start();
  const stack = await startBenchStack({ dir, sink, from: 'bench <bench@localhost>', pool: 2, workerProcess: true, ...(options.maxCached !== undefined ? { maxCachedWorkflows: options.maxCached } : {}) });
  const { client, config } = stack;
  const sales = SalesflowClient.fromClient(client, config);
  const ops = new OpsClient(sales);
  const run = Date.now().toString(36);
  const idOf = (k: number) => `sc-${run}-${String(k).padStart(6, '0')}`;
  try {
    console.log(`scale bench: ${n} prospects, ${options.concurrency} starts in flight, worker cache ${options.maxCached ?? 'salesflow default (SALESFLOW_MAX_CACHED_WORKFLOWS)'}`);
    const bar = new SingleBar({ format: 'creating [{bar}] {value}/{total} prospects | {rate}/s | ETA {eta_formatted}', hideCursor: true, noTTYOutput: true, notTTYSchedule: 15_000, etaBuffer: 2_000 }, Presets.shades_classic);
    const createdAt = performance.now();
    bar.start(n, 0, { rate: '0' });
    let done = 0;
    let retries = 0;
    const now = new Date().toISOString();
    const callAt = new Date(Date.now() + 3 * 86_400_000).toISOString();
    // In batches of 1,000, so a failure stops the run within one batch and the bar moves evenly.
    for (let from = 0; from < n; from += 1_000) {
      const batch = Array.from({ length: Math.min(1_000, n - from) }, (_, k) => from + k);
      await eachLimited(batch, options.concurrency, async (k) => {
        const id = idOf(k);
        const rep = REPS[k % REPS.length]!;
        // Under this load a call can outlive its gRPC deadline; try again (a start is
        // idempotent, and a call is scheduled again only if the prospect has none).
        for (let attempt = 1; ; attempt++) {
          try {
            await startProspect(client, 'bench', newProspect({ id, name: `Person ${k}`, company: `Company ${k % 997}`, email: `${id}@bench.test`, rep }, DEFAULT_PROCESS_INPUT, now));
            if (k % 10 === 0 && (await sales.getProspect(id)).tasks.length === 0) await sales.run(id, 'scheduleCall', { at: callAt, note: 'first call', by: rep });
            break;
          } catch (err) {
            if (attempt >= 5) throw err;
            retries++;
          }
        }
        done++;
        bar.update(done, { rate: (done / ((performance.now() - createdAt) / 1000)).toFixed(0) });
      });
    }
    bar.stop();
    const createSeconds = (performance.now() - createdAt) / 1000;
    console.log(`created ${n} prospects in ${createSeconds.toFixed(0)} s (${(n / createSeconds).toFixed(1)}/s; ${retries} calls tried again after a timeout)`);
    // Visibility is eventually consistent: wait until every prospect and task is listed.
    const tasks = Math.ceil(n / 10);
    for (;;) {
      const open = (await client.workflow.count(`WorkflowType = 'prospectWorkflow' AND ${OPEN}`)).count;
      const taskCount = (await client.workflow.count(`WorkflowType = 'taskWorkflow' AND ${OPEN}`)).count;
      if (open >= n && taskCount >= tasks) break;
      await new Promise((r) => setTimeout(r, 2_000));
    }
    const afterCreate = stack.workerMemory()!;

    // A quotation whose staleness reminder is due in 45 s, measured while the lists run.
    const fastId = `sc-${run}-deadline`;
    await sales.createProspect({ id: fastId, name: 'Deadline Dana', email: 'dana@bench.test', rep: 'alice' }, FAST);
    await sales.run(fastId, 'qualify', { outcome: 'qualified', by: 'alice' });
    await sales.run(fastId, 'createInquiry', { items: [{ product: 'PUMP-X', quantity: 1 }], by: 'alice' });
    await sales.run(fastId, 'createQuote', { lines: [{ product: 'PUMP-X', quantity: 1, unitPrice: '1999.99' }], by: 'alice' });
    await sales.run(fastId, 'sendQuote', { by: 'alice' });
    const sentAt = (await sales.getProspect(fastId)).quotes[0]!.sentAt!;
    const reminderDue = Date.parse(sentAt) + 45_000;
    const reminderId = `<${prospectWorkflowId(fastId)}.quote-r1-reminder@salesflow.invalid>`;
    const reminder = sink.waitFor((m) => m.messageId === reminderId, 300_000).then(() => Date.now());

    const latencies = new Latencies();
    // A few rounds first, not counted, as a serving API would be warm (its connection, the
    // dev server's page cache).
    const WARM_UP = 5;
    for (let r = -WARM_UP; r < options.runs; r++) {
      const rep = REPS[r % REPS.length]!;
      const stage = STAGES[r % 2 === 0 ? 0 : 1]!;
      const timed = r < 0 ? new Latencies() : latencies;
      await timed.time(`list by stage (${stage})`, () => sales.listProspectsPage({ stage }, PAGE));
      await timed.time('list by rep', () => sales.listProspectsPage({ rep }, PAGE));
      await timed.time('list by stage and rep', () => sales.listProspectsPage({ stage: 'contact', rep }, PAGE));
      await timed.time("a rep's inbox", () => ops.inboxPage(rep, undefined, PAGE));
      // The rare filters: a rep who holds nothing is the worst case for an index that does not
      // lead with the rep (it reads every open prospect to find none).
      await timed.time('list by rep (a rep holding none)', () => sales.listProspectsPage({ rep: NEW_REP }, PAGE));
      await timed.time("a rep's inbox (a rep with no tasks)", () => ops.inboxPage(NEW_REP, undefined, PAGE));
    }
    const afterLists = stack.workerMemory()!;
    const lateBy = (await reminder) - reminderDue;

    // Restart: a fresh worker (empty cache) until a command on an old prospect is answered.
    const restartStarted = performance.now();
    await stack.restartWorker();
    await sales.run(idOf(Math.floor(n / 2)), 'logContact', { channel: 'call', direction: 'outbound', note: 'after restart', by: REPS[Math.floor(n / 2) % 3] });
    const restartMs = performance.now() - restartStarted;

    const { rows } = await sql<{ size: string }>`select pg_database_size(current_database())::text as size`.execute(stack.db);
    const temporalBytes = fileSize(stack.dbFile) + fileSize(`${stack.dbFile}-wal`) + fileSize(`${stack.dbFile}-shm`);
    console.log('');
    console.log(`| ${n} open prospects (+${tasks} task workflows) | p50 ms | p99 ms | runs |`);
    console.log('| --- | ---: | ---: | ---: |');
    for (const name of latencies.names()) {
      const s = latencies.summary(name);
      console.log(`| ${name} (page of ${PAGE}) | ${s.p50.toFixed(1)} | ${s.p99.toFixed(1)} | ${s.n} |`);
    }
    console.log('');
    console.log('| measure | value |');
    console.log('| --- | ---: |');
    console.log(`| creating them | ${createSeconds.toFixed(0)} s (${(n / createSeconds).toFixed(1)} prospects/s, ${options.concurrency} in flight) |`);
    console.log(`| worker process RSS after creating / after the lists / peak | ${mib(afterCreate.rss)} / ${mib(afterLists.rss)} / ${mib(afterLists.peak)} |`);
    console.log(`| dev server SQLite (with WAL) | ${mib(temporalBytes)} |`);
    console.log(`| salesflow PostgreSQL database | ${mib(Number(rows[0]!.size))} |`);
    console.log(`| worker restart to a command answered | ${(restartMs / 1000).toFixed(1)} s |`);
    console.log(`| quotation staleness reminder (due 45 s after sending) mailed late by | ${(lateBy / 1000).toFixed(1)} s |`);
  } finally {
    await stack.stop();
    await sink.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
