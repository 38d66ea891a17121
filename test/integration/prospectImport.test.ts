import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCliStack } from '../helpers/cli';
import { leadProspectId } from '../../domain/campaign/campaign';

/**
 * `salesflow import FILE.csv` with the built bin against the server: a file with a bad row
 * imports nothing; a good one creates every prospect through the API, with its fields and
 * source; a row the server refuses is reported with its line while the rest are created,
 * and running the fixed file again creates only what was missing.
 */
const cli = useCliStack();
const salesflow = cli.salesflow;
const run = Date.now().toString(36);
const dir = mkdtempSync(join(tmpdir(), 'salesflow-import-'));

function csv(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const ids = Array.from({ length: 12 }, (_, k) => `imp-${run}-${k}`);
const good = ids.map((id, k) => `${id},Person ${k},Company ${k},${id}@import.test,${k % 2 ? 'alice' : 'bob'},${k % 3 ? 'north' : 'south'},${10 * k}`);
const HEADER = 'id,name,company,email,rep,territory,employees';

async function existing(): Promise<string[]> {
  const out = await salesflow('list', '--json', '--limit', '1000');
  expect(out.code).toBe(0);
  return (JSON.parse(out.stdout) as { id: string }[]).map((r) => r.id).filter((id) => id.includes(run));
}

test('a file with a bad row names every problem with its line and imports nothing', async () => {
  const file = csv('bad.csv', [HEADER, ...good.slice(0, 3), `bad id,Bad,,bad@import.test,alice,north,1`, `${ids[0]},Twice,,twice@import.test,alice,north,1`]);
  const out = await salesflow('import', file);
  expect(out.code).toBe(1);
  expect(out.stdout.trim().split('\n')).toEqual([`${file}:5: bad id: id: must be letters, digits, "_" or "-" (at most 100)`, `${file}:6: ${ids[0]} is a duplicate of line 2`]);
  expect(out.stderr).toBe(`salesflow: ${file}: 2 lines have problems; nothing imported\n`);
  // --dry-run on a good file creates nothing either.
  const dry = await salesflow('import', csv('dry.csv', [HEADER, ...good]), '--dry-run');
  expect(dry).toMatchObject({ code: 0, stdout: expect.stringMatching(/: 12 prospects to import; nothing created \(--dry-run\)\n$/) });
  expect(await existing()).toEqual([]);
});

test('every row is created as `create` would; a refused row is reported with its line; the fixed file again creates only what is missing', async () => {
  // The built-in process has reps alice, bob and carol: zed's row is refused by the server.
  const withZed = [...good, `,Zed Zulu,Zulu Ltd,zed-${run}@import.test,zed,north,5`];
  const first = await salesflow('import', csv('first.csv', [HEADER, ...withZed]), '--source', 'crm-export');
  expect(first.code).toBe(1);
  const file = join(dir, 'first.csv');
  expect(first.stdout).toContain(`${file}: 12 created, 0 already there, 1 refused\n`);
  expect(first.stdout).toMatch(new RegExp(`${file}:14: ${leadProspectId(`zed-${run}@import.test`)}: .*zed.*`));
  expect(first.stderr).toMatch(/^salesflow: .*1 of 13 prospects refused \(listed above\); fix them and run the import again/);
  expect((await existing()).sort()).toEqual([...ids].sort());

  const shown = JSON.parse((await salesflow('show', ids[4]!, '--json')).stdout) as { info: Record<string, unknown> };
  expect(shown.info).toMatchObject({ id: ids[4], name: 'Person 4', company: 'Company 4', email: `${ids[4]}@import.test`, rep: 'bob', source: 'crm-export', fields: { territory: 'north', employees: 40 } });

  // Fixed (zed's row to carol) and run again: one created, the twelve already there, nothing doubled.
  const again = await salesflow('import', csv('fixed.csv', [HEADER, ...good, `,Zed Zulu,Zulu Ltd,zed-${run}@import.test,carol,north,5`]), '--json');
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout)).toEqual({ created: 1, existing: 12, refused: [] });
  expect(await existing()).toHaveLength(13);
});

test('an unreadable file is one clear line', async () => {
  expect(await salesflow('import', join(dir, 'missing.csv'))).toMatchObject({ code: 1, stderr: `salesflow: cannot read ${join(dir, 'missing.csv')}: no such file\n` });
  expect(await salesflow('import', csv('header-only.csv', [HEADER]))).toMatchObject({ code: 1, stderr: expect.stringMatching(/no prospects in it \(only a header row\)\n$/) });
});

test("POST /api/prospects/import/check answers the rows and every bad line; a rep's lines without a rep are their own; it creates nothing", async () => {
  const { accountFor, call } = await import('../helpers/server');
  const h = cli.harness();
  const bob = await accountFor(h, `bob-imp-${run}`, 'rep', { personId: 'bob' });
  const csvText = ['name,email,segment', `Kim Ko,kim-${run}@import.test,retail`, 'No Mail,,retail', `Lee Li,lee-${run}@import.test,`].join('\n') + '\n';
  const answer = await call(h.url, 'POST', '/api/prospects/import/check', { as: bob, body: { csv: csvText } });
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual({
    columns: ['name', 'email', 'segment'],
    rows: [
      { line: 2, info: { id: leadProspectId(`kim-${run}@import.test`), name: 'Kim Ko', email: `kim-${run}@import.test`, rep: 'bob', source: 'import', fields: { segment: 'retail' } } },
      { line: 4, info: { id: leadProspectId(`lee-${run}@import.test`), name: 'Lee Li', email: `lee-${run}@import.test`, rep: 'bob', source: 'import', fields: {} } },
    ],
    problems: [{ line: 3, message: 'has neither an id nor an email (a prospect id is made from the address)' }],
  });
  // Nothing was created by the check.
  expect((await call(h.url, 'GET', `/api/prospects/${leadProspectId(`kim-${run}@import.test`)}`, { as: bob })).status).toBe(404);
  // An unknown field in the body is refused, as everywhere.
  expect((await call(h.url, 'POST', '/api/prospects/import/check', { as: bob, body: { csv: csvText, process: 'x' } })).status).toBe(400);
});
