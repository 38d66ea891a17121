/**
 * Aligned text tables for the terminal: a header row, then one line per row, each column as
 * wide as its widest cell. A column whose every cell is a number (or '-', or empty; one number at least) is right-aligned,
 * so amounts and counts line up by their last digit (`numeric` says which columns are, when
 * the caller knows: a report's column of rates is one even when every rate is '-'). Lines end
 * without trailing blanks.
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], options: { rule?: boolean; numeric?: readonly boolean[] } = {}): string {
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((r) => (r[col] ?? '').length)));
  const numeric = options.numeric ?? header.map((_h, col) => rows.some((r) => /\d/.test(r[col] ?? '')) && rows.every((r) => /^-?[\d.,]+$|^-?$/.test(r[col] ?? '')));
  const line = (cells: readonly string[]) =>
    header
      .map((_h, col) => {
        const cell = cells[col] ?? '';
        return numeric[col] ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!);
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...(options.rule ? [line(widths.map((w) => '-'.repeat(w)))] : []), ...rows.map(line)].join('\n');
}
