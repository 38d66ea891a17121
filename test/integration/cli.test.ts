import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCliStack } from '../helpers/cli';

/**
 * The `salesflow` command as a user runs it (the built bin, pretest builds it), against
 * the shared dev server and a worker on this file's task queue.
 */
const EXAMPLE_PROCESS = join(__dirname, '..', '..', 'examples', 'process-fast.yaml');

const cli = useCliStack();
const salesflow = cli.salesflow;

const id = `cli-${Date.now().toString(36)}`;

test('the README walk-through: create, qualify, inquiry, quote, send, accept', async () => {
  expect((await salesflow('create', id, '--name', 'Cleo Cli', '--company', 'Shell AG', '--email', 'cleo@shell.test', '--rep', 'alice')).stdout).toContain(
    `created prospect ${id}`,
  );
  const again = await salesflow('create', id, '--name', 'Other', '--rep', 'bob');
  expect(again).toMatchObject({ code: 0 });
  expect(again.stdout).toContain('already exists');

  expect(await salesflow('contact', id, '--channel', 'call', '--note', 'intro call')).toMatchObject({ code: 0, stdout: `logged outbound call for ${id} (1 contact logged)\n` });
  expect((await salesflow('qualify', id, '--budget', '20000', '--need', 'pumps', '--outcome', 'qualified')).stdout).toContain('qualified');
  expect((await salesflow('inquiry', 'create', id, '--item', 'PUMP-X:4:2027-02-01')).code).toBe(0);
  expect((await salesflow('inquiry', 'change', id, '--item', 'PUMP-X:5:2027-02-01', '--note', 'one more')).stdout).toContain('version 2');
  const quoted = await salesflow('quote', 'create', id, '--price', 'PUMP-X=1000:5');
  expect(quoted.stdout).toContain('total 4750.00 EUR');
  // 5 x 1000 at 5 % off: net 4750 before tax, said so (the PDF's "gross" is net plus VAT).
  expect((await salesflow('quote', 'show', id)).stdout).toContain('total 4750.00 EUR net, before tax (5000.00 before the discount of 250.00)');
  expect((await salesflow('quote', 'send', id)).stdout).toContain('revision 1 sent');
  expect((await salesflow('quote', 'accept', id)).stdout).toContain('stage won');

  const shown = JSON.parse((await salesflow('show', id, '--json')).stdout);
  expect(shown).toMatchObject({ stage: 'won', info: { id, name: 'Cleo Cli' } });
  expect(shown.inquiry.versions).toHaveLength(2);
  expect(shown.changes.map((c: { by: string }) => c.by)).toContain('cli-test');

  const inquiryV1 = JSON.parse((await salesflow('inquiry', 'show', id, '--version', '1', '--json')).stdout);
  expect(inquiryV1.items).toEqual([{ product: 'PUMP-X', quantity: 4, wantedDeliveryDate: '2027-02-01' }]);
  const text = (await salesflow('quote', 'show', id)).stdout;
  expect(text).toContain('ACCEPTED');
  expect(text).toContain('4750.00');
});

test('the example fast process file is accepted by create', async () => {
  const fast = `${id}-fast`;
  const out = await salesflow('create', fast, '--name', 'Fast', '--rep', 'alice', '--process', EXAMPLE_PROCESS);
  expect(out.stderr).toBe('');
  expect(out.stdout).toContain('process fast v1');
});

test('a bad process file given to create is reported with its file and line, as process validate does', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'salesflow-cli-')), 'no-unit.yaml');
  const text = readFileSync(EXAMPLE_PROCESS, 'utf8');
  const line = text.split('\n').findIndex((l) => /^\s*staleAfter:/.test(l)) + 1;
  writeFileSync(file, text.replace(/staleAfter: 10s/, 'staleAfter: 10'));
  const out = await salesflow('create', `${id}-nounit`, '--name', 'No Unit', '--rep', 'alice', '--process', file);
  expect(out).toMatchObject({ code: 1, stdout: '' });
  expect(out.stderr).toMatch(new RegExp(`^salesflow: invalid process file: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${line}: quotePolicy\\.staleAfter: 10 has no unit`));
  expect((await salesflow('show', `${id}-nounit`)).stderr).toBe(`salesflow: no prospect "${id}-nounit"\n`);
});

test.each([
  [['qualify', 'no-such-prospect', '--outcome', 'qualified'], /^salesflow: no prospect "no-such-prospect"\n$/],
  [['inquiry', 'create', 'x', '--item', 'PUMP:many'], /^salesflow: --item "PUMP:many": quantity must be a number\n$/],
  [['create', 'bad id!', '--name', 'N', '--rep', 'alice'], /^salesflow: <id>: must be letters/],
  [['create', 'someone', '--name', 'N', '--rep', 'zed'], /^salesflow: --rep: "zed" is not a rep of process "default" v1 \(reps: alice, bob, carol\)$/m],
  [['contact', 'x', '--channel', 'pigeon'], /^salesflow: --channel: "pigeon" is not one of /],
  [['list', '--bogus'], /^salesflow: unknown option '--bogus'/],
  [['create', 'p', '--name', 'N', '--rep', 'alice', '--process', '/nonexistent.yaml'], /^salesflow: cannot read process file \/nonexistent.yaml: ENOENT/],
])('error %j is one line on stderr with a non-zero exit', async (args, message) => {
  const out = await salesflow(...args);
  expect(out.code).not.toBe(0);
  expect(out.stdout).toBe('');
  expect(out.stderr).toMatch(message);
  expect(out.stderr.trimEnd().split('\n')).toHaveLength(1);
});

test('a refused command names the rule and changes nothing', async () => {
  const before = (await salesflow('show', id, '--json')).stdout;
  const out = await salesflow('quote', 'reject', id, '--reason', 'changed mind');
  expect(out).toMatchObject({ code: 1, stderr: 'salesflow: cannot reject the quotation in stage won (allowed in: quotation)\n' });
  expect((await salesflow('show', id, '--json')).stdout).toBe(before);
});

test('list filters by stage and rep and prints JSON', async () => {
  let rows: { id: string; stage: string }[] = [];
  for (let i = 0; i < 50 && !rows.some((r) => r.id === id); i++) {
    rows = JSON.parse((await salesflow('list', '--stage', 'won', '--rep', 'alice', '--json')).stdout);
    if (!rows.some((r) => r.id === id)) await new Promise((r) => setTimeout(r, 200));
  }
  expect(rows).toContainEqual(expect.objectContaining({ id, stage: 'won', rep: 'alice', quoteTotal: 4750 }));
  expect(rows.every((r) => r.stage === 'won')).toBe(true);
  const bobs = JSON.parse((await salesflow('list', '--rep', 'bob', '--json')).stdout) as { id: string }[];
  expect(bobs.some((r) => r.id === id)).toBe(false);
  // --search: every word, any case, in the id, name, company or address.
  const found = JSON.parse((await salesflow('list', '--search', 'CLEO shell', '--json')).stdout) as { id: string }[];
  expect(found.map((r) => r.id)).toEqual([id]);
  expect(JSON.parse((await salesflow('list', '--search', 'cleo', '--rep', 'bob', '--json')).stdout)).toEqual([]);
  expect((await salesflow('list', '--search', 'shell.test')).stdout).toContain('Cleo Cli');
});
