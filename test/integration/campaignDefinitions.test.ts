import { eventually } from '../helpers/eventually';
import { cliTarget, runCli } from '../helpers/cli';
import { accountFor, call, serveStack, type Credentials } from '../helpers/server';
import { startDevServerStack, type TestStack } from '../helpers/temporal';

/**
 * What a campaign definition gets wrong, refused before anyone is mailed, over the API as the
 * CLI and the web app send it (the YAML's text): each problem with its field and its line.
 */

const uniq = Date.now().toString(36);

let stack: TestStack & { close(): Promise<void> };
let api: Awaited<ReturnType<typeof serveStack>>;
let ops: Credentials;
beforeAll(async () => {
  stack = await startDevServerStack();
  api = await serveStack(stack);
  ops = await accountFor({ ...api, stack }, `ops-${uniq}`, 'ops');
});
afterAll(async () => {
  await api?.close();
  await stack?.close();
});

const CSV = 'email,name\na@x.test,Ann\n';
const campaignYaml = (id: string, tail = '') => `id: ${id}\nname: T\ntemplate:\n  subject: "Hello {{name}}"\n  text: "Dear {{name}}"\naudience:\n  csv: people.csv\n${tail}`;

test('a bad cron is refused at its line by validate and schedule (422), never "try again" (503)', async () => {
  const yaml = campaignYaml(`cron-${uniq}`, 'schedule:\n  cron:\n    - "0 9 * * MON"\n    - "61 9 * * MON"\n');
  for (const path of ['/api/campaigns/validate', '/api/campaign-schedules']) {
    const r = await call(api.url, 'POST', path, { as: ops, body: { yaml, csv: CSV } });
    expect([path, r.status]).toEqual([path, 422]);
    expect(r.body.errors).toEqual([{ field: 'schedule.cron[1]', line: 11, message: '"61 9 * * MON": minute 61 is not in 0-59' }]);
  }
  // The cron given beside the file is refused as that field.
  const flag = await call(api.url, 'POST', '/api/campaign-schedules', { as: ops, body: { yaml: campaignYaml(`cron2-${uniq}`), csv: CSV, cron: '0 9 * * FOO' } });
  expect(flag.status).toBe(422);
  expect(flag.body.errors).toEqual([{ field: 'cron', message: expect.stringMatching(/^"0 9 \* \* FOO": day of week "FOO" is not /) }]);
  const fields = await call(api.url, 'POST', '/api/campaign-schedules', { as: ops, body: { yaml: campaignYaml(`cron3-${uniq}`), csv: CSV, cron: '0 0 9 * * MON' } });
  expect(fields.body.errors[0].message).toMatch(/has 6 fields; a cron expression has 5/);
});

test("Temporal's own refusal of a schedule is a 422 with its reason, not 503 \"try again\"", async () => {
  // An interval under a second: our schema takes any positive duration, Temporal does not.
  const r = await call(api.url, 'POST', '/api/campaign-schedules', { as: ops, body: { yaml: campaignYaml(`tiny-${uniq}`, 'schedule: {every: 500}\n'), csv: CSV } });
  expect([r.status, r.body.detail]).toEqual([422, 'Temporal refused the schedule: interval is too small']);
  expect(r.body.errors).toEqual([{ field: 'schedule', message: 'Temporal refused it: interval is too small' }]);
});

test('an unknown key, or a placeholder left open, is refused at its own line with its field', async () => {
  const yaml = `id: keys-${uniq}\nname: T\ntemplat:\n  subject: "Hello"\n  text: "Dear {{name}"\naudience:\n  csv: people.csv\n`;
  const r = await call(api.url, 'POST', '/api/campaigns/validate', { as: ops, body: { yaml, csv: CSV } });
  expect(r.status).toBe(422);
  expect(r.body.errors).toEqual([
    { field: 'template', line: 1, message: 'is required' },
    { field: 'templat', line: 3, message: "unknown key (keys at the top of the file: id, name, from, template, audience, leads, throttle, schedule)" },
  ]);
  const open = await call(api.url, 'POST', '/api/campaigns/validate', { as: ops, body: { yaml: yaml.replace('templat:', 'template:'), csv: CSV } });
  expect(open.body.errors).toEqual([{ field: 'template.text', line: 5, message: 'has "{{name}" without its closing }} (a placeholder is {{name}})' }]);
});

test('a cancelled run is called cancelled, and its unsent recipients "not sent: the run was cancelled"', async () => {
  const id = `cancelled-${uniq}`;
  const yaml = `id: ${id}\nname: Drip\ntemplate:\n  subject: "Hello {{name}}"\n  text: "Dear {{name}}"\naudience:\n  csv: people.csv\nthrottle: 6\n`;
  const csv = ['email,name', ...[0, 1, 2].map((i) => `drip${i}-${uniq}@x.test,D${i}`)].join('\n') + '\n';
  expect((await call(api.url, 'POST', '/api/campaigns', { as: ops, body: { yaml, csv } })).status).toBe(201);
  await eventually(async () => {
    const p = await call(api.url, 'GET', `/api/campaigns/${id}`, { as: ops });
    if (p.body.sent !== 1) throw new Error(JSON.stringify(p.body));
  });
  expect((await call(api.url, 'POST', `/api/campaigns/${id}/cancel`, { as: ops, body: {} })).status).toBe(200);
  await stack.raw.workflow.getHandle(`campaign-${id}`).result();
  const resumed = await call(api.url, 'POST', `/api/campaigns/${id}/resume`, { as: ops, body: {} });
  expect([resumed.status, resumed.body.detail]).toEqual([422, `campaign ${id} has ended (cancelled)`]);
  const again = await call(api.url, 'POST', '/api/campaigns', { as: ops, body: { yaml, csv } });
  expect(again.body.detail).toMatch(new RegExp(`^campaign ${id} already ran \\(cancelled\\); `));
  // validate says so before anyone presses start.
  expect((await call(api.url, 'POST', '/api/campaigns/validate', { as: ops, body: { yaml, csv } })).body.alreadyRan).toBe('cancelled');
  expect((await call(api.url, 'POST', '/api/campaigns/validate', { as: ops, body: { yaml: yaml.replace(id, `${id}-new`), csv } })).body.alreadyRan).toBeUndefined();
  const unsent = await call(api.url, 'GET', `/api/campaigns/${id}/recipients/drip2-${uniq}@x.test`, { as: ops });
  expect(unsent.body).toEqual({ email: `drip2-${uniq}@x.test`, status: 'cancelled', index: 2, reason: 'not sent: the run was cancelled' });
  expect((await call(api.url, 'GET', `/api/campaigns/${id}/recipients/drip0-${uniq}@x.test`, { as: ops })).body.status).toBe('sent');
  const state = await call(api.url, 'GET', `/api/campaigns/${id}/state`, { as: ops });
  expect(state.body).toMatchObject({ status: 'cancelled', total: 3, cursor: 1 });
});

