// No imports: the web app's import page runs this too (web/src/pages/ImportProspects.tsx), as
// `salesflow import` does (client/pipeline/importCommand.ts).

/** A line of the file with what was said of it. */
export interface LineNote {
  line: number;
  id: string;
  message: string;
}

/** What an import did so far. */
export interface ImportTally {
  done: number;
  created: number;
  /** Lines whose prospect is there already, the same person (an import run again). */
  existing: number;
  /** Lines the server refused (a rep the account may not create for): the import went on. */
  refused: LineNote[];
  /** Lines whose id is an existing prospect of another name or address: left as they were. */
  clashes: LineNote[];
  /** Why it stopped before the end (the server gone, the login expired, the user): what was created stays. */
  stopped?: unknown;
}

interface Line {
  line: number;
  info: { id: string; name: string; email?: string };
}

/**
 * Creates the checked lines, `concurrency` at a time, through `create` (the API's create,
 * which leaves an existing prospect as it is). A refusal of the server about the line
 * (`refusal` gives its message) is listed and the import goes on; any other failure, or
 * `halted()`, stops it after the creates under way. Lists come back in line order.
 */
export async function runImport<L extends Line>(
  lines: readonly L[],
  options: {
    concurrency: number;
    create(line: L): Promise<{ created: boolean; existing: { name: string; email?: string } }>;
    /** The message when `err` is the server refusing this line; undefined when the import must stop. */
    refusal(err: unknown): string | undefined;
    halted?(): boolean;
    progress?(tally: ImportTally): void;
  },
): Promise<ImportTally> {
  const tally: ImportTally = { done: 0, created: 0, existing: 0, refused: [], clashes: [] };
  let next = 0;
  const lane = async () => {
    while (tally.stopped === undefined && !options.halted?.() && next < lines.length) {
      const line = lines[next++]!;
      try {
        const answer = await options.create(line);
        if (answer.created) tally.created++;
        else {
          // Someone else under the line's id is not this line "already there": it is a line not imported.
          const clash = clashWith(line, answer.existing);
          if (clash) tally.clashes.push({ line: line.line, id: line.info.id, message: clash });
          else tally.existing++;
        }
      } catch (err) {
        const message = options.refusal(err);
        if (message === undefined) {
          tally.stopped ??= err;
          return;
        }
        tally.refused.push({ line: line.line, id: line.info.id, message });
      }
      tally.done++;
      options.progress?.(tally);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, lines.length) }, lane));
  tally.refused.sort((a, b) => a.line - b.line);
  tally.clashes.sort((a, b) => a.line - b.line);
  return tally;
}

/**
 * An existing prospect that is someone else: the line's id is taken (a second person of one
 * company given the company's id, a clash with another system's ids). Creating it again
 * changes nothing, so the line would be lost without a word.
 */
export function clashWith(row: { info: { id: string; name: string; email?: string } }, existing: { name: string; email?: string }): string | undefined {
  const email = (e: string | undefined) => e?.trim().toLowerCase() ?? '';
  const sameName = existing.name.trim().toLowerCase() === row.info.name.trim().toLowerCase();
  const sameEmail = !row.info.email || email(existing.email) === email(row.info.email);
  if (sameName && sameEmail) return undefined;
  const who = (name: string, mail: string | undefined) => `${name}${mail ? ` <${mail}>` : ''}`;
  return `${row.info.id} is already ${who(existing.name, existing.email)}, not ${who(row.info.name, row.info.email)}: this line was not imported (give it another id)`;
}

/** The tally in one line: "3 created, 1 already there, 1 refused, 1 not imported (its id is someone else's)". */
export function tallyLine(tally: Pick<ImportTally, 'created' | 'existing' | 'refused' | 'clashes'>): string {
  return [
    `${tally.created} created`,
    `${tally.existing} already there`,
    ...(tally.refused.length ? [`${tally.refused.length} refused`] : []),
    ...(tally.clashes.length ? [`${tally.clashes.length} not imported (${tally.clashes.length === 1 ? "its id is someone else's" : "their ids are someone else's"})`] : []),
  ].join(', ');
}
