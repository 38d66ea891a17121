import { parseAudienceCsv, parseCsv } from '../../domain/csv';

test('quoted fields, escaped quotes, embedded newlines and CRLF', () => {
  const table = parseCsv('email,note\r\n"a@x.test","said ""hi"", then\nleft"\r\nb@x.test,plain\r\n');
  expect(table.header).toEqual(['email', 'note']);
  expect(table.rows).toEqual([
    { line: 2, cells: ['a@x.test', 'said "hi", then\nleft'] },
    { line: 4, cells: ['b@x.test', 'plain'] },
  ]);
});

test('bad rows are skipped and listed with their line, never silently dropped', () => {
  const csv = [
    'email,name,company',
    'ann@acme.example,Ann,ACME',
    'not-an-address,Bob,Bobco',
    'carl@c.example,Carl',
    'ANN@acme.example,Ann again,ACME',
    '',
    'dora@d.example,"Dora ""D"" Doe",D Ltd',
    'eve@e.example,"Eve,unterminated',
  ].join('\n');
  const audience = parseAudienceCsv(csv);
  expect(audience.columns).toEqual(['email', 'name', 'company']);
  expect(audience.recipients.map((r) => [r.line, r.email, r.vars.name])).toEqual([
    [2, 'ann@acme.example', 'Ann'],
    [7, 'dora@d.example', 'Dora "D" Doe'],
  ]);
  expect(audience.errors).toEqual([
    { line: 3, message: 'email "not-an-address": is not an email address' },
    { line: 4, message: 'has 2 cells, the header has 3' },
    { line: 5, message: 'ann@acme.example is a duplicate of line 2' },
    { line: 8, message: 'unterminated quoted field' },
  ]);
});

test('a header without an email column, or with bad names, refuses the file', () => {
  expect(parseAudienceCsv('name,company\nAnn,ACME\n').errors).toEqual([{ line: 1, message: 'there is no "email" column' }]);
  expect(parseAudienceCsv('email,first name,email\n').errors[0]?.message).toBe(
    'column "first name" is not a valid variable name (letters, digits and _); column "email" appears twice',
  );
  expect(parseAudienceCsv('').errors[0]?.message).toMatch(/empty/);
});