test('a bad leads.rep or lead column is refused at its own line with its field', async () => {
  const yaml = campaignYaml(`badrep-${uniq}`, 'leads:\n  rep: zed\n  nameColumn: fullname\n');
  const r = await call(api.url, 'POST', '/api/campaigns/validate', { as: ops, body: { yaml, csv: CSV } });
  expect(r.status).toBe(422);
  expect(r.body.errors).toEqual([{ field: 'leads.nameColumn', line: 10, message: '"fullname": no such column in the CSV (columns: email, name)' }]);
  const rep = await call(api.url, 'POST', '/api/campaigns/validate', { as: ops, body: { yaml: campaignYaml(`badrep2-${uniq}`, 'leads:\n  rep: zed\n'), csv: CSV } });
  expect(rep.body.errors).toEqual([{ field: 'leads.rep', line: 9, message: '"zed" is not a rep in process "default" (reps: alice, bob, carol)' }]);
  expect(rep.body.detail).toBe('invalid campaign: line 9: leads.rep: "zed" is not a rep in process "default" (reps: alice, bob, carol)');
});

test('a prospect list naming a prospect that does not exist is refused at that line by validate', async () => {
  const known = `known-${uniq}`;
  const created = await call(api.url, 'POST', '/api/prospects', { as: ops, body: { id: known, name: 'Known One', email: `known-${uniq}@x.test`, rep: 'alice' } });
  expect(created.status).toBe(201);
  const yaml = `id: plist-${uniq}\nname: P\ntemplate:\n  subject: "Hello {{name}}"\n  text: "Dear {{name}}"\naudience:\n  prospects:\n    - ${known}\n    - nosuch-${uniq}\n`;
  const r = await call(api.url, 'POST', '/api/campaigns/validate', { as: ops, body: { yaml } });
  expect(r.status).toBe(422);
  expect(r.body.errors).toEqual([{ field: 'audience.prospects[1]', line: 9, message: `no prospect "nosuch-${uniq}"` }]);
  const good = await call(api.url, 'POST', '/api/campaigns/validate', { as: ops, body: { yaml: yaml.replace(`    - nosuch-${uniq}\n`, '') } });
  expect(good.status).toBe(200);
});

test('an unknown status filter is refused with the allowed ones, by the API (400) and the CLI', async () => {
  const r = await call(api.url, 'GET', '/api/campaigns?status=done', { as: ops });
  expect([r.status, r.body.detail]).toEqual([400, 'invalid querystring: status: must be one of resolving, running, paused, completed, cancelled']);
  expect((await call(api.url, 'GET', '/api/campaigns?status=completed', { as: ops })).status).toBe(200);
  const cli = await cliTarget({ url: api.url, database: api.database }, `ops-cli-${uniq}`, 'ops');
  expect(await runCli(cli, ['campaign', 'list', '--status', 'done'])).toMatchObject({
    code: 1,
    stderr: 'salesflow: --status: "done" is not one of resolving, running, paused, completed, cancelled\n',
  });
});

test('a listed prospect the run leaves out is named by its place in the list, not as a CSV row', async () => {
  const mailable = `mailable-${uniq}`;
  const silent = `silent-${uniq}`;
  for (const [id, email] of [[mailable, `mailable-${uniq}@x.test`], [silent, undefined]] as const) {
    expect((await call(api.url, 'POST', '/api/prospects', { as: ops, body: { id, name: 'P', rep: 'alice', ...(email ? { email } : {}) } })).status).toBe(201);
  }
  const id = `listrun-${uniq}`;
  const yaml = `id: ${id}\nname: L\ntemplate:\n  subject: "Hello {{name}}"\n  text: "Dear {{name}}"\naudience:\n  prospects: [${mailable}, ${silent}]\n`;
  expect((await call(api.url, 'POST', '/api/campaigns', { as: ops, body: { yaml } })).status).toBe(201);
  await stack.raw.workflow.getHandle(`campaign-${id}`).result();
  const cli = await cliTarget({ url: api.url, database: api.database }, `ops-cli2-${uniq}`, 'ops');
  const watched = await runCli(cli, ['campaign', 'status', id, '--watch']);
  expect(watched.stdout).toContain(`campaign ${id} completed: 1 recipient, 1 sent, 0 skipped, 0 failed, 0 remaining`);
  expect(watched.stdout).toContain('; 1 prospect of the list left out');
  expect(watched.stdout).toContain(`  prospect 2 of the list: prospect "${silent}" has no email address`);
  expect(watched.stdout).not.toContain('invalid row');
});
