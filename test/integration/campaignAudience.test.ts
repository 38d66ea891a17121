import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { CampaignClient } from '../../client/campaign/campaignClient';
import { eachLimited } from '../../activities/shared/concurrency';
import { createCampaignAudienceActivities, type ListingProgress, type LookupProgress } from '../../activities/campaign/campaignAudience';
import { CampaignStore } from '../../db/campaignStore';
import { parseCampaignDefinition, type CampaignDefinitionInput } from '../../domain/campaign/campaign';
import { newProspect } from '../../domain/pipeline/lifecycle';
import { DEFAULT_PROCESS_INPUT } from '../../domain/process/process';
import { startProspect } from '../../client/pipeline/start';
import { audienceCsv, csvCampaign, recipients } from '../helpers/campaign';
import { eventually } from '../helpers/eventually';
import { startDevServerStack, type TestStack } from '../helpers/temporal';

/**
 * Audiences on the dev server: lead settings checked before anyone is mailed, a row that
 * cannot become a prospect reported while the run goes on, CSVs only from the campaign
 * folder, and filters that leave closed prospects out and scale with paging that resumes.
 */

const uniq = Date.now().toString(36);
let stack: TestStack & { close(): Promise<void> };
let campaigns: CampaignClient;
beforeAll(async () => {
  stack = await startDevServerStack();
  campaigns = CampaignClient.fromClient(stack.raw, stack.config);
});
afterAll(async () => {
  await stack?.close();
});

function csvFile(lines: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'salesflow-audience-')), 'audience.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

test('lead settings that do not fit fail the run before anyone is mailed, naming the setting', async () => {
  const csv = audienceCsv(recipients(`ls${uniq}`, 3));
  await campaigns.start(csvCampaign(`badrep-${uniq}`, csv, { leads: { rep: 'zed' } }));
  await expect(campaigns.result(`badrep-${uniq}`)).rejects.toThrow('leads.rep "zed" is not a rep in process "default" (reps: alice, bob, carol)');
  await campaigns.start(csvCampaign(`badcol-${uniq}`, csv, { leads: { rep: 'alice', nameColumn: 'fullname', companyColumn: 'company' } }));
  await expect(campaigns.result(`badcol-${uniq}`)).rejects.toThrow('leads.nameColumn "fullname": no such column in the CSV (columns: email, name, company)');
  expect(stack.sink.messages.filter((m) => m.recipients.some((r) => r.startsWith(`ls${uniq}`)))).toEqual([]);
});

test('a row that cannot become a prospect is reported with its reason and the run goes on; name and company come from their columns', async () => {
  const id = `rows-${uniq}`;
  const good = [`a${uniq}@rows.test`, `b${uniq}@rows.test`];
  const csv = csvFile([
    'email,contact,firm,ref',
    `${good[0]},Ann Able,Able Ltd,ann-${uniq}`,
    `bad${uniq}@rows.test,${'N'.repeat(201)},Long Name Ltd,long-${uniq}`,
    `id${uniq}@rows.test,Ida,Ida Ltd,not an id!`,
    `${good[1]},Bea Bee,,bea-${uniq}`,
  ]);
  await campaigns.start(csvCampaign(id, csv, { leads: { rep: 'bob', idColumn: 'ref', nameColumn: 'contact', companyColumn: 'firm' }, template: { subject: 'Hi {{contact}}', text: 'Hello' } }));
  const report = await campaigns.result(id);
  expect(report).toMatchObject({ status: 'completed', total: 2, sent: 2, invalidRows: 2 });
  expect(report.invalidRowSamples).toEqual([
    { line: 3, message: expect.stringMatching(/^cannot become a prospect: name "N{201}": .*200 characters$/) },
    { line: 4, message: 'cannot become a prospect: prospect id "not an id!": must be letters, digits, "_" or "-" (at most 100)' },
  ]);
  expect((await stack.client.getProspect(`ann-${uniq}`)).info).toMatchObject({ name: 'Ann Able', company: 'Able Ltd', rep: 'bob', email: good[0] });
  const bea = (await stack.client.getProspect(`bea-${uniq}`)).info;
  expect(bea).toMatchObject({ name: 'Bea Bee', rep: 'bob' });
  expect(bea.company).toBeUndefined();
});

test('an audience CSV outside the campaign folder is refused', async () => {
  await campaigns.start(csvCampaign(`outside-${uniq}`, '/etc/hosts'));
  await expect(campaigns.result(`outside-${uniq}`)).rejects.toThrow(`audience csv /etc/hosts is outside the campaign folder ${tmpdir()} (SALESFLOW_CAMPAIGN_DIR)`);
  await campaigns.start(csvCampaign(`escape-${uniq}`, `${tmpdir()}/../etc/hosts`));
  await expect(campaigns.result(`escape-${uniq}`)).rejects.toThrow('is outside the campaign folder');
});

function filterCampaign(id: string, filter: CampaignDefinitionInput['audience']) {
  return parseCampaignDefinition({ id, name: id, template: { subject: 'Hello {{name}}', text: 'Hi' }, audience: filter });
}

