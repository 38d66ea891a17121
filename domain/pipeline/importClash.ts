// No imports: the web app's import page runs this too (web/src/pages/ImportProspects.tsx).

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
