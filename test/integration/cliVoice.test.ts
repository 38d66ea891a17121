import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/freePort';
import { runCli, useCliStack } from '../helpers/cli';
import { UNSUBSCRIBE_SECRET } from '../helpers/server';
import { buildServer } from '../../server/app';
import { SalesflowClient } from '../../client/pipeline/salesflowClient';
import { OpsClient } from '../../client/process/opsClient';
import { CampaignClient } from '../../client/campaign/campaignClient';
import { eventually } from '../helpers/eventually';

/**
 * What a person reads from the CLI when something is wrong (one `salesflow:` line, exit 1,
 * nothing changed), times in their zone, reassigning a prospect, and a CLI that never hangs
 * when the worker or the server is not there. The built bin against the shared dev server.
 */

const cli = useCliStack();
const salesflow = cli.salesflow;

const run = Date.now().toString(36);

/** A process whose contact stage gives the rep a task at once, and whose mails are in Berlin time. */
const processFile = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'salesflow-cli-'));
  const file = join(dir, 'berlin.yaml');
  writeFileSync(
    file,
    [
      `name: berlin-${run}`,
      'timezone: Europe/Berlin',
      'teams:',
      '  - name: sales',
      '    manager: { id: maria, email: maria@example.com }',
      '    reps:',
      '      - { id: alice, email: alice@example.com }',
      '      - { id: bob, email: bob@example.com }',
      'tasks:',
      '  contact:',
      '    - { kind: call, title: "Introduce us to {{name}}", due: 2h, escalateAfter: 1d }',
      'quotePolicy: { validity: 30d, staleAfter: 3d, escalateAfter: 7d }',
      '',
    ].join('\n'),
  );
  return file;
})();

