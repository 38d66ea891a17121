import { readCsvTable } from '../../client/campaign/audienceCsv';
import { leadProspectId } from '../../domain/campaign/campaign';
import { prospectsFromTable } from '../../domain/pipeline/prospectImport';

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
  expect(read('name,email\nA,a@x.test\nA again,A@X.test\n').problems).toEqual([{ line: 3, message: `${leadProspectId('a@x.test')} is a duplicate of line 2 (the same address)` }]);
});
