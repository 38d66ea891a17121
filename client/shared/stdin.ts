import { DomainError } from '../../domain/shared/errors';

/**
 * A secret from stdin (`--password-stdin`): only its first line, so `echo pw | salesflow ...`
 * and a here-document both work, and the secret never appears in the process list.
 */
export async function readFirstLine(stream: NodeJS.ReadableStream, flag = '--password-stdin'): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += chunk.toString();
    if (text.includes('\n')) break;
  }
  const line = text.split(/\r?\n/)[0];
  if (!line) throw new DomainError(`${flag}: stdin held no password`);
  return line;
}

/** The first `count` lines of stdin (a current and a new password, say). */
export async function readLines(stream: NodeJS.ReadableStream, count: number): Promise<string[]> {
  let text = '';
  for await (const chunk of stream) {
    text += chunk.toString();
    if (text.split(/\r?\n/).length > count) break;
  }
  return text.split(/\r?\n/).slice(0, count);
}
