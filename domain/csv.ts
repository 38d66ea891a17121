import { z } from 'zod';
import { describeIssues } from './errors';

/**
 * Audience CSV files: a header row, then one recipient per row. Parsing never drops a row
 * silently: every row is either a recipient or a problem with its line number.
 */

export interface CsvRowError {
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  message: string;
}

export interface CsvTable {
  header: string[];
  rows: { line: number; cells: string[] }[];
  errors: CsvRowError[];
}

/**
 * RFC 4180 CSV: commas, double-quoted fields with "" escapes and embedded newlines, CRLF or
 * LF. A row with an unterminated quote is reported, not guessed at.
 */
export function parseCsv(text: string): CsvTable {
  const records: { line: number; cells: string[] }[] = [];
  const errors: CsvRowError[] = [];
  let i = 0;
  let line = 1;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  while (i < src.length) {
    const startLine = line;
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    let atCellStart = true;
    let broken: string | undefined;
    for (;;) {
      if (i >= src.length) {
        if (quoted) broken = 'unterminated quoted field';
        cells.push(cell);
        break;
      }
      const c = src[i]!;
      if (quoted) {
        if (c === '"') {
          if (src[i + 1] === '"') {
            cell += '"';
            i += 2;
          } else {
            quoted = false;
            i++;
          }
        } else {
          if (c === '\n') line++;
          cell += c;
          i++;
        }
        continue;
      }
      if (c === '"' && atCellStart) {
        quoted = true;
        atCellStart = false;
        i++;
      } else if (c === ',') {
        cells.push(cell);
        cell = '';
        atCellStart = true;
        i++;
      } else if (c === '\r' || c === '\n') {
        cells.push(cell);
        i += c === '\r' && src[i + 1] === '\n' ? 2 : 1;
        line++;
        break;
      } else {
        if (c === '"') broken ??= 'a quote inside an unquoted field';
        cell += c;
        atCellStart = false;
        i++;
      }
    }
    if (cells.length === 1 && cells[0]!.trim() === '' && !broken) continue; // blank line
    if (broken) errors.push({ line: startLine, message: broken });
    else records.push({ line: startLine, cells });
  }
  const [head, ...rows] = records;
  return { header: head ? head.cells.map((h) => h.trim()) : [], rows, errors };
}

const ColumnName = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const CsvEmailSchema = z.email('is not an email address');

/** One recipient of a campaign: the address and the values for the template's variables. */
export interface Recipient {
  email: string;
  vars: Record<string, string>;
  /** Set when the recipient is (or becomes) a prospect: its contact log records the mail. */
  prospectId?: string;
}

export interface CsvAudience {
  columns: string[];
  recipients: (Recipient & { line: number })[];
  errors: CsvRowError[];
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Turns an audience CSV into recipients. The file needs an `email` column; every other
 * column is a template variable. Bad rows (wrong number of cells, bad or duplicate address,
 * broken quoting) are listed with their line and skipped; a bad header refuses the file.
 */
export function parseAudienceCsv(text: string): CsvAudience {
  const table = parseCsv(text);
  const errors = [...table.errors];
  const header = table.header;
  if (header.length === 0) return { columns: [], recipients: [], errors: [{ line: 1, message: 'the file is empty (it needs a header row with an "email" column)' }] };
  const headerProblems: string[] = [];
  const seenCols = new Set<string>();
  for (const name of header) {
    if (!ColumnName.test(name)) headerProblems.push(`column "${name}" is not a valid variable name (letters, digits and _)`);
    if (seenCols.has(name)) headerProblems.push(`column "${name}" appears twice`);
    seenCols.add(name);
  }
  if (!seenCols.has('email')) headerProblems.push('there is no "email" column');
  if (headerProblems.length > 0) return { columns: header, recipients: [], errors: [{ line: 1, message: headerProblems.join('; ') }] };

  const emailAt = header.indexOf('email');
  const firstLine = new Map<string, number>();
  const recipients: (Recipient & { line: number })[] = [];
  for (const row of table.rows) {
    if (row.cells.length !== header.length) {
      errors.push({ line: row.line, message: `has ${row.cells.length} cells, the header has ${header.length}` });
      continue;
    }
    const raw = row.cells[emailAt]!.trim();
    const parsed = CsvEmailSchema.safeParse(raw);
    if (!parsed.success) {
      errors.push({ line: row.line, message: `email ${JSON.stringify(raw)}: ${describeIssues(parsed.error).join('; ')}` });
      continue;
    }
    const email = normalizeEmail(parsed.data);
    const earlier = firstLine.get(email);
    if (earlier !== undefined) {
      errors.push({ line: row.line, message: `${email} is a duplicate of line ${earlier}` });
      continue;
    }
    firstLine.set(email, row.line);
    const vars: Record<string, string> = {};
    header.forEach((name, k) => {
      vars[name] = name === 'email' ? email : row.cells[k]!.trim();
    });
    recipients.push({ email, vars, line: row.line });
  }
  errors.sort((a, b) => a.line - b.line);
  return { columns: header, recipients, errors };
}
