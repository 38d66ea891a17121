import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';
import type { CsvRowError, CsvTable } from '../../domain/campaign/csv';

/**
 * Reading an audience CSV: the format is csv-parse's (RFC 4180), the row rules are the
 * domain's (`audienceFromTable`). Used by the worker when it resolves an audience and by
 * `campaign validate`, so both see the same rows.
 *
 * An audience row is one line: names, companies and cities never hold a line break. So a
 * quote that is not closed on its own line is broken quoting, whatever follows; the row is
 * reported with its line and parsing starts again on the next line. Every non-blank line
 * after the header therefore ends up as exactly one row or one reported error.
 */

const MULTI_LINE = 'broken quoting: a quoted field is not closed on its line';
const QUOTING: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: MULTI_LINE,
  INVALID_OPENING_QUOTE: 'broken quoting: a quote inside an unquoted field (quote the whole field and double the quote: "a ""b"" c")',
  CSV_INVALID_CLOSING_QUOTE: 'broken quoting: text after the closing quote of a field',
};

/** Thrown from csv-parse's record callback to stop at a record that spans lines. */
class SpansLines extends Error {}

/**
 * @param windowLines lines handed to the parser at once: rows are single lines, so windows
 *   can be parsed apart, and a broken line costs a re-parse of its window's rest, not of the
 *   file's (which would make a file full of stray quotes quadratic)
 */
export function readCsvTable(text: string, windowLines = 1_000): CsvTable {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // starts[n - 1] is where line n begins.
  const starts = [0];
  for (const m of src.matchAll(/\r\n|\n|\r/g)) starts.push(m.index + m[0].length);
  const lineCount = src.endsWith('\n') || src.endsWith('\r') ? starts.length - 1 : starts.length;
  const lineText = (n: number) => src.slice(starts[n - 1], n < starts.length ? starts[n] : src.length).replace(/[\r\n]+$/, '');
  // csv-parse skips empty lines; a record begins on the first non-empty line after the last one.
  const nextNonEmpty = (n: number) => {
    while (n <= lineCount && lineText(n) === '') n++;
    return n;
  };

  const records: { line: number; cells: string[] }[] = [];
  const errors: CsvRowError[] = [];
  let from = 1;
  while (from <= lineCount) {
    let lastEnd = from - 1;
    let spanning: number | undefined;
    const to = Math.min(lineCount, from + windowLines - 1);
    try {
      parse(src.slice(starts[from - 1], to < starts.length ? starts[to] : src.length), {
        relax_column_count: true, // the domain counts cells, with a message in its words
        skip_empty_lines: true,
        record_delimiter: ['\r\n', '\n', '\r'],
        on_record: (cells: string[], ctx) => {
          const start = nextNonEmpty(lastEnd + 1);
          const end = from - 1 + ctx.lines;
          lastEnd = end;
          if (end > start) {
            spanning = start;
            throw new SpansLines();
          }
          if (lineText(start).trim() !== '') records.push({ line: start, cells });
          return null;
        },
      });
      from = to + 1;
    } catch (err) {
      let broken: number;
      if (err instanceof SpansLines && spanning !== undefined) {
        broken = spanning;
        errors.push({ line: broken, message: MULTI_LINE });
      } else if (err instanceof CsvError) {
        broken = nextNonEmpty(lastEnd + 1);
        // Found on a later line than the row began: the row's quote never closed on its line.
        const foundAt = from - 1 + ((err as CsvError & { lines?: number }).lines ?? 0);
        errors.push({ line: broken, message: foundAt > broken ? MULTI_LINE : (QUOTING[err.code] ?? `broken row (${err.message})`) });
      } else {
        throw err;
      }
      from = broken + 1;
    }
  }
  const [head, ...rows] = records;
  // A broken header line is not a header: the domain then refuses the file.
  if (!head || errors.some((e) => e.line < head.line)) return { header: [], rows: [], errors };
  return { header: head.cells.map((h) => h.trim()), rows, errors };
}

/**
 * The worker reads an audience CSV named by path only inside its campaign folder (audiences
 * uploaded through the API are in the campaign store, named `upload:<sha256>`): a campaign
 * definition comes from whoever may start a run, and must not make the worker mail out (or
 * report the lines of) an arbitrary file. Symbolic links are followed before the check.
 */
export function resolveAudiencePath(file: string, allowedDir: string): string {
  const root = realpathOrSelf(resolve(allowedDir));
  const real = realpathOrSelf(resolve(root, file));
  const rel = relative(root, real);
  if (!(rel === '' || rel.startsWith('..') || isAbsolute(rel))) return real;
  throw new AudiencePathError(`audience csv ${file} is outside the campaign folder ${root} (SALESFLOW_CAMPAIGN_DIR); put the file there or point SALESFLOW_CAMPAIGN_DIR at its folder`);
}

export class AudiencePathError extends Error {}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path; // does not exist (yet): reading it reports ENOENT
  }
}
