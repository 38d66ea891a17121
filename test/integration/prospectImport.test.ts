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

test('every row is created as `create` would; a line whose id is someone else already there is listed; the same file again creates nothing twice', async () => {
  const file = csv('first.csv', [HEADER, ...good]);
  const first = await salesflow('import', file, '--source', 'crm-export');
  expect(first).toMatchObject({ code: 0, stdout: `${file}: 12 created, 0 already there\n` });
  expect((await existing()).sort()).toEqual([...ids].sort());
  const shown = JSON.parse((await salesflow('show', ids[4]!, '--json')).stdout) as { info: Record<string, unknown> };
  expect(shown.info).toMatchObject({ id: ids[4], name: 'Person 4', company: 'Company 4', email: `${ids[4]}@import.test`, rep: 'bob', source: 'crm-export', fields: { territory: 'north', employees: 40 } });

  // Again, with a new line and a line that gives ids[0] to someone else: one created, the
  // clash listed with its line (left as it was), exit 1.
  const second = csv('second.csv', [HEADER, ...good, `${ids[0]}-b,New Person,,new-${run}@import.test,carol,north,1`].map((l) => (l.startsWith(`${ids[0]},`) ? `${ids[0]},Someone Else,Other Co,other-${run}@import.test,alice,north,1` : l)));
  const again = await salesflow('import', second, '--json');
  expect(again.code).toBe(1);
  expect(JSON.parse(again.stdout)).toEqual({
    created: 1,
    existing: 11,
    refused: [],
    clashes: [{ line: 2, id: ids[0], message: `${ids[0]} is already Person 0 <${ids[0]}@import.test>, not Someone Else <other-${run}@import.test>: this line was not imported (give it another id)` }],
  });
  expect(again.stderr).toMatch(/of 13 prospects, 1 with the id of someone else already there \(listed above\)/);
  expect(JSON.parse((await salesflow('show', ids[0]!, '--json')).stdout).info.name).toBe('Person 0');
  expect(await existing()).toHaveLength(13);
});

test('the reps and the process are checked with the file: a rep the process does not have, or a process that does not exist, imports nothing', async () => {
  // The built-in process has reps alice, bob and carol.
  const zed = csv('zed.csv', [HEADER, `zed-${run},Zed Zulu,Zulu Ltd,zed-${run}@import.test,zed,north,5`, `ok-${run},Ola,,ola-${run}@import.test,,north,5`]);
  const dry = await salesflow('import', zed, '--dry-run');
  expect(dry.code).toBe(1);
  expect(dry.stdout.trim().split('\n')).toEqual([
    `${zed}:2: zed-${run}: rep: "zed" is not a rep of process "default" v1 (reps: alice, bob, carol)`,
    `${zed}:3: ok-${run}: no rep, and process "default" assigns none (only a published process does): give the line a rep, or the import a default rep (--rep; Default rep on the import page)`,
  ]);
  expect((await salesflow('import', zed, '--rep', 'carol')).stdout).toContain(`${zed}:2: zed-${run}: rep: "zed" is not a rep`);
  // The API's check (the web's import page) says it of its field.
  const { accountFor, call } = await import('../helpers/server');
  const ops = await accountFor(cli.harness(), `ops-rep-${run}`, 'ops');
  const checked = await call(cli.harness().url, 'POST', '/api/prospects/import/check', { as: ops, body: { csv: 'name,email\nAnn,ann@x.test\n', rep: 'zora' } });
  expect(checked).toMatchObject({ status: 422, body: { field: 'rep', detail: 'rep: "zora" is not a rep of process "default" v1 (reps: alice, bob, carol)' } });
  // A --rep the process does not have is one error naming the flag, not one per line.
  expect(await salesflow('import', zed, '--rep', 'zora', '--dry-run')).toMatchObject({ code: 1, stdout: '', stderr: 'salesflow: --rep: "zora" is not a rep of process "default" v1 (reps: alice, bob, carol)\n' });
  expect(await salesflow('import', zed, '--process', `nosuch-${run}`)).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(new RegExp(`^salesflow: .*nosuch-${run}.*\n$`)) });
  expect((await existing()).filter((id) => id.startsWith('zed') || id.startsWith('ok-'))).toEqual([]);
  // Headers as exports write them (any case, e-mail) read as the known columns; a file saved with semicolons is named as such.
  const caps = csv('caps.csv', ['Name,E-Mail,Company,Rep', `Cap Case,cap-${run}@import.test,Caps Ltd,alice`]);
  expect((await salesflow('import', caps, '--dry-run')).stdout).toMatch(/: 1 prospects to import; nothing created/);
  const semi = await salesflow('import', csv('semi.csv', ['name;email;company', `Semi;semi-${run}@import.test;Semi AG`]));
  expect(semi.stdout).toContain('the columns are separated by ";": save the file as comma-separated CSV');
});

test('a line the server refuses (a rep importing for another rep) is listed with its line while the rest are created', async () => {
  const { cliTarget, runCli } = await import('../helpers/cli');
  const bob = await cliTarget(cli.harness(), `bob-cli-${run}`, 'rep', { personId: 'bob' });
  const file = csv('bob.csv', ['name,email,rep', `Bobs Own,bobs-${run}@import.test,`, `For Alice,foralice-${run}@import.test,alice`]);
  const out = await runCli(bob, ['import', file]);
  expect(out.stderr).toMatch(/1 refused/);
  expect(out.code).toBe(1);
  expect(out.stdout).toContain(`${file}: 1 created, 0 already there, 1 refused\n`);
  expect(out.stdout).toMatch(new RegExp(`${file}:3: ${leadProspectId(`foralice-${run}@import.test`)}: a rep may not create prospects for rep "alice"`));
  // bob's own line is bob's.
  const shown = JSON.parse((await salesflow('show', leadProspectId(`bobs-${run}@import.test`), '--json')).stdout) as { info: { rep: string } };
  expect(shown.info.rep).toBe('bob');
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
  // An unknown field in the body is refused, as everywhere; a process that is not published is named.
  expect((await call(h.url, 'POST', '/api/prospects/import/check', { as: bob, body: { csv: csvText, bogus: 1 } })).status).toBe(400);
  const none = await call(h.url, 'POST', '/api/prospects/import/check', { as: bob, body: { csv: csvText, process: `nosuch-${run}` } });
  expect(none.status).toBe(404);
  // With a published process, a line's rep is checked against it (bob's default is his own).
  const zed = await call(h.url, 'POST', '/api/prospects/import/check', { as: bob, body: { csv: `name,email,rep\nZed,zed-api-${run}@import.test,zed\n` } });
  expect((zed.body as { problems: { line: number; message: string }[] }).problems).toEqual([{ line: 2, message: expect.stringMatching(/rep: "zed" is not a rep of process "default" v1/) }]);
});
