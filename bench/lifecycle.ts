import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { eachLimited } from '../activities/shared/concurrency';
import { SalesflowClient } from '../client/pipeline/salesflowClient';
import type { CommandName } from '../domain/pipeline/lifecycle';
import { prospectWorkflowId } from '../domain/pipeline/prospect';
import { MailSink } from '../scripts/mailSink';
import { createMailer } from '../worker/worker';
import { ProspectSA } from '../workflows/pipeline/contract';
import { createBareActivities } from './bare/activities';
import { BARE_STEPS, bareUpdates, type bareProspectWorkflow } from './bare/workflow';
import { startBenchStack } from './benchStack';
import { cpuSpent, type CpuTimes } from './cpu';
import { Latencies, historyBreakdown, historySize } from './stats';
import { salesflowDataConverter } from '../client/shared/payloadCompression';

/**
 * `npm run bench -- lifecycle --prospects N --concurrency C`: in one run, on one dev server
 * and one SMTP sink, N prospects driven contact → won through SalesflowClient (what the
 * API's routes call: the typed start, the update with its validator) and N through a bare
 * workflow of the same shape (bench/bare/: six updates, one mail activity, no domain logic)
 * on a worker of its own. Prints prospects/s for each, the ratio, history events and bytes
 * per prospect, and p50/p99 per command.
 */

const FROM = 'bench <bench@localhost>';
const BARE_QUEUE = 'bench-bare';

/** The six commands of a won deal, with the arguments a rep's client sends. */
const STEPS: readonly [CommandName, Record<string, unknown>][] = [
  ['logContact', { channel: 'visit', direction: 'outbound', note: 'met at the fair', by: 'alice' }],
  ['qualify', { answers: { budget: 5000, authority: 'CEO' }, outcome: 'qualified', by: 'alice' }],
  ['createInquiry', { items: [{ product: 'PUMP-X', quantity: 2, wantedDeliveryDate: '2027-01-15' }], by: 'alice' }],
  ['createQuote', { lines: [{ product: 'PUMP-X', quantity: 2, unitPrice: '1999.99' }], by: 'alice' }],
  ['sendQuote', { by: 'alice' }],
  ['acceptQuote', { by: 'alice' }],
];

interface PhaseResult {
  seconds: number;
  latencies: Latencies;
}

