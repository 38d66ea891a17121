import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { DomainError, describeIssues } from '../../domain/shared/errors';

/**
 * Where the CLI keeps who it acts as: the server's URL and an API token made by
 * `salesflow login`, in the user's config folder, readable by that user only (mode 0600,
 * like ssh keys and kubeconfig). SALESFLOW_URL and SALESFLOW_TOKEN override the file, for
 * scripts and CI that get a token another way.
 */

/** The server `npm start` runs, on this machine. */
export const DEFAULT_API_URL = 'http://127.0.0.1:8088';

const UrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL, e.g. http://127.0.0.1:8088' })
  .transform((u) => u.replace(/\/+$/, '').replace(/\/api$/, ''));

export const CredentialsSchema = z.object({
  url: UrlSchema,
  token: z.string().min(1),
  /** The token's id on the server, so `logout` can revoke it. */
  tokenId: z.string().optional(),
  login: z.string().optional(),
});
export type Credentials = z.infer<typeof CredentialsSchema>;

export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SALESFLOW_CONFIG_DIR) return join(env.SALESFLOW_CONFIG_DIR, 'credentials.json');
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'salesflow', 'credentials.json');
}

export function parseApiUrl(text: string, where: string): string {
  const parsed = UrlSchema.safeParse(text.trim());
  if (!parsed.success) throw new DomainError(`${where} "${text}": ${describeIssues(parsed.error).join('; ')}`);
  return parsed.data;
}

export function readCredentialsFile(file = credentialsPath()): Credentials | undefined {
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DomainError(`${file} is not readable JSON (${(err as Error).message}); run \`salesflow login\` again`);
  }
  const parsed = CredentialsSchema.safeParse(raw);
  if (!parsed.success) throw new DomainError(`${file}: ${describeIssues(parsed.error).join('; ')}; run \`salesflow login\` again`);
  return parsed.data;
}

/** The file is created 0600 and re-chmodded, so a file made by hand with looser modes is fixed. */
export function writeCredentialsFile(credentials: Credentials, file = credentialsPath()): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function removeCredentialsFile(file = credentialsPath()): boolean {
  if (!existsSync(file)) return false;
  rmSync(file);
  return true;
}

/** Who the CLI acts as: the environment first, then the file; undefined when neither says. */
export function currentCredentials(env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  const file = readCredentialsFile(credentialsPath(env));
  const token = env.SALESFLOW_TOKEN?.trim() || file?.token;
  if (!token) return undefined;
  const url = env.SALESFLOW_URL ? parseApiUrl(env.SALESFLOW_URL, 'SALESFLOW_URL') : (file?.url ?? DEFAULT_API_URL);
  return { url, token, ...(env.SALESFLOW_TOKEN ? {} : { tokenId: file?.tokenId, login: file?.login }) };
}
