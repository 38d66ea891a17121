import fc from 'fast-check';
import { readCsvTable } from '../../client/campaign/audienceCsv';
import { audienceFromTable } from '../../domain/campaign/csv';
import { checkTemplateAgainstAudience, leadFieldsOf } from '../../domain/campaign/campaign';

const audience = (text: string) => audienceFromTable(readCsvTable(text));

test('quoted fields, escaped quotes, commas inside quotes and CRLF', () => {
  const table = readCsvTable('\ufeffemail,note\r\n"a@x.test","said ""hi"", then left"\r\nb@x.test,plain\r\n');
  expect(table.header).toEqual(['email', 'note']);
  expect(table.rows).toEqual([
    { line: 2, cells: ['a@x.test', 'said "hi", then left'] },
    { line: 3, cells: ['b@x.test', 'plain'] },
  ]);
  expect(table.errors).toEqual([]);
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
  const parsed = audience(csv);
  expect(parsed.columns).toEqual(['email', 'name', 'company']);
  expect(parsed.recipients.map((r) => [r.line, r.email, r.vars.name])).toEqual([
    [2, 'ann@acme.example', 'Ann'],
    [7, 'dora@d.example', 'Dora "D" Doe'],
  ]);
  expect(parsed.errors).toEqual([
    { line: 3, message: 'email "not-an-address": is not an email address' },
    { line: 4, message: 'has 2 cells, the header has 3' },
    { line: 5, message: 'ann@acme.example is a duplicate of line 2' },
    { line: 8, message: 'broken quoting: a quoted field is not closed on its line' },
  ]);
});

test('an unclosed quote does not swallow the rows after it: they are read again from the next line', () => {
  const csv = ['email,name', 'a@x.test,"Ann', 'b@x.test,Bob', 'c@x.test,Carl"', 'd@x.test,Dora', 'e@x.test,Ev"e', 'f@x.test,"Fay"x', 'g@x.test,Gus'].join('\n');
  const parsed = audience(csv);
  expect(parsed.recipients.map((r) => [r.line, r.email])).toEqual([
    [3, 'b@x.test'],
    [5, 'd@x.test'],
    [8, 'g@x.test'],
  ]);
  expect(parsed.errors.map((e) => [e.line, e.message])).toEqual([
    [2, 'broken quoting: a quoted field is not closed on its line'],
    [4, expect.stringContaining('a quote inside an unquoted field')],
    [6, expect.stringContaining('a quote inside an unquoted field')],
    [7, 'broken quoting: text after the closing quote of a field'],
  ]);
});

test('the email column is read in any case, as salesflow import reads it, and {{email}} still resolves', () => {
  const parsed = audience('Email,Name\nAnn@X.test,Ann\n');
  expect(parsed.errors).toEqual([]);
  expect(parsed.columns).toEqual(['email', 'Name']);
  expect(parsed.recipients.map((r) => [r.email, r.vars])).toEqual([['ann@x.test', { email: 'ann@x.test', Name: 'Ann' }]]);
  expect(audience('EMAIL,email\n').errors[0]?.message).toBe('column "email" appears twice');
  // A lead's default name column is found in any case too.
  expect(leadFieldsOf({ rep: 'alice' }, 'ann@x.test', parsed.recipients[0]!.vars)).toMatchObject({ name: 'Ann' });
  // Other columns are variables as written: a template's {{name}} is told the column is "Name".
  expect(() => checkTemplateAgainstAudience({ subject: 'Hi {{name}}', text: 'for {{email}}' }, { csv: 'a.csv' }, parsed.columns)).toThrow(
    'template uses {{name}} but the CSV (columns: email, Name) does not provide it ({{name}} is not the column "Name": a variable names its column exactly as written)',
  );
});

test('a header without an email column, or with bad names, refuses the file', () => {
  expect(audience('name,company\nAnn,ACME\n').errors).toEqual([{ line: 1, message: 'there is no "email" column' }]);
  expect(audience('email,first name,email\n').errors[0]?.message).toBe(
    'column "first name" is not a valid variable name (letters, digits and _); column "email" appears twice',
  );
  expect(audience('').errors[0]?.message).toMatch(/empty/);
  expect(audience('email,"name\na@x.test,Ann\n').errors[0]?.message).toMatch(/^the header row is unreadable \(line 1: broken quoting/);
});

/**
 * The invariant: every non-blank line after the header is exactly one recipient or exactly
 * one reported row, wherever quotes break it.
 */
test('property: recipients + reported rows = data lines, with broken quotes in every position', () => {
  const cell = fc.stringMatching(/^[A-Za-z0-9 .,'-]{0,12}$/).map((s) => (s.includes(',') ? `"${s}"` : s));
  const row = fc.record({ name: cell, company: cell, quotes: fc.array(fc.nat(), { maxLength: 3 }), blankAfter: fc.boolean() });
  const file = fc.record({ rows: fc.array(row, { minLength: 1, maxLength: 25 }), eol: fc.constantFrom('\n', '\r\n'), finalEol: fc.boolean() });
  fc.assert(
    fc.property(file, ({ rows, eol, finalEol }) => {
      const lines = ['email,name,company'];
      rows.forEach((r, k) => {
        let line = `p${k}@audience.test,${r.name},${r.company}`;
        for (const q of r.quotes) {
          const at = q % (line.length + 1);
          line = `${line.slice(0, at)}"${line.slice(at)}`;
        }
        lines.push(line);
        if (r.blankAfter) lines.push('');
      });
      const text = lines.join(eol) + (finalEol ? eol : '');
      const parsed = audience(text);
      // Parsed three lines at a time, the file reads the same.
      expect(audienceFromTable(readCsvTable(text, 3))).toEqual(parsed);
      const dataLines = lines.flatMap((l, k) => (k > 0 && l.trim() !== '' ? [k + 1] : []));
      const accounted = [...parsed.recipients.map((r) => r.line), ...parsed.errors.map((e) => e.line)].sort((a, b) => a - b);
      expect(accounted).toEqual(dataLines);
      // A line without an injected quote is always a recipient.
      rows.forEach((r, k) => {
        if (r.quotes.length === 0) expect(parsed.recipients.some((p) => p.email === `p${k}@audience.test`)).toBe(true);
      });
    }),
    { numRuns: 500 },
  );
});
