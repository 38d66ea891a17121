import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CampaignClient } from '../../client/campaign/campaignClient';
import { OpsClient } from '../../client/process/opsClient';
import { ProcessDefinitionSchema } from '../../domain/process/process';
import { startHttpServer, type RunningHttpServer } from '../helpers/unsubscribeServer';
import { campaignMessageId, leadProspectId, parseCampaignDefinition } from '../../domain/campaign/campaign';
import { campaignWorkflowId } from '../../workflows/campaign/contract';
import { MailSink } from '../../scripts/mailSink';
import { audienceCsv, csvCampaign, mailsByRecipient, recipients } from '../helpers/campaign';
import { eventually } from '../helpers/eventually';
import { cliTarget, runCli, type CliTarget } from '../helpers/cli';
import { serveStack } from '../helpers/server';
import { startDevServerStack, type TestStack } from '../helpers/temporal';
import { decompressPayload } from '../../client/shared/payloadCompression';

/**
 * Campaigns on the dev server with the real worker, real SMTP to a sink on loopback, the
 * unsubscribe endpoint over HTTP and the CLI as a user runs it.
 */

const BOUNCING = 'nobody@bounce.test';
const SECRET = 'salesflow-local-dev-secret-change-me'; // the worker's default
const uniq = Date.now().toString(36);

let stack: TestStack & { close(): Promise<void> };
let campaigns: CampaignClient;
let http: RunningHttpServer;
let api: Awaited<ReturnType<typeof serveStack>>;
let cli: CliTarget;
beforeAll(async () => {
  const sink = await new MailSink({ rejectRecipients: [BOUNCING], closeTimeoutMs: 100 }).start();
  stack = await startDevServerStack({ sink });
  campaigns = CampaignClient.fromClient(stack.raw, stack.config);
  http = await startHttpServer({ port: 0, secret: SECRET, campaigns });
  api = await serveStack(stack);
  cli = await cliTarget(api, 'ops-cli', 'ops');
});
afterAll(async () => {
  await api?.close();
  await http?.close();
  await stack?.close();
});

function expectExactlyOnce(runKey: string, emails: readonly string[]): void {
  const got = mailsByRecipient(stack.sink.messages, runKey);
  const wrong = emails.filter((e) => JSON.stringify(got.get(e)) !== JSON.stringify([campaignMessageId(runKey, e)]));
  expect(wrong).toEqual([]);
  expect(got.size).toBe(emails.length);
}

