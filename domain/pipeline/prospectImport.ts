import { z } from 'zod';
import type { CsvRowError, CsvTable } from '../campaign/csv';
import { leadProspectId } from '../campaign/campaign';
import { normalizeEmail } from '../shared/email';
import { describeIssues } from '../shared/errors';
import { shareable } from '../shared/shareable';
import { ProspectInfoSchema, type ProspectInfoInput } from './prospect';
import { PersonIdSchema, notARep, type ProcessDefinition } from '../process/process';

/**
 * Importing prospects from a CSV file (`salesflow import`): a header row, then one prospect
 * per line, as a CRM export has them. The format is read outside the domain (csv-parse, the
 * same reader as audience files); the rules for rows are here, and they are `create`'s: the
 * same schema, so a row the import accepts is one `create` would.
 *
 * Columns: `name` (required), `id`, `company`, `email` (or `e-mail`), `phone`, `rep`,
 * `source`, in any case (`Name`, `EMAIL`, as exports write them); any other column is a field
 * the process's rules can read (`territory`, `employees`: a number when it reads as one, as
 * `create --field` takes it). A row without an `id` gets the one a campaign
 * gives a lead of that address (`lead-…`), so importing the same file again, or a campaign
 * later, finds the same prospect instead of making a second. Every data line is either a
 * prospect or a problem with its line: nothing is dropped silently.
 */

export const IMPORT_COLUMNS = ['id', 'name', 'company', 'email', 'phone', 'rep', 'source'] as const;

/** A prospect of the file, ready for `create`, with the line it came from. */
export interface ImportRow {
  line: number;
  info: Omit<ProspectInfoInput, 'rep'> & { rep?: string };
}

export interface ProspectImport {
  columns: string[];
  rows: ImportRow[];
  problems: CsvRowError[];
}

export interface ImportDefaults {
  /** For rows without a `rep` cell; else the published process assigns one. */
  rep?: string;
  /** For rows without a `source` cell (default `import`). */
  source?: string;
}

/**
 * The process the rows will be created on, so that a rep it does not have is a problem of the
 * file, found before anything is created, rather than a refusal of the server for each line.
 */
export interface ImportProcess {
  definition: ProcessDefinition;
  /** A published process (by name) assigns a rep to a row without one; a given definition (a file, the built-in one) does not. */
  assignsReps: boolean;
}

/** Other spellings of the known columns that exports use. */
const ALIASES: Record<string, (typeof IMPORT_COLUMNS)[number]> = { 'e-mail': 'email', e_mail: 'email', mail: 'email' };

/** The known column a header cell names (any case, or an alias), else undefined. */
function knownColumn(name: string): (typeof IMPORT_COLUMNS)[number] | undefined {
  const lower = name.toLowerCase();
  return (IMPORT_COLUMNS as readonly string[]).includes(lower) ? (lower as (typeof IMPORT_COLUMNS)[number]) : ALIASES[lower];
}

// `create`'s rules, with the rep left to the process when neither the row nor --rep names one.
const RowSchema = shareable(ProspectInfoSchema.extend({ rep: PersonIdSchema.optional() }));

const FieldName = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;

export function prospectsFromTable(table: CsvTable, defaults: ImportDefaults = {}, process?: ImportProcess): ProspectImport {
  const problems: CsvRowError[] = [...table.errors];
  const header = table.header;
  if (header.length === 0) {
    const why = problems[0] ? `the header row is unreadable (line ${problems[0].line}: ${problems[0].message})` : 'the file is empty (it needs a header row with a "name" column)';
    return { columns: [], rows: [], problems: [{ line: 1, message: why }] };
  }
  // A spreadsheet saved with semicolons reads as one column: say so rather than name it.
  if (header.length === 1 && header[0]!.includes(';')) {
    return { columns: header, rows: [], problems: [{ line: 1, message: 'the columns are separated by ";": save the file as comma-separated CSV (the import reads commas)' }] };
  }
  const headerProblems: string[] = [];
  const seen = new Set<string>();
  // Each header cell as the rows read it: a known column's name, else undefined (a field by its own name).
  const known = header.map(knownColumn);
  const columnOf = header.map((name, k) => known[k] ?? name);
  header.forEach((name, k) => {
    const column = columnOf[k]!;
    if (!known[k] && !FieldName.test(name)) headerProblems.push(`column "${name}" is neither ${IMPORT_COLUMNS.join(', ')} nor a field name (a letter, then letters, digits and _)`);
    if (seen.has(column)) headerProblems.push(`column "${name}" appears twice${column !== name ? ` (as ${column})` : ''}`);
    seen.add(column);
  });
  if (!seen.has('name')) headerProblems.push('there is no "name" column');
  if (!seen.has('id') && !seen.has('email')) headerProblems.push('there is neither an "id" nor an "email" column (a prospect id is made from the address when there is no id)');
  if (headerProblems.length > 0) return { columns: header, rows: [], problems: [{ line: 1, message: headerProblems.join('; ') }] };

  const rows: ImportRow[] = [];
  const firstLine = new Map<string, number>();
  for (const row of table.rows) {
    if (row.cells.length !== header.length) {
      problems.push({ line: row.line, message: `has ${row.cells.length} cells, the header has ${header.length}` });
      continue;
    }
    const cell: Record<string, string> = {};
    const fields: Record<string, string | number> = {};
    columnOf.forEach((name, k) => {
      const value = row.cells[k]!.trim();
      if (known[k]) cell[name] = value;
      else if (value !== '') fields[name] = Number.isFinite(Number(value)) ? Number(value) : value;
    });
    const email = cell.email ? normalizeEmail(cell.email) : undefined;
    const id = cell.id || (email ? leadProspectId(email) : '');
    if (!id) {
      problems.push({ line: row.line, message: 'has neither an id nor an email (a prospect id is made from the address)' });
      continue;
    }
    // A line is named in its problems by the id it gives, else by its person: an id made from
    // a broken address (lead-lisa-at-lang-...) means nothing to whoever fixes the file.
    const who = cell.id || cell.name || email || id;
    const candidate = {
      id,
      name: cell.name ?? '',
      ...(cell.company ? { company: cell.company } : {}),
      ...(cell.email ? { email: cell.email } : {}),
      ...(cell.phone ? { phone: cell.phone } : {}),
      ...(cell.rep || defaults.rep ? { rep: cell.rep || defaults.rep } : {}),
      source: cell.source || defaults.source || 'import',
      fields,
    };
    const parsed = RowSchema.safeParse(candidate);
    if (!parsed.success) {
      problems.push({ line: row.line, message: `${who}: ${describeIssues(parsed.error as z.ZodError).join('; ')}` });
      continue;
    }
    // The rep the row will have: a process that does not hold it refuses the row, one that
    // assigns reps gives a row without one its rep.
    if (process) {
      const rep = candidate.rep;
      const refusal = rep ? notARep(process.definition, rep) : process.assignsReps ? undefined : `${who}: no rep, and process "${process.definition.name}" assigns none (only a published process does): give the line a rep, or the import a default rep (--rep; Default rep on the import page)`;
      if (refusal) {
        problems.push({ line: row.line, message: rep ? `${who}: rep: ${refusal}` : refusal });
        continue;
      }
    }
    const earlier = firstLine.get(id);
    if (earlier !== undefined) {
      problems.push({ line: row.line, message: `${who} is a duplicate of line ${earlier}${cell.id ? '' : ' (the same address)'}` });
      continue;
    }
    firstLine.set(id, row.line);
    rows.push({ line: row.line, info: candidate });
  }
  problems.sort((a, b) => a.line - b.line);
  return { columns: header, rows, problems };
}