test('a filter leaves won and lost prospects out unless it asks for them', async () => {
  const rep = 'bob';
  const open = `open-${uniq}`;
  const lost = `lost-${uniq}`;
  for (const id of [open, lost]) await stack.client.createProspect({ id, name: id, email: `${id}@filter.test`, rep });
  await stack.client.command(lost, 'markLost', { reason: 'went elsewhere', by: 'bob' });
  await eventually(async () => expect((await stack.client.listProspects({ rep, stage: 'lost' })).map((p) => p.id)).toContain(lost));
  // The leads test above made bob prospects too: count only this test's addresses.
  const mailed = (id: string) => stack.sink.messages.filter((m) => m.headers.get('x-salesflow-campaign') === `campaign-${id}`).flatMap((m) => m.recipients).filter((r) => r.endsWith('@filter.test')).sort();

  await campaigns.start(filterCampaign(`f-open-${uniq}`, { filter: { rep } }));
  await campaigns.result(`f-open-${uniq}`);
  expect(mailed(`f-open-${uniq}`)).toEqual([`${open}@filter.test`]);
  await campaigns.start(filterCampaign(`f-lost-${uniq}`, { filter: { rep, stage: 'lost' } }));
  await campaigns.result(`f-lost-${uniq}`);
  expect(mailed(`f-lost-${uniq}`)).toEqual([`${lost}@filter.test`]);
  await campaigns.start(filterCampaign(`f-all-${uniq}`, { filter: { rep, includeClosed: true } }));
  await campaigns.result(`f-all-${uniq}`);
  expect(mailed(`f-all-${uniq}`)).toEqual([`${lost}@filter.test`, `${open}@filter.test`]);
});

test('1,000 filtered prospects resolve well inside the timeout; listing and lookups resume from the heartbeat after a crash', async () => {
  const N = 1_000;
  const rep = 'carol';
  const ids = Array.from({ length: N }, (_, k) => `scale-${uniq}-${String(k).padStart(4, '0')}`);
  const now = new Date().toISOString();
  // Started straight through the client, 20 at a time: the cheapest way to many prospects.
  await eachLimited(ids, 20, async (id) => {
    const initial = newProspect({ id, name: id, email: `${id}@scale.test`, rep }, DEFAULT_PROCESS_INPUT, now);
    await startProspect(stack.raw, stack.taskQueue, initial);
  });
  await eventually(async () => expect((await stack.client.listProspects({ rep })).length).toBe(N), 60_000, 500);

  // Paging with pages of 100: the attempt dies after its third page; the retry starts from
  // the heartbeat's page token and the checkpoint and reads only the pages left, then dies
  // half-way through looking the prospects up; the next attempt looks up only the rest.
  const store = new CampaignStore(stack.database.db);
  const activities = createCampaignAudienceActivities({ store, temporal: stack.raw, campaignDir: tmpdir(), listPageSize: 100 });
  const input = { runKey: `campaign-paging-${uniq}`, audience: { filter: { rep } }, template: { subject: 'Hi {{name}}', text: 'x' } };
  const beats: ListingProgress[] = [];
  const first = new MockActivityEnvironment({ taskQueue: stack.taskQueue });
  first.on('heartbeat', (d: ListingProgress | LookupProgress) => {
    if (d.phase !== 'list') return;
    beats.push(d);
    if (beats.length === 3) throw new Error('worker killed');
  });
  await expect(first.run(activities.resolveCampaignAudience, input)).rejects.toThrow('worker killed');
  expect(beats.at(-1)).toMatchObject({ phase: 'list', listed: 300, nextPageToken: expect.any(String) });

  const pages = jest.spyOn(stack.raw.workflowService, 'listWorkflowExecutions');
  const second = new MockActivityEnvironment({ taskQueue: stack.taskQueue, heartbeatDetails: beats.at(-1), attempt: 2 });
  let lookupBeat: LookupProgress | undefined;
  second.on('heartbeat', (d: ListingProgress | LookupProgress) => {
    if (d.phase === 'query' && d.queried === 500) {
      lookupBeat = d;
      throw new Error('worker killed again');
    }
  });
  await expect(second.run(activities.resolveCampaignAudience, input)).rejects.toThrow('worker killed again');
  // Pages 4 to 10 (and, depending on the store, one empty answer after the last).
  expect(pages.mock.calls.length).toBeGreaterThanOrEqual(7);
  expect(pages.mock.calls.length).toBeLessThanOrEqual(8);
  pages.mockClear();

  // The third attempt lists nothing again and looks up only the second half.
  const lookups = jest.spyOn(stack.raw.workflow, 'getHandle');
  const third = new MockActivityEnvironment({ taskQueue: stack.taskQueue, heartbeatDetails: lookupBeat, attempt: 3 });
  const resolved = await third.run(activities.resolveCampaignAudience, input);
  expect(pages.mock.calls.length).toBe(0);
  expect(lookups.mock.calls.length).toBe(N - 500);
  pages.mockRestore();
  lookups.mockRestore();
  expect(resolved).toMatchObject({ total: N, invalidRows: 0 });
  const all = (await store.readAudience(input.runKey, 0, N)).map((r) => r.prospectId);
  expect(new Set(all).size).toBe(N);
  expect(all.sort()).toEqual(ids);

  // Once the prospects have settled (the lookups above waited for their first workflow
  // tasks), the whole resolution as a run does it.
  const started = Date.now();
  await campaigns.start(filterCampaign(`scale-${uniq}`, { filter: { rep } }), { batchSize: 500 });
  await eventually(async () => expect((await campaigns.progress(`scale-${uniq}`)).total).toBe(N), 300_000, 200);
  const seconds = (Date.now() - started) / 1000;
  console.log(`${N} filtered prospects resolved in ${seconds.toFixed(1)} s (activity timeout 600 s)`);
  expect(seconds).toBeLessThan(300);
  await campaigns.command(`scale-${uniq}`, 'cancel', { by: 'test', reason: 'only the resolution is measured' }).catch(() => undefined);
}, 600_000);
