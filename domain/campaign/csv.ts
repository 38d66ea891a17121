import { z } from 'zod';
import { normalizeEmail } from '../shared/email';
import { describeIssues } from '../shared/errors';
import { shareable, emailSchema } from '../shared/shareable';

/**
 * Audience CSV files: a header row, then one recipient per line. The format is read by a
 * CSV library outside the domain (client/campaign/audienceCsv.ts); the rules for rows are here.
 * No row is dropped silently: every data line is either a recipient or a problem with its
 * line number.
 */

export const CsvRowErrorSchema = shareable(z.object({
  /** 1-based line number in the file (the header is line 1). */
  line: z.number().int().positive(),
  message: z.string(),
}));
export type CsvRowError = z.infer<typeof CsvRowErrorSchema>;

/** A CSV file as read by the parser: the header, the rows with their line, broken lines. */
export interface CsvTable {
  header: string[];
  rows: { line: number; cells: string[] }[];
  /** Lines the parser could not read (broken quoting), each reported once. */
  errors: CsvRowError[];
}

const ColumnName = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const CsvEmailSchema = shareable(emailSchema('is not an email address'));

/** One recipient of a campaign: the address and the values for the template's variables. */
export interface Recipient {
  email: string;
  vars: Record<string, string>;
  /** Set when the recipient is (or becomes) a prospect: its contact log records the mail. */
  prospectId?: string;
  /** For a lead: the name and company its prospect is started with (from `leads` columns). */
  lead?: { name: string; company?: string };
}

export interface CsvAudience {
  columns: string[];
  recipients: (Recipient & { line: number })[];
  errors: CsvRowError[];
}


/**
 * Turns an audience CSV into recipients. The file needs an `email` column (in any case); every other
 * column is a template variable. Bad rows (wrong number of cells, bad or duplicate address,
 * broken quoting) are listed with their line and skipped; a bad header refuses the file.
 */
export function audienceFromTable(table: CsvTable): CsvAudience {
  const errors = [...table.errors];
  // The address column in any case (`Email`, `EMAIL`, as exports write it, and as
  // `salesflow import` takes it), named `email` from here on: the recipient's address and the
  // built-in {{email}}. Other columns are template variables, named exactly as written.
  const header = table.header.map((name) => (name.toLowerCase() === 'email' ? 'email' : name));
  if (header.length === 0) {
    const why = errors[0] ? `the header row is unreadable (line ${errors[0].line}: ${errors[0].message})` : 'the file is empty (it needs a header row with an "email" column)';
    return { columns: [], recipients: [], errors: [{ line: 1, message: why }] };
  }
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
