import { accountFor, call, startServer, type Credentials, type ServerHarness } from '../helpers/server';

/**
 * The server's Prometheus endpoint over real HTTP: GET /metrics (outside /api, behind
 * SALESFLOW_METRICS_TOKEN when set) counts each command by name and outcome, and the
 * counters move when a command is accepted or refused.
 */

const TOKEN = 'metrics-token-0123456789';
let h: ServerHarness;
let admin: Credentials;
beforeAll(async () => {
  h = await startServer({ metricsToken: TOKEN });
  admin = await accountFor(h, 'root', 'admin');
});
afterAll(async () => {
  await h?.close();
});

const uniq = Date.now().toString(36);
const definition = {
  name: `metrics-${uniq}`,
  version: 1,
  teams: [
    { name: 'north', manager: { id: 'nina', email: 'nina@sales.test' }, reps: [{ id: 'ravi', email: 'ravi@sales.test' }] },
    { name: 'desk', manager: { id: 'sally', email: 'sally@sales.test' }, reps: [{ id: 'sue', email: 'sue@sales.test' }] },
  ],
  support: { team: 'desk', answerWithin: '4h', escalateAfter: '4h' },
  quotePolicy: { validity: '30d', staleAfter: '3d', escalateAfter: '7d', followUpDueIn: '1d' },
};

async function scrape(): Promise<string> {
  const res = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

/** The value of one series (0 when it has not been seen yet). */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

const created = 'salesflow_commands_total{command="POST /api/prospects",outcome="accepted",status="201"}';
const refused = 'salesflow_commands_total{command="POST /api/prospects/:id/create-inquiry",outcome="refused",status="422"}';
const invalid = 'salesflow_commands_total{command="POST /api/prospects/:id/log-contact",outcome="refused",status="400"}';

test('/metrics wants the token; a scrape counts accepted and refused commands by name', async () => {
  expect((await fetch(`${h.url}/metrics`)).status).toBe(401);
  expect((await fetch(`${h.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
  // Not under /api, where a session would be asked for.
  expect((await call(h.url, 'GET', '/api/metrics', { as: admin })).status).toBe(404);

  const before = await scrape();
  expect(before).toContain('# TYPE salesflow_commands_total counter');
  expect(before).toContain('# TYPE salesflow_api_request_duration_seconds histogram');

  const id = `metrics-${uniq}`;
  expect((await call(h.url, 'POST', '/api/prospects', { as: admin, body: { id, name: 'Mia Trix', rep: 'ravi', definition } })).status).toBe(201);
  // In stage contact an inquiry is refused by the business rules; a bad channel by the schema.
  const rule = await call(h.url, 'POST', `/api/prospects/${id}/create-inquiry`, { as: admin, body: { items: [{ product: 'X', quantity: 1 }] } });
  expect(rule.status).toBe(422);
  expect(JSON.stringify(rule.body)).toContain('cannot create an inquiry in stage contact');
  expect((await call(h.url, 'POST', `/api/prospects/${id}/log-contact`, { as: admin, body: { channel: 'fax' } })).status).toBe(400);

  const after = await scrape();
  expect(value(after, created) - value(before, created)).toBe(1);
  expect(value(after, refused) - value(before, refused)).toBe(1);
  expect(value(after, invalid) - value(before, invalid)).toBe(1);
  // Reads are timed but are not commands.
  expect(after).not.toMatch(/salesflow_commands_total\{command="GET /);
  expect(after).toMatch(/salesflow_api_request_duration_seconds_count\{method="GET",route="\/api\/prospects\/:id",status="200"\}|salesflow_api_request_duration_seconds_count\{method="POST",route="\/api\/prospects",status="201"\} [1-9]/);
});

test("a scrape shows the database pool: connections by state, queries waiting, connections lost", async () => {
  const text = await scrape();
  // The pool has served this test file's requests: at least one connection, none waiting now.
  expect(value(text, 'salesflow_database_connections{state="busy"}') + value(text, 'salesflow_database_connections{state="idle"}')).toBeGreaterThanOrEqual(1);
  expect(text).toContain('salesflow_database_waiting_queries 0');
  expect(text).toContain('salesflow_database_connections_lost_total{reason="timeout"} 0');
  expect(text).toContain('salesflow_database_connections_lost_total{reason="closed"} 0');
});