test('500 recipients: every one gets exactly one mail, with unsubscribe headers; bad rows are listed', async () => {
  const id = `five-hundred-${uniq}`;
  const emails = recipients(`p${uniq}`, 500);
  const csv = audienceCsv(emails, 'broken-address,Nobody,X\nalso@bad.test,Only two cells\n');
  const { started } = await campaigns.start(csvCampaign(id, csv));
  expect(started).toBe(true);
  expect((await campaigns.start(csvCampaign(id, csv))).started).toBe(false); // idempotent while running

  const report = await campaigns.result(id);
  expect(report).toMatchObject({ status: 'completed', total: 500, sent: 500, skipped: 0, failed: 0, remaining: 0, invalidRows: 2 });
  expect(report.invalidRowSamples).toEqual([
    { line: 502, message: 'email "broken-address": is not an email address' },
    { line: 503, message: 'has 2 cells, the header has 3' },
  ]);
  expectExactlyOnce(campaignWorkflowId(id), emails);

  const mail = stack.sink.messages.find((m) => m.recipients[0] === emails[42])!;
  expect(mail.subject).toBe('Pumps for Company 0');
  expect(mail.headers.get('list-unsubscribe')).toMatch(/^<http:\/\/127\.0\.0\.1:8088\/unsubscribe\?token=[^>]+>$/);
  expect(mail.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
  expect(mail.raw).toContain('Dear Person 42,');
  // The footer link (quoted-printable wraps long lines with "=" soft breaks).
  expect(mail.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=')).toContain('To stop receiving these mails: http://127.0.0.1:8088/unsubscribe?token=');

  // A finished run is not started again: that would mail everyone twice.
  await expect(campaigns.start(csvCampaign(id, csv))).rejects.toThrow(`campaign ${id} already ran (completed); to mail its audience again, start it with a new --id`);
  await eventually(async () => {
    const listed = (await campaigns.list({ status: 'completed' })).find((c) => c.id === id);
    expect(listed).toMatchObject({ sent: 500, name: `Campaign ${id}` });
  });
});

test('an SMTP outage in the middle: the run waits it out and every mail is delivered once', async () => {
  const id = `outage-${uniq}`;
  const emails = recipients(`o${uniq}`, 400);
  await campaigns.start(csvCampaign(id, audienceCsv(emails)), { batchSize: 20 });
  const runKey = campaignWorkflowId(id);
  await eventually(async () => expect(mailsByRecipient(stack.sink.messages, runKey).size).toBeGreaterThanOrEqual(60), 20_000, 5);
  await stack.sink.stop();
  const during = mailsByRecipient(stack.sink.messages, runKey).size;
  await new Promise((r) => setTimeout(r, 3_000));
  const stalled = await campaigns.progress(id);
  expect(stalled.status).toBe('running');
  expect(stalled.remaining).toBeGreaterThan(0);
  expect(during).toBeLessThan(400);
  await stack.sink.start();

  const report = await campaigns.result(id);
  expect(report).toMatchObject({ status: 'completed', total: 400, sent: 400, failed: 0 });
  expectExactlyOnce(runKey, emails);
});

test('a recipient refused with 5xx ends bounced and suppressed; the next run skips them', async () => {
  const emails = [...recipients(`b${uniq}`, 9), BOUNCING];
  const first = await campaigns.start(csvCampaign(`bounce-${uniq}`, audienceCsv(emails)));
  expect(first.started).toBe(true);
  const report = await campaigns.result(`bounce-${uniq}`);
  expect(report).toMatchObject({ status: 'completed', total: 10, sent: 9, failed: 1, bounced: 1, skipped: 0 });
  expect(report.exceptions).toEqual([expect.objectContaining({ email: BOUNCING, status: 'bounced', reason: expect.stringContaining('550') })]);
  await eventually(async () => {
    expect((await campaigns.suppressed()).find((e) => e.email === BOUNCING)).toMatchObject({ reason: 'bounced', source: `campaign-bounce-${uniq}` });
  });

  const again = await campaigns.start(csvCampaign(`bounce-again-${uniq}`, audienceCsv(emails)));
  expect(again.started).toBe(true);
  expect(await campaigns.result(`bounce-again-${uniq}`)).toMatchObject({ sent: 9, skipped: 1, failed: 0 });
});

test('unsubscribing through the link in a mail: token checked, opt-out recorded, next run skips them', async () => {
  const emails = recipients(`u${uniq}`, 5);
  const runKey = campaignWorkflowId(`unsub-${uniq}`);
  await campaigns.start(csvCampaign(`unsub-${uniq}`, audienceCsv(emails)));
  await campaigns.result(`unsub-${uniq}`);
  const mail = stack.sink.messages.find((m) => m.recipients[0] === emails[2] && m.headers.get('x-salesflow-campaign') === runKey)!;
  const link = new URL(/^<(.+)>$/.exec(mail.headers.get('list-unsubscribe')!)![1]!);
  const local = `${http.url}${link.pathname}${link.search}`;

  const confirm = await fetch(local);
  expect(confirm.status).toBe(200);
  expect(await confirm.text()).toContain(`Stop campaign mail to <b>${emails[2]}</b>?`);
  expect((await campaigns.suppressed()).some((e) => e.email === emails[2])).toBe(false); // a GET changes nothing

  const tampered = new URL(local);
  // A character in the middle: the last one of base64url carries spare bits, and changing
  // those makes the text non-canonical (refused as malformed) rather than forged.
  const token = link.searchParams.get('token')!;
  const at = Math.floor(token.length / 2);
  tampered.searchParams.set('token', token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1));
  const refused = await fetch(tampered, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
  expect(refused.status).toBe(400);
  expect(await refused.text()).toContain('signature does not match');

  const oneClick = await fetch(local, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
  expect(oneClick.status).toBe(200);
  expect(await oneClick.text()).toContain('will get no more campaign mail');
  expect((await campaigns.suppressed()).find((e) => e.email === emails[2])).toMatchObject({ reason: 'unsubscribed', source: runKey });

  await campaigns.start(csvCampaign(`unsub-next-${uniq}`, audienceCsv(emails)));
  const next = await campaigns.result(`unsub-next-${uniq}`);
  expect(next).toMatchObject({ sent: 4, skipped: 1 });
  expect(mailsByRecipient(stack.sink.messages, campaignWorkflowId(`unsub-next-${uniq}`)).has(emails[2]!)).toBe(false);
});

test('into the pipeline: new leads become prospects, existing prospects get the mail in their contact log', async () => {
  const leads = recipients(`lead${uniq}`, 3);
  const id = `leads-${uniq}`;
  await campaigns.start(csvCampaign(id, audienceCsv(leads), { leads: { rep: 'alice' } }));
  expect(await campaigns.result(id)).toMatchObject({ sent: 3 });
  const lead = await stack.client.getProspect(leadProspectId(leads[1]!));
  expect(lead.info).toMatchObject({ name: 'Person 1', company: 'Company 1', email: leads[1], rep: 'alice', source: `campaign:${id}` });
  expect(lead.contacts).toEqual([expect.objectContaining({ channel: 'email', direction: 'outbound', by: `campaign:${id}`, note: 'Pumps for Company 1' })]);

  // Running a lead campaign over the same people again starts no second prospect.
  await campaigns.start(csvCampaign(`${id}-2`, audienceCsv(leads), { leads: { rep: 'bob' } }));
  await campaigns.result(`${id}-2`);
  const again = await stack.client.getProspect(leadProspectId(leads[1]!));
  expect(again.info.rep).toBe('alice');
  expect(again.contacts).toHaveLength(2);

  const rep = 'carol';
  const ids = [`cust-a-${uniq}`, `cust-b-${uniq}`];
  for (const pid of ids) await stack.client.createProspect({ id: pid, name: `Name ${pid}`, email: `${pid}@customer.test`, rep });
  const byId = parseCampaignDefinition({
    id: `existing-${uniq}`,
    name: 'Cultivation',
    template: { subject: 'Hello {{name}}', text: 'Your rep {{rep}} says hi.' },
    audience: { prospects: [...ids, `missing-${uniq}`] },
  });
  await campaigns.start(byId);
  expect(await campaigns.result(byId.id)).toMatchObject({ total: 2, sent: 2, invalidRows: 1 });
  const customer = await stack.client.getProspect(ids[0]!);
  expect(customer.contacts.at(-1)).toMatchObject({ channel: 'email', by: `campaign:${byId.id}`, note: `Hello Name ${ids[0]}` });

  // The same prospects found through visibility.
  // Other files on this dev server have carol prospects too: wait for these two by id.
  await eventually(async () => {
    const listed = (await stack.client.listProspects({ rep, stage: 'contact' })).map((p) => p.id);
    expect(listed).toEqual(expect.arrayContaining(ids));
  });
  const byFilter = { ...byId, id: `filtered-${uniq}`, audience: { filter: { rep, stage: 'contact' as const } } };
  await campaigns.start(byFilter);
  const report = await campaigns.result(byFilter.id);
  expect(report.sent).toBeGreaterThanOrEqual(2);
  expect(mailsByRecipient(stack.sink.messages, campaignWorkflowId(byFilter.id)).has(`${ids[1]}@customer.test`)).toBe(true);
});

test('leads on a published process: pinned to its latest version, reps assigned round-robin, once per lead', async () => {
  const ops = new OpsClient(stack.client);
  const processName = `leadproc-${uniq}`;
  await ops.publish(
    ProcessDefinitionSchema.parse({
      name: processName,
      teams: [{ name: 'inside', manager: { id: 'ines', email: 'ines@sales.test' }, reps: [{ id: 'dora', email: 'dora@sales.test' }, { id: 'emil', email: 'emil@sales.test' }] }],
      quotePolicy: { validity: '30d', staleAfter: '3d', escalateAfter: '7d' },
    }),
    'ops',
  );
  const leads = recipients(`plead${uniq}`, 4);
  const id = `plead-${uniq}`;
  await campaigns.start(csvCampaign(id, audienceCsv(leads), { leads: { process: processName } }));
  expect(await campaigns.result(id)).toMatchObject({ sent: 4 });
  const prospects = await Promise.all(leads.map((e) => stack.client.getProspect(leadProspectId(e))));
  expect(prospects.map((p) => p.process)).toEqual(prospects.map(() => expect.objectContaining({ name: processName, version: 1 })));
  expect(prospects.map((p) => p.info.rep).sort()).toEqual(['dora', 'dora', 'emil', 'emil']);

  // A second run over the same people uses up no assignment turn and starts nobody twice.
  await campaigns.start(csvCampaign(`${id}-2`, audienceCsv(leads), { leads: { process: processName } }));
  await campaigns.result(`${id}-2`);
  const turns = (await ops.registryState(processName)).roundRobin.inside;
  expect(turns).toBe(4);

  // An unpublished process fails the run before anyone is mailed.
  const bad = `plead-bad-${uniq}`;
  await campaigns.start(csvCampaign(bad, audienceCsv(recipients(`pbad${uniq}`, 2)), { leads: { process: `nope-${uniq}` } }));
  await expect(campaigns.result(bad)).rejects.toThrow(/is not a published process/);
  expect(mailsByRecipient(stack.sink.messages, campaignWorkflowId(bad)).size).toBe(0);
});

test('a recurring campaign runs from a Temporal Schedule, each run with its own id', async () => {
  const id = `weekly-${uniq}`;
  const emails = recipients(`w${uniq}`, 3);
  const definition = csvCampaign(id, audienceCsv(emails), { schedule: { every: '7d' } });
  expect(await campaigns.schedule(definition)).toEqual({ scheduleId: `campaign-${id}`, created: true });
  await campaigns.triggerSchedule(id);
  const runId = await eventually(async () => {
    const described = await stack.raw.schedule.getHandle(`campaign-${id}`).describe();
    const action = described.info.recentActions[0];
    if (!action) throw new Error('not run yet');
    return action.action.workflow.workflowId;
  });
  expect(runId).toMatch(new RegExp(`^campaign-${id}-`));
  const report = await stack.raw.workflow.getHandle(runId).result();
  expect(report).toMatchObject({ status: 'completed', sent: 3 });
  expect(mailsByRecipient(stack.sink.messages, runId).size).toBe(3);
  await campaigns.unschedule(id);
  await expect(campaigns.unschedule(id)).rejects.toThrow(`campaign ${id} has no schedule`);
});

const salesflow = (...args: string[]) => runCli(cli, args);

test('the CLI: validate, start with plain progress lines, status, list, refusals as one line', async () => {
  // The README's example, without its demo throttle so the test does not wait for it.
  const exampleDir = join(__dirname, '..', '..', 'examples');
  // Copied with its CSV into the temporary folder, the test worker's campaign folder.
  const copyDir = mkdtempSync(join(tmpdir(), 'salesflow-example-'));
  const example = join(copyDir, 'campaign-spring.yaml');
  writeFileSync(example, readFileSync(join(exampleDir, 'campaign-spring.yaml'), 'utf8').replace(/^throttle: \d+$/m, 'throttle: 6000'));
  writeFileSync(join(copyDir, 'campaign-spring.csv'), readFileSync(join(exampleDir, 'campaign-spring.csv')));
  const validated = await salesflow('campaign', 'validate', example);
  expect(validated.code).toBe(0);
  expect(validated.stdout).toMatch(/campaign spring-offer "Spring pump offer" is valid: \d+ recipients from .*campaign-spring\.csv, 6000 mails\/min/);
  expect(validated.stdout).toMatch(/line \d+ skipped: email "not-an-address"/);

  const id = `cli-${uniq}`;
  const started = await salesflow('campaign', 'start', example, '--id', id);
  expect(started.stderr).toBe('');
  expect(started.stdout).toContain(`started campaign ${id} (workflow campaign-${id})`);
  // Not a terminal: plain lines, the last one 100% and a summary.
  expect(started.stdout).toMatch(/100% \d+\/\d+ sent \d+ skipped 0 failed 0 .* completed/);
  expect(started.stdout).toMatch(new RegExp(`campaign ${id} completed: \\d+ recipients, \\d+ sent`));

  const status = await salesflow('campaign', 'status', id, '--json');
  const view = JSON.parse(status.stdout) as { averagePerMinute: number };
  expect(view).toMatchObject({ id, status: 'completed', remaining: 0 });
  // The finished run's average is the server's, as the web page shows it: within the throttle
  // however the batches fell, and the same figure in the CLI's summary.
  expect(view.averagePerMinute).toBeGreaterThan(0);
  expect(view.averagePerMinute).toBeLessThanOrEqual(6000);
  const plainStatus = await salesflow('campaign', 'status', id);
  expect(plainStatus.stdout).toContain(`, 0 remaining, ${view.averagePerMinute.toFixed(1)} mails/min on average;`);
  // The CSV went up with the definition into the campaign store, and the worker read it from
  // there by its hash; the run's definition names the upload, never a path on the server.
  const csvText = readFileSync(join(copyDir, 'campaign-spring.csv'), 'utf8');
  const sha = createHash('sha256').update(csvText).digest('hex');
  expect(await stack.database.db.selectFrom('campaign_uploads').select('csv').where('sha256', '=', sha).executeTakeFirst()).toEqual({ csv: csvText });
  const described = await stack.raw.workflow.getHandle(campaignWorkflowId(id)).fetchHistory();
  // Read as the worker reads it: a large input is stored deflated.
  const startInput = (described.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? []).map((p) => Buffer.from(decompressPayload(p).data ?? new Uint8Array()).toString('utf8'));
  expect(startInput.join('')).toContain('Spring pump offer');
  expect(startInput.join('')).not.toContain('campaign-spring.csv');
  // One recipient's fate, from the ledger in the database.
  const one = await salesflow('campaign', 'status', id, '--recipient', 'Ann0@customer0.example', '--json');
  expect(JSON.parse(one.stdout)).toEqual({ email: 'ann0@customer0.example', status: 'sent', index: 0, messageId: campaignMessageId(campaignWorkflowId(id), 'ann0@customer0.example'), at: expect.any(String) });
  const stranger = await salesflow('campaign', 'status', id, '--recipient', `nobody-${uniq}@x.test`);
  expect(stranger).toMatchObject({ code: 1, stderr: `salesflow: nobody-${uniq}@x.test is not in campaign ${id}'s audience\n` });
  const list = await eventually(async () => {
    const out = await salesflow('campaign', 'list', '--json');
    const rows = JSON.parse(out.stdout) as { id: string }[];
    if (!rows.some((r) => r.id === id)) throw new Error('not listed yet');
    return rows;
  });
  expect(list.find((r) => r.id === id)).toMatchObject({ status: 'completed' });

  const refused = await salesflow('campaign', 'pause', id);
  expect(refused).toMatchObject({ code: 1, stderr: `salesflow: campaign ${id} has ended (completed)\n` });
  const missing = await salesflow('campaign', 'status', `nope-${uniq}`);
  expect(missing).toMatchObject({ code: 1, stderr: `salesflow: no campaign "nope-${uniq}"\n` });
  const bad = await salesflow('campaign', 'validate', join(__dirname, '..', '..', 'examples', 'process-fast.yaml'));
  expect(bad.code).toBe(1);
  expect(bad.stderr.split('\n')).toHaveLength(2);
  expect(bad.stderr).toMatch(/^salesflow: invalid campaign file: .*process-fast\.yaml:\d+: /);
});
