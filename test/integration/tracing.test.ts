import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { SalesflowClient } from '../../client/pipeline/salesflowClient';
import { startTracing, type Tracing } from '../../client/shared/tracing';
import type { ProcessDefinitionInput } from '../../domain/process/process';
import { prospectWorkflowId } from '../../domain/pipeline/prospect';
import { MailSink } from '../../scripts/mailSink';
import { createWorkerMetrics, serveMetrics, type WorkerMetrics } from '../../worker/metrics';
import { createSalesflowWorker, TRACING_WORKFLOW_MODULES } from '../../worker/worker';
import { bundleWorkflows } from '../../worker/workflowBundle';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { quietRuntime } from '../helpers/temporal';
import { clientInterceptors, temporalClient } from '../../client/shared/temporalConnection';

/**
 * Tracing as OTEL_EXPORTER_OTLP_ENDPOINT turns it on: spans go over OTLP/HTTP (JSON) to a
 * receiver in this test, from the client (the server's side), the workflow (through the
 * bundled interceptors and the exporter sink) and the activity, as one trace. The worker's
 * own metrics (mails, deadlines) are read from its /metrics endpoint.
 */

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

const received: OtlpSpan[] = [];
let receiver: Server;
let endpoint: string;
let tracing: Tracing;
let metrics: WorkerMetrics;
let sink: MailSink;
let database: TestDatabase;
let connection: NativeConnection;
let clientConnection: Connection;
let worker: Worker;
let running: Promise<void>;
let closeWorker: () => void;
let sales: SalesflowClient;

