import { readCsvTable } from '../../client/campaign/audienceCsv';
import { leadProspectId } from '../../domain/campaign/campaign';
import { prospectsFromTable } from '../../domain/pipeline/prospectImport';
import { DEFAULT_PROCESS } from '../../domain/process/process';

const read = (text: string, defaults = {}) => prospectsFromTable(readCsvTable(text), defaults);

test("rows become create's input: known columns, the rest fields (numbers as numbers), an id from the address when there is none", () => {
  const out = read('id,name,company,email,rep,territory,employees\nacme,Ada Lovelace,Acme,ada@acme.test,alice,north,250\n,Bob Byte,,Bob@Byte.test,,south,\n', { rep: 'carol' });
  expect(out.problems).toEqual([]);
  expect(out.rows).toEqual([
    { line: 2, info: { id: 'acme', name: 'Ada Lovelace', company: 'Acme', email: 'ada@acme.test', rep: 'alice', source: 'import', fields: { territory: 'north', employees: 250 } } },
    { line: 3, info: { id: leadProspectId('bob@byte.test'), name: 'Bob Byte', email: 'Bob@Byte.test', rep: 'carol', source: 'import', fields: { territory: 'south' } } },
  ]);
  // Without a rep anywhere, the process assigns one (no rep in the input).
  expect(read('name,email\nEve,eve@x.test\n').rows[0]!.info).not.toHaveProperty('rep');
});

test('every bad row is named with its line, and the reason in create\'s words', () => {
  const out = read(
    [
      'id,name,email,rep',
      'ok-1,Ok,ok@x.test,alice',
      'bad id!,Bad,bad@x.test,alice',
      'no-name,,nn@x.test,alice',
      'mail,Mail,not-an-address,alice',
      'ok-1,Again,again@x.test,alice',
      ',Nobody,,alice',
      'short,Short',
      '"broken,quote,x@x.test,alice',
    ].join('\n') + '\n',
  );
  expect(out.rows.map((r) => r.info.id)).toEqual(['ok-1']);
  expect(out.problems.map((p) => p.line)).toEqual([3, 4, 5, 6, 7, 8, 9]);
  expect(out.problems[0]!.message).toMatch(/^bad id!: id: must be letters, digits/);
  expect(out.problems[1]!.message).toMatch(/^no-name: name: must not be empty/);
  expect(out.problems[2]!.message).toMatch(/^mail: email: /);
  expect(out.problems[3]!.message).toBe('ok-1 is a duplicate of line 2');
  expect(out.problems[4]!.message).toMatch(/neither an id nor an email/);
  expect(out.problems[5]!.message).toBe('has 2 cells, the header has 4');
  expect(out.problems[6]!.message).toMatch(/broken quoting/);
});

test('a header without a name column, without an id or email column, or with a bad column name refuses the file at line 1', () => {
  expect(read('id,email\na,a@x.test\n').problems).toEqual([{ line: 1, message: 'there is no "name" column' }]);
  expect(read('name,company\nA,B\n').problems[0]!.message).toMatch(/neither an "id" nor an "email" column/);
  expect(read('name,email,first name\nA,a@x.test,A\n').problems[0]!.message).toMatch(/column "first name" is neither/);
  expect(read('').problems).toEqual([{ line: 1, message: 'the file is empty (it needs a header row with a "name" column)' }]);
  // Two rows with one address and no ids are one prospect: the second is a duplicate.
  // A line without an id is named by its person, not by the id made from its address.
  expect(read('name,email\nA,a@x.test\nA again,A@X.test\n').problems).toEqual([{ line: 3, message: 'A again is a duplicate of line 2 (the same address)' }]);
});

test('headers as exports write them: any case, e-mail; a file saved with semicolons is named as such', () => {
  const out = read('Name,E-Mail,COMPANY,Territory\nAda,ada@x.test,Acme,north\n', { rep: 'alice' });
  expect(out.problems).toEqual([]);
  expect(out.rows[0]!.info).toMatchObject({ name: 'Ada', email: 'ada@x.test', company: 'Acme', fields: { Territory: 'north' } });
  expect(read('name,Name\nA,B\n').problems[0]!.message).toMatch(/column "Name" appears twice \(as name\)/);
  expect(read('name;email\nA;a@x.test\n').problems).toEqual([{ line: 1, message: 'the columns are separated by ";": save the file as comma-separated CSV (the import reads commas)' }]);
});

test("with the process given, a rep it does not have is the line's problem; a line without a rep needs a process that assigns one", () => {
  const text = 'name,email,rep\nA,a@x.test,zed\nB,b@x.test,\nC,c@x.test,carol\n';
  const fixed = read(text, {});
  expect(fixed.problems).toEqual([]);
  const onDefault = prospectsFromTable(readCsvTable(text), {}, { definition: DEFAULT_PROCESS, assignsReps: false });
  expect(onDefault.rows.map((r) => r.line)).toEqual([4]);
  expect(onDefault.problems).toEqual([
    { line: 2, message: 'A: rep: "zed" is not a rep of process "default" v1 (reps: alice, bob, carol)' },
    { line: 3, message: 'B: no rep, and process "default" assigns none (only a published process does): give the line a rep, or the import a default rep (--rep; Default rep on the import page)' },
  ]);
  // A published process assigns the line without a rep; its reps are still checked.
  const published = prospectsFromTable(readCsvTable(text), {}, { definition: DEFAULT_PROCESS, assignsReps: true });
  expect(published.problems.map((p) => p.line)).toEqual([2]);
  // --rep fills the gap, and is checked like a cell.
  expect(prospectsFromTable(readCsvTable(text), { rep: 'zed' }, { definition: DEFAULT_PROCESS, assignsReps: false }).problems.map((p) => p.line)).toEqual([2, 3]);
});