describe('one voice for errors', () => {
  const id = `voice-${run}`;

  beforeAll(async () => {
    expect((await salesflow('create', id, '--name', 'Vera Voice', '--email', 'vera@voice.test', '--rep', 'alice')).code).toBe(0);
    expect((await salesflow('qualify', id, '--outcome', 'qualified')).code).toBe(0);
    expect((await salesflow('inquiry', 'create', id, '--item', 'PUMP-X:4')).code).toBe(0);
  });

  test.each([
    // commander's parser
    [['contact', id, '--channel', 'pigeon'], /^salesflow: --channel: "pigeon" is not one of visit, call, /],
    [['contact', id, '--channel', 'call', '--bogus'], /^salesflow: unknown option '--bogus'/],
    [['contact', id], /^salesflow: --channel is required$/],
    [['lost', id, '--reason'], /^salesflow: --reason needs a value$/],
    [['reassign', '--rep', 'bob'], /^salesflow: <id> is required$/],
    [['quote'], /^salesflow: missing command; see "salesflow quote --help"$/],
    // the domain's schemas, named by the flag the person typed
    [['contact', id, '--channel', 'call', '--at', 'yesterday'], /^salesflow: --at: /],
    [['quote', 'create', id, '--price', 'PUMP-X=-5'], /^salesflow: --price "?PUMP-X/],
    [['quote', 'create', id, '--item', 'PUMP-X:0:10'], /^salesflow: --item "?PUMP-X:0:10"?: /],
    [['inquiry', 'change', id, '--item', 'PUMP-X:-1'], /^salesflow: --item "?PUMP-X:-1"?: /],
    [['reassign', id, '--rep', ''], /^salesflow: --rep: must name a rep$/],
    // the domain's rules, checked by the prospect on the server
    [['reassign', id, '--rep', 'zed'], /^salesflow: --rep: "zed" is not a rep of process "default" v1 \(reps: alice, bob, carol\)$/],
    [['reassign', id, '--rep', 'alice'], /^salesflow: voice-\w+ is already assigned to alice$/],
    [['call', 'schedule', id, '--at', '2020-01-01T10:00:00Z'], /^salesflow: cannot schedule a call in the past/],
    // business rules about one field name it too, and print times in the person's zone
    [['inquiry', 'change', id, '--item', 'PUMP-X:3:2020-01-01'], /^salesflow: --item "?PUMP-X:3:2020-01-01"?: 2020-01-01 \(PUMP-X\) is in the past \(rule: /],
    [['contact', id, '--channel', 'call', '--at', '2099-01-01T10:00:00Z'], /^salesflow: --at: Thu 1 Jan 2099, 10:00 UTC is in the future \(rule: /],
    [['call', 'schedule', id, '--at', '2030-01-01T10:00:00Z', '--duration', '11h'], /^salesflow: --duration: a call of 11h is longer than 10h \(rule: /],
    [['quote', 'send', id], /^salesflow: cannot send/],
    // the server asks for ?rep=; the CLI user (an admin, no person id) is told the flag
    [['tasks'], /^salesflow: name a rep with --rep R: this account acts as no person$/],
  ])('%j: one salesflow: line, exit 1, the prospect unchanged', async (args, message) => {
    const before = (await salesflow('show', id, '--json')).stdout;
    const out = await salesflow(...args);
    expect(out.stderr.trimEnd()).toMatch(message);
    expect(out.stderr.endsWith('\n')).toBe(true);
    expect(out.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(out.stderr).not.toMatch(/Too small|Too big|Invalid input|Invalid option|expected \w+, received|lines\[|items\[/);
    expect(out).toMatchObject({ code: 1, stdout: '' });
    expect((await salesflow('show', id, '--json')).stdout).toBe(before);
  });

  test('a bad SALESFLOW_TIMEZONE is one line naming the setting', async () => {
    const out = await runCli(cli.target(), ['show', id], { SALESFLOW_TIMEZONE: 'Mars/Base' });
    expect(out).toMatchObject({ code: 1, stdout: '' });
    expect(out.stderr).toMatch(/^salesflow: (bad configuration: )?SALESFLOW_TIMEZONE.*must be an IANA time zone name, e\.g\. Europe\/Berlin or UTC\n$/);
  });
});

test('times are shown in SALESFLOW_TIMEZONE without milliseconds; --json keeps ISO-8601', async () => {
  const id = `tz-${run}`;
  expect((await salesflow('create', id, '--name', 'Tom Zone', '--rep', 'alice')).code).toBe(0);
  expect((await salesflow('contact', id, '--channel', 'call', '--at', '2026-03-29T01:00:00Z')).code).toBe(0);
  const text = (await runCli(cli.target(), ['show', id], { SALESFLOW_TIMEZONE: 'Europe/Berlin' })).stdout;
  expect(text).toContain('Sun 29 Mar 2026, 03:00 CEST');
  expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  expect(text).not.toMatch(/\.\d{3}Z/);
  const json = JSON.parse((await runCli(cli.target(), ['show', id, '--json'], { SALESFLOW_TIMEZONE: 'Europe/Berlin' })).stdout);
  expect(json.contacts[0].at).toBe('2026-03-29T01:00:00Z');
  expect((await salesflow('show', id)).stdout).toContain('Sun 29 Mar 2026, 01:00 UTC');
});

test('reassign moves the prospect and its open task to the new rep: inbox, search attributes, mail, record', async () => {
  const id = `reassign-${run}`;
  expect((await salesflow('create', id, '--name', 'Rhea Reassign', '--rep', 'alice', '--process', processFile)).code).toBe(0);
  const taskId = `${id}-T1`;
  await eventually(async () => {
    const inbox = JSON.parse((await salesflow('tasks', '--rep', 'alice', '--json')).stdout) as { id: string }[];
    if (!inbox.some((t) => t.id === taskId)) throw new Error('task not in alice\'s inbox yet');
  });

  const out = await salesflow('reassign', id, '--rep', 'bob', '--reason', 'alice is on leave');
  expect(out).toMatchObject({ code: 0, stderr: '' });
  expect(out.stdout).toContain(`${id}: reassigned to bob`);

  // The task workflow heard of it: bob's inbox has the task, alice's no longer does.
  await eventually(async () => {
    const bobs = JSON.parse((await salesflow('tasks', '--rep', 'bob', '--json')).stdout) as { id: string; rep: string }[];
    const alices = JSON.parse((await salesflow('tasks', '--rep', 'alice', '--json')).stdout) as { id: string }[];
    if (!bobs.some((t) => t.id === taskId) || alices.some((t) => t.id === taskId)) throw new Error('inboxes not updated yet');
  });
  expect(JSON.parse((await salesflow('task', 'show', taskId, '--json')).stdout)).toMatchObject({ rep: 'bob', state: 'open' });
  // bob has an open task, none overdue: the empty answer says which.
  expect((await salesflow('tasks', '--rep', 'bob', '--due', 'overdue')).stdout).toBe('no overdue tasks for bob\n');
  // The prospect's own Rep search attribute moved too.
  await eventually(async () => {
    const rows = JSON.parse((await salesflow('list', '--rep', 'bob', '--json')).stdout) as { id: string }[];
    if (!rows.some((r) => r.id === id)) throw new Error('not listed for bob yet');
  });

  const shown = JSON.parse((await salesflow('show', id, '--json')).stdout);
  expect(shown.info.rep).toBe('bob');
  expect(shown.changes.at(-1)).toMatchObject({ by: 'cli-test', what: `reassigned from alice to bob with task(s) ${taskId}: alice is on leave` });

  // bob is told, in the process's zone (Berlin).
  const mail = await cli.stack().sink.waitFor((m) => m.recipients.includes('bob@example.com') && m.subject.startsWith('Reassigned to you'));
  const body = mail.raw.replace(/=\r?\n/g, '');
  expect(body).toContain('alice is on leave');
  expect(body).toMatch(new RegExp(`${taskId}  due \\w{3} \\d{1,2} \\w{3} \\d{4}, \\d{2}:\\d{2} CES?T`));
});

describe('the CLI never hangs', () => {
  test('with no worker polling the task queue, a command fails within 15 s and says why (503 from the server)', async () => {
    const queue = `no-worker-${randomUUID()}`;
    const id = `noworker-${run}`;
    // A second server over the same database, whose Temporal client uses a queue no worker polls.
    const h = cli.harness();
    const app = await buildServer({
      db: h.database.db,
      sales: SalesflowClient.fromClient(h.stack.raw, { ...h.stack.config, SALESFLOW_TASK_QUEUE: queue }),
      ops: new OpsClient(SalesflowClient.fromClient(h.stack.raw, { ...h.stack.config, SALESFLOW_TASK_QUEUE: queue })),
      campaigns: CampaignClient.fromClient(h.stack.raw, { ...h.stack.config, SALESFLOW_TASK_QUEUE: queue }),
      unsubscribeSecret: UNSUBSCRIBE_SECRET,
      secureCookies: false,
      logger: false,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const address = app.server.address();
      const target = { ...cli.target(), url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
      // Starting a workflow needs no worker; answering it does.
      expect((await runCli(target, ['create', id, '--name', 'N', '--rep', 'alice'])).code).toBe(0);
      for (const args of [
        ['show', id],
        ['contact', id, '--channel', 'call'],
      ]) {
        const started = Date.now();
        const out = await runCli(target, args);
        expect(Date.now() - started).toBeLessThan(15_000);
        expect(out).toMatchObject({ code: 1, stdout: '', stderr: `salesflow: no worker is polling task queue "${queue}" — is the worker running?\n` });
      }
    } finally {
      await app.close();
    }
  }, 60_000);

  test('with no salesflow server at the URL, a command fails within seconds and says so', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const out = await runCli({ ...cli.target(), url }, ['list']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(out).toMatchObject({ code: 1, stdout: '' });
    expect(out.stderr).toBe(`salesflow: cannot reach the salesflow server at ${url} (ECONNREFUSED); is it running (npm start)? Log in to another with \`salesflow login --url URL\`\n`);
  }, 30_000);

  test('without a login the CLI says how to log in', async () => {
    const out = await runCli(cli.target(), ['list'], { SALESFLOW_TOKEN: undefined, SALESFLOW_URL: undefined });
    expect(out).toMatchObject({ code: 1, stdout: '', stderr: 'salesflow: not logged in: run `salesflow login` (or set SALESFLOW_TOKEN to an API token)\n' });
  });
});

test('process migrate exits non-zero when it refused a prospect, ends with totals, and can hand a departed rep\'s prospects over', async () => {
  const name = `mig-${run}`;
  const dir = mkdtempSync(join(tmpdir(), 'salesflow-mig-'));
  const version = (reps: string[]) =>
    [
      `name: ${name}`,
      'teams:',
      '  - name: sales',
      '    manager: { id: maria, email: maria@example.com }',
      '    reps:',
      ...reps.map((r) => `      - { id: ${r}, email: ${r}@example.com }`),
      'quotePolicy: { validity: 30d, staleAfter: 3d, escalateAfter: 7d }',
      '',
    ].join('\n');
  writeFileSync(join(dir, 'v1.yaml'), version(['alice', 'bob', 'dave']));
  writeFileSync(join(dir, 'v2.yaml'), version(['alice', 'bob', 'erin']));
  expect((await salesflow('process', 'publish', join(dir, 'v1.yaml'))).code).toBe(0);
  expect((await salesflow('create', `${name}-a`, '--name', 'A', '--rep', 'alice', '--process', name)).code).toBe(0);
  expect((await salesflow('create', `${name}-d`, '--name', 'D', '--rep', 'dave', '--process', name)).code).toBe(0);
  expect((await salesflow('process', 'publish', join(dir, 'v2.yaml'))).code).toBe(0);

  await eventually(async () => {
    const dry = await salesflow('process', 'migrate', name, '--to', '2', '--dry-run');
    if (!dry.stdout.includes('would move 1, refused 1, unchanged 0')) throw new Error(`not visible yet: ${dry.stdout}`);
    // The dry run exits as the real run will, and says that nothing moved.
    expect(dry).toMatchObject({ code: 1, stderr: 'salesflow: 1 prospect(s) would refuse the move to v2 (a dry run: nothing moved); see above\n' });
  });
  const refused = await salesflow('process', 'migrate', name, '--to', '2');
  expect(refused.code).toBe(1);
  expect(refused.stdout).toContain(`${name}-d  v1 -> v2  refused: its rep "dave" is not in version 2`);
  expect(refused.stdout.trimEnd().split('\n').at(-1)).toBe('moved 1, refused 1, unchanged 0');
  expect(refused.stderr).toBe('salesflow: 1 prospect(s) refused the move to v2; see above\n');

  const badRep = await salesflow('process', 'migrate', name, '--to', '2', '--reassign-from', 'dave', '--to-rep', 'zed');
  expect(badRep).toMatchObject({ code: 1, stdout: '', stderr: `salesflow: --to-rep zed: not a rep of ${name} v2 (reps: alice, bob, erin)\n` });

  await eventually(async () => {
    const dry = await salesflow('process', 'migrate', name, '--to', '2', '--dry-run', '--reassign-from', 'dave', '--to-rep', 'erin');
    if (!dry.stdout.includes('would move 1, refused 0, unchanged 1')) throw new Error(`not visible yet: ${dry.stdout}`);
  });
  const handedOver = await salesflow('process', 'migrate', name, '--to', '2', '--reassign-from', 'dave', '--to-rep', 'erin');
  expect(handedOver).toMatchObject({ code: 0, stderr: '' });
  expect(handedOver.stdout.trimEnd().split('\n').at(-1)).toBe('moved 1, refused 0, unchanged 1');
  expect(JSON.parse((await salesflow('show', `${name}-d`, '--json')).stdout)).toMatchObject({ info: { rep: 'erin' }, process: { version: 2 } });
  await cli.stack().sink.waitFor((m) => m.recipients.includes('erin@example.com') && m.subject.startsWith('Reassigned to you'));
}, 120_000);