beforeAll(async () => {
  quietRuntime();
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const data = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
        for (const rs of data.resourceSpans) for (const ss of rs.scopeSpans) received.push(...ss.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const bound = receiver.address();
  endpoint = `http://127.0.0.1:${typeof bound === 'object' && bound ? bound.port : 0}`;
  tracing = startTracing({ endpoint, serviceName: 'salesflow-test' });
  metrics = createWorkerMetrics();

  // The workflow-side interceptors must be in the bundle, as a traced worker bundles them.
  const code = await bundleWorkflows(TRACING_WORKFLOW_MODULES);
  const address = process.env.SALESFLOW_TEST_TEMPORAL_ADDRESS!;
  connection = await NativeConnection.connect({ address });
  clientConnection = await Connection.connect({ address, interceptors: clientInterceptors({ deadline: false }) });
  sink = await new MailSink().start();
  database = await freshDatabase();
  const taskQueue = `traced-${randomUUID()}`;
  const config = { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default', SALESFLOW_TASK_QUEUE: taskQueue };
  ({ worker, close: closeWorker } = await createSalesflowWorker({
    connection,
    config: { ...config, SMTP_URL: sink.url, MAIL_FROM: 'salesflow-test <salesflow@localhost>', SMTP_POOL_SIZE: 1, SALESFLOW_DEV_STACK: true },
    db: database.db,
    workflowBundle: { code },
    metrics,
    tracing,
  }));
  running = worker.run();
  sales = SalesflowClient.fromClient(temporalClient({ connection: clientConnection, interceptors: { workflow: tracing.clientInterceptors() } }), config);
}, 120_000);
afterAll(async () => {
  worker?.shutdown();
  await running;
  closeWorker?.();
  await clientConnection?.close();
  await connection?.close();
  await tracing?.shutdown();
  await sink?.stop();
  await database?.drop();
  await new Promise((resolve) => receiver?.close(resolve));
});

const fastProcess: ProcessDefinitionInput = {
  name: 'traced',
  version: 1,
  teams: [{ name: 'north', manager: { id: 'nina', email: 'nina@sales.test' }, reps: [{ id: 'ravi', email: 'ravi@sales.test' }] }],
  quotePolicy: { validity: '1h', staleAfter: '1s', escalateAfter: '1h', followUpDueIn: '1h' },
};

/** The same process with no deadline within the test: a quotation answered at once is never reminded. */
const calmProcess: ProcessDefinitionInput = { ...fastProcess, name: 'traced-calm', quotePolicy: { validity: '3h', staleAfter: '1h', escalateAfter: '2h', followUpDueIn: '1h' } };

/** A new prospect taken to a sent one-line quotation. */
async function sentQuotation(id: string, name: string, definition: ProcessDefinitionInput): Promise<void> {
  await sales.createProspect({ id, name, email: `${id}@span.test`, rep: 'ravi' }, definition);
  await sales.command(id, 'qualify', { outcome: 'qualified', by: 'ravi' });
  await sales.command(id, 'createInquiry', { items: [{ product: 'VALVE', quantity: 1 }], by: 'ravi' });
  await sales.command(id, 'createQuote', { lines: [{ product: 'VALVE', quantity: 1, unitPrice: '5' }], by: 'ravi' });
  await sales.command(id, 'sendQuote', { by: 'ravi' });
}

test('one prospect: the client start, the workflow run and the mail activity are one trace; the quotation command has its own', async () => {
  const id = `traced-${Date.now().toString(36)}`;
  await sentQuotation(id, 'Tracy Span', fastProcess);
  await sink.waitFor((m) => m.messageId === `<${prospectWorkflowId(id)}.quote-r1-sent@salesflow.invalid>`);
  // The reminder is a deadline one second after sending: it fires, is mailed and is counted.
  await sink.waitFor((m) => m.messageId === `<${prospectWorkflowId(id)}.quote-r1-reminder@salesflow.invalid>`);

  // Flushed (the batch processor sends every second): wait until the activity span arrived.
  const byName = (name: string) => received.filter((s) => s.name === name);
  for (let i = 0; i < 100 && (byName('RunActivity:sendMail').length < 1 || byName('RunActivity:sendQuotationMail').length < 1); i++) await new Promise((r) => setTimeout(r, 100));
  if (process.env.DUMP_SPANS) console.log(JSON.stringify(received.map((s) => [s.name, s.traceId.slice(0, 6), s.spanId.slice(0, 6), s.parentSpanId?.slice(0, 6)])));
  const start = byName('StartWorkflow:prospectWorkflow')[0];
  expect(start?.parentSpanId).toBeFalsy(); // the client's call is the root
  const trace = received.filter((s) => s.traceId === start!.traceId);
  const mail = trace.find((s) => s.name === 'RunActivity:sendMail');
  expect(mail).toBeDefined();
  // activity run ← activity scheduled ← the workflow run ← the client's start. The run's own
  // span ends (and is exported) only when the workflow closes, which a prospect never does
  // here: every activity it scheduled names it as parent.
  const scheduled = trace.find((s) => s.spanId === mail!.parentSpanId);
  expect(scheduled?.name).toBe('StartActivity:sendMail');
  const runSpan = scheduled!.parentSpanId;
  expect(runSpan).toBeTruthy();
  expect(runSpan).not.toBe(start!.spanId);
  expect(trace.filter((s) => s.name.startsWith('StartActivity:')).every((s) => s.parentSpanId === runSpan)).toBe(true);
  expect(trace.filter((s) => s.name.startsWith('RunActivity:')).map((s) => s.name)).toEqual(expect.arrayContaining(['RunActivity:sendMail', 'RunActivity:sendQuotationMail']));

  // The command: the client's update span and the workflow's handling of it share a trace.
  const update = byName('StartWorkflowUpdate:sendQuote')[0];
  expect(update).toBeDefined();
  const handled = received.find((s) => s.traceId === update!.traceId && s.name === 'HandleUpdate:sendQuote');
  expect(handled?.parentSpanId).toBe(update!.spanId);
});

test("the worker's /metrics counts the mails sent, the deadline that fired and how late, the read-model writes and the deals booked, and shows the SMTP pools", async () => {
  // A won deal, booked on its account within the workflow task.
  // Its process has no deadline within the test, so the reminder counted below is the first test's.
  const id = `metered-${Date.now().toString(36)}`;
  await sentQuotation(id, 'Mia Meter', calmProcess);
  await sales.command(id, 'acceptQuote', { by: 'ravi' });
  const served = await serveMetrics(metrics.registry, '127.0.0.1:0', 'worker-metrics-token-0123');
  try {
    expect((await fetch(served.url)).status).toBe(401);
    const text = await (await fetch(served.url, { headers: { authorization: 'Bearer worker-metrics-token-0123' } })).text();
    const value = (series: string) => Number(text.split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1] ?? 0);
    // The quotation and its reminder (the first test).
    expect(value('salesflow_mails_sent_total{kind="transactional"}')).toBeGreaterThanOrEqual(2);
    expect(value('salesflow_deadlines_fired_total{kind="quote_reminder"}')).toBe(1);
    expect(value('salesflow_deadline_lateness_seconds_count{kind="quote_reminder"}')).toBe(1);
    // On time on an idle dev server: well inside the 15 s bucket an alert would look past.
    expect(value('salesflow_deadline_lateness_seconds_bucket{le="15",kind="quote_reminder"}')).toBe(1);
    // The prospect's read-model writes, within its workflow tasks: at least one per command, none handed back.
    expect(value('salesflow_read_model_writes_total{kind="prospect",outcome="written"}')).toBeGreaterThanOrEqual(5);
    expect(value('salesflow_read_model_writes_total{kind="prospect",outcome="missed"}')).toBe(0);
    expect(value('salesflow_deal_bookings_total{outcome="booked"}')).toBe(1);
    expect(value('salesflow_deal_bookings_total{outcome="missed"}')).toBe(0);
    // The SMTP pools at rest, once the acceptance's confirmation mail (sent after the
    // command returned) is out: no connection held, no mail waiting, none given up.
    await eventually(async () => {
      const now = await (await fetch(served.url, { headers: { authorization: 'Bearer worker-metrics-token-0123' } })).text();
      for (const kind of ['transactional', 'campaign']) {
        expect(now).toContain(`salesflow_smtp_connections_busy{kind="${kind}"} 0`);
        expect(now).toContain(`salesflow_smtp_mails_waiting{kind="${kind}"} 0`);
        expect(now).toContain(`salesflow_smtp_mails_given_up_total{kind="${kind}"} 0`);
      }
    }, 15_000, 200);
  } finally {
    await served.close();
  }
});