async function untilMailed(sink: MailSink, ids: ReadonlySet<string>, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = sink.messages.filter((m) => ids.has(m.messageId ?? '')).length;
    if (seen >= ids.size) return;
    if (Date.now() > deadline) throw new Error(`only ${seen} of ${ids.size} quotation mails arrived`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function salesflowPhase(sales: SalesflowClient, sink: MailSink, ids: readonly string[], concurrency: number, latencies = new Latencies()): Promise<PhaseResult> {
  const mails = new Set(ids.map((id) => `<${prospectWorkflowId(id)}.quote-r1-sent@salesflow.invalid>`));
  const started = performance.now();
  await eachLimited(ids, concurrency, async (id) => {
    await latencies.time('create', () => sales.createProspect({ id, name: `Person ${id}`, company: 'Bench Ltd', email: `${id}@bench.test`, rep: 'alice' }));
    for (const [name, args] of STEPS) await latencies.time(name, () => sales.run(id, name, args));
  });
  await untilMailed(sink, mails);
  return { seconds: (performance.now() - started) / 1000, latencies };
}

async function barePhase(client: Client, sink: MailSink, ids: readonly string[], concurrency: number, latencies = new Latencies()): Promise<PhaseResult> {
  const mails = new Set(ids.map((id) => `<bare-${id}.quote@bench.invalid>`));
  const started = performance.now();
  await eachLimited(ids, concurrency, async (id) => {
    const handle = await latencies.time('create', () =>
      client.workflow.start<typeof bareProspectWorkflow>('bareProspectWorkflow', {
        workflowId: `bare-${id}`,
        taskQueue: BARE_QUEUE,
        args: [{ id, email: `${id}@bench.test`, rep: 'alice' }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        memo: { name: `Person ${id}`, company: 'Bench Ltd' },
        typedSearchAttributes: [
          { key: ProspectSA.stage, value: 'contact' },
          { key: ProspectSA.rep, value: 'alice' },
        ],
      }),
    );
    for (const [k, step] of BARE_STEPS.entries()) {
      await latencies.time(step, () => handle.executeUpdate(bareUpdates[step], { args: [STEPS[k]![1]] }));
    }
  });
  await untilMailed(sink, mails);
  return { seconds: (performance.now() - started) / 1000, latencies };
}

async function averageHistory(client: Client, workflowIds: readonly string[]): Promise<{ events: number; bytes: number }> {
  let events = 0;
  let bytes = 0;
  await eachLimited(workflowIds, 8, async (id) => {
    const size = await historySize(client, id);
    events += size.events;
    bytes += size.bytes;
  });
  return { events: events / workflowIds.length, bytes: bytes / workflowIds.length };
}

/** Workflows other than the prospects that the salesflow run started (task workflows, customer accounts), with their histories. */
async function otherWorkflows(client: Client): Promise<{ type: string; count: number; events: number; bytes: number }[]> {
  const byType = new Map<string, string[]>();
  for await (const info of client.workflow.list({ query: `TaskQueue = 'bench' AND WorkflowType != 'prospectWorkflow'` })) {
    byType.set(info.type, [...(byType.get(info.type) ?? []), info.workflowId]);
  }
  const out = [];
  for (const [type, ids] of byType) {
    const avg = await averageHistory(client, ids);
    out.push({ type, count: ids.length, events: avg.events * ids.length, bytes: avg.bytes * ids.length });
  }
  return out;
}

/**
 * Waits until the salesflow prospects' histories are complete: no activity pending and no
 * timer open (the read-model feed writes a few seconds after the last command, the deal
 * report runs after the acceptance). Returns the seconds it took.
 */
async function settled(client: Client, ids: readonly string[]): Promise<number> {
  const started = performance.now();
  const sample = ids.slice(-Math.min(ids.length, 8)).map(prospectWorkflowId);
  const open = async (id: string): Promise<boolean> => {
    const handle = client.workflow.getHandle(id);
    if ((await handle.describe()).raw.pendingActivities?.length) return true;
    const events = (await handle.fetchHistory()).events ?? [];
    const timers = events.filter((e) => e.timerStartedEventAttributes).length;
    const closed = events.filter((e) => e.timerFiredEventAttributes || e.timerCanceledEventAttributes).length;
    return timers > closed;
  };
  for (let round = 0; round < 120; round++) {
    let busy = false;
    for (const id of sample) busy = busy || (await open(id));
    if (!busy) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return (performance.now() - started) / 1000;
}

function ms(n: number): string {
  return n.toFixed(n < 10 ? 1 : 0);
}

export async function lifecycleBench(options: { prospects: number; concurrency: number; rounds?: number; warmup?: number; recordHistory?: string }): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const n = options.prospects;
  const c = options.concurrency;
  const warm = options.warmup ?? Math.min(c * 2, n);
  const dir = mkdtempSync(join(tmpdir(), 'salesflow-bench-lifecycle-'));
  const sink = await new MailSink().start();
  const stack = await startBenchStack({ dir, sink, from: FROM, pool: 2 });
  const sales = SalesflowClient.fromClient(stack.client, stack.config);
  const native = await NativeConnection.connect({ address: stack.config.TEMPORAL_ADDRESS });
  // Same transport settings as the salesflow worker's transactional mail (two connections).
  const mailer = createMailer({ SMTP_URL: sink.url }, 2);
  const bareWorker = await Worker.create({
    dataConverter: salesflowDataConverter,
    connection: native,
    namespace: 'default',
    taskQueue: BARE_QUEUE,
    workflowsPath: require.resolve('./bare/workflow'),
    activities: createBareActivities(mailer, FROM),
  });
  const bareRunning = bareWorker.run();
  const run = Date.now().toString(36);
  const idsOf = (tag: string, count: number) => Array.from({ length: count }, (_, k) => `${tag}-${run}-${String(k).padStart(6, '0')}`);
  try {
    console.log(`lifecycle bench: ${n} prospects each way, ${c} in flight, ${warm} warm-up each (not counted); sink ${sink.url}`);
    // Warm both workers (bundles loaded, first tasks run, connections open) before measuring.
    await barePhase(stack.client, sink, idsOf('wb', warm), c);
    await salesflowPhase(sales, sink, idsOf('ws', warm), c);

    const bareIds = idsOf('b', n);
    const salesIds = idsOf('s', n);
    // Both sides in alternating rounds (bare then salesflow, then salesflow then bare, ...):
    // this machine's speed drifts by a fifth over tens of seconds, and one phase after the
    // other let a slow spell fall on one side only (the ratio of single runs ranged 0.58 to
    // 0.81 on one build). Alternating spreads it over both.
    const rounds = Math.max(1, Math.min(options.rounds ?? 4, Math.floor(n / c)));
    const bare = { seconds: 0, latencies: new Latencies() };
    const salesflow = { seconds: 0, latencies: new Latencies() };
    let bareCpu: CpuTimes = { bench: 0, temporal: 0, postgres: 0 };
    let salesCpu: CpuTimes = { bench: 0, temporal: 0, postgres: 0 };
    const add = (a: CpuTimes, b: CpuTimes): CpuTimes => ({ bench: a.bench + b.bench, temporal: a.temporal + b.temporal, postgres: a.postgres + b.postgres });
    for (let r = 0; r < rounds; r++) {
      const slice = (ids: string[]) => ids.slice(Math.floor((r * n) / rounds), Math.floor(((r + 1) * n) / rounds));
      const sides = [
        async () => {
          const cpu = stack.cpu();
          bare.seconds += (await barePhase(stack.client, sink, slice(bareIds), c, bare.latencies)).seconds;
          bareCpu = add(bareCpu, cpuSpent(cpu, stack.cpu()));
        },
        async () => {
          const cpu = stack.cpu();
          salesflow.seconds += (await salesflowPhase(sales, sink, slice(salesIds), c, salesflow.latencies)).seconds;
          salesCpu = add(salesCpu, cpuSpent(cpu, stack.cpu()));
        },
      ];
      for (const side of r % 2 === 0 ? sides : sides.reverse()) await side();
    }
    console.log(`  ${rounds} alternating rounds of ${Math.floor(n / rounds)} prospects each way`);
    console.log(`  bare workflow: ${(n / bare.seconds).toFixed(1)} prospects/s (${bare.seconds.toFixed(1)} s)`);
    console.log(`  salesflow:     ${(n / salesflow.seconds).toFixed(1)} prospects/s (${salesflow.seconds.toFixed(1)} s)`);
    // Where each side's time goes: the whole machine is shared, so this is what a prospect costs.
    const perProspect = (t: CpuTimes) => `${(t.bench / n).toFixed(1)} ms bench process (worker, client, SMTP sink), ${(t.temporal / n).toFixed(1)} ms dev server, ${(t.postgres / n).toFixed(1)} ms PostgreSQL`;
    console.log(`  CPU per bare prospect:      ${perProspect(bareCpu)}`);
    console.log(`  CPU per salesflow prospect: ${perProspect(salesCpu)}`);

    const tail = await settled(stack.client, salesIds);
    console.log(`  salesflow histories complete ${tail.toFixed(1)} s after the last mail (the deal report and the quotation mail run after the last command)`);
    const bareHistory = await averageHistory(stack.client, bareIds.map((id) => `bare-${id}`));
    const salesHistory = await averageHistory(stack.client, salesIds.map(prospectWorkflowId));
    const others = await otherWorkflows(stack.client);
    const total = n + warm;

    const ratio = bare.seconds / salesflow.seconds;
    console.log('');
    console.log('| | prospects/s | history events / prospect | history bytes / prospect |');
    console.log('| --- | ---: | ---: | ---: |');
    console.log(`| bare workflow | ${(n / bare.seconds).toFixed(1)} | ${bareHistory.events.toFixed(1)} | ${bareHistory.bytes.toFixed(0)} |`);
    console.log(`| salesflow | ${(n / salesflow.seconds).toFixed(1)} | ${salesHistory.events.toFixed(1)} | ${salesHistory.bytes.toFixed(0)} |`);
    console.log(`| **ratio** | **${ratio.toFixed(2)}** | ${(salesHistory.events / bareHistory.events).toFixed(2)}× | **${(salesHistory.bytes / bareHistory.bytes).toFixed(2)}×** |`);
    for (const o of others) {
      console.log(`(salesflow also ran ${o.count} ${o.type}s: ${(o.events / total).toFixed(1)} events, ${(o.bytes / total).toFixed(0)} bytes per prospect)`);
    }
    console.log('');
    console.log('| command | bare p50 ms | bare p99 ms | salesflow p50 ms | salesflow p99 ms |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const name of ['create', ...BARE_STEPS]) {
      const b = bare.latencies.summary(name);
      const s = salesflow.latencies.summary(name);
      console.log(`| ${name} | ${ms(b.p50)} | ${ms(b.p99)} | ${ms(s.p50)} | ${ms(s.p99)} |`);
    }
    if (options.recordHistory) {
      // A won prospect's history for test/replay (the workflow code of this build).
      writeFileSync(options.recordHistory, historyToJSON(await stack.client.workflow.getHandle(prospectWorkflowId(salesIds[0]!)).fetchHistory()) + '\n');
      console.log(`wrote the history of ${prospectWorkflowId(salesIds[0]!)} to ${options.recordHistory}`);
      // The bare one's beside it, to compare what replaying each costs.
      const bareFile = options.recordHistory.replace(/(\.json)?$/, '-bare.json');
      writeFileSync(bareFile, historyToJSON(await stack.client.workflow.getHandle(`bare-${bareIds[0]!}`).fetchHistory()) + '\n');
      console.log(`wrote the history of bare-${bareIds[0]!} to ${bareFile}`);
      // And the customer account the won deals booked onto (every bench prospect is of one company).
      for await (const info of stack.client.workflow.list({ query: `TaskQueue = 'bench' AND WorkflowType = 'customerWorkflow'` })) {
        const file = options.recordHistory.replace(/(\.json)?$/, '-customer.json');
        writeFileSync(file, historyToJSON(await stack.client.workflow.getHandle(info.workflowId).fetchHistory()) + '\n');
        console.log(`wrote the history of ${info.workflowId} to ${file}`);
        break;
      }
    }
    // Where the bytes go: per prospect, by event type, over a sample of each.
    const sample = Math.min(n, 20);
    const bareBy = await historyBreakdown(stack.client, bareIds.slice(0, sample).map((id) => `bare-${id}`));
    const salesBy = await historyBreakdown(stack.client, salesIds.slice(0, sample).map(prospectWorkflowId));
    console.log('');
    console.log(`| event type (per prospect, ${sample} sampled) | bare events | bare bytes | salesflow events | salesflow bytes |`);
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const type of [...new Set([...salesBy.keys(), ...bareBy.keys()])].sort()) {
      const b = bareBy.get(type) ?? { events: 0, bytes: 0 };
      const s = salesBy.get(type) ?? { events: 0, bytes: 0 };
      console.log(`| ${type.replace(/^EVENT_TYPE_/, '')} | ${(b.events / sample).toFixed(1)} | ${(b.bytes / sample).toFixed(0)} | ${(s.events / sample).toFixed(1)} | ${(s.bytes / sample).toFixed(0)} |`);
    }
    const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
    console.log(`\ngoals in this run: ratio ≥ 0.8 ${met(ratio >= 0.8)}; history ≤ 1.5× the bare bytes ${met(salesHistory.bytes <= 1.5 * bareHistory.bytes)}`);
  } finally {
    bareWorker.shutdown();
    await bareRunning;
    mailer.close();
    await native.close();
    await stack.stop();
    await sink.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
