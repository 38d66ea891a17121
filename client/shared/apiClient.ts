import { randomUUID } from 'node:crypto';
import { DomainError, parsePath, type FieldIssue } from '../../domain/shared/errors';

/**
 * The CLI's one way to the salesflow server: JSON over HTTP with the logged-in user's API
 * token. A refusal comes back as the server's problem JSON and is rethrown as the same
 * DomainError the command would have met in process, with its fields as paths, so the CLI
 * names them as the flags the person typed (cliErrors.ts).
 */

export interface ApiProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  field?: string;
  errors?: { field: string; message: string; line?: number }[];
}

/** A refusal by the server, with its HTTP status (404: not found or not yours; 403: not allowed). */
export class ApiRefusal extends DomainError {
  constructor(
    readonly status: number,
    message: string,
    issues?: readonly FieldIssue[],
    input?: unknown,
    /** The problem JSON as the server sent it (its `errors` carry lines for uploaded files). */
    readonly problem: ApiProblemBody = {},
  ) {
    super(message, issues, input);
    this.name = 'ApiRefusal';
  }
}

type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Extra headers (a login's cookie and CSRF token). */
  headers?: Record<string, string>;
}

/** Long enough for a command that waits on a busy worker; the server itself gives up after 30 s. */
const TIMEOUT_MS = 90_000;

export class ApiClient {
  constructor(
    readonly url: string,
    private readonly token: string | undefined,
    private readonly timeoutMs = TIMEOUT_MS,
  ) {}

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  /**
   * Every row of a paged list (`nextPageToken` followed until it is absent), or the first
   * `limit` rows; pages of at most 500.
   */
  async pages<T>(path: string, key: string, query: Query, limit?: number): Promise<T[]> {
    const rows: T[] = [];
    let pageToken: string | undefined;
    do {
      const want = limit === undefined ? 500 : Math.min(500, limit - rows.length);
      const page = await this.get<Record<string, unknown> & { nextPageToken?: string }>(path, { ...query, limit: want, pageToken });
      rows.push(...((page[key] ?? []) as T[]));
      pageToken = page.nextPageToken;
    } while (pageToken && (limit === undefined || rows.length < limit));
    return rows.slice(0, limit);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, { body });
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { body });
  }

  delete<T = void>(path: string): Promise<T> {
    return this.request<T>('DELETE', path, {});
  }

  /** The response as it came (status, headers, parsed body), for login's cookie. */
  async request<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    return (await this.exchange<T>(method, path, options)).body;
  }

  async exchange<T>(method: string, path: string, options: RequestOptions): Promise<{ body: T; headers: Headers }> {
    const target = new URL(`${this.url}/api${path}`);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) target.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const hasBody = options.body !== undefined && method !== 'GET' && method !== 'DELETE';
    if (hasBody) headers['content-type'] = 'application/json';
    // One key per command: a retry after a dropped connection is answered from the server's
    // record instead of applying the command twice.
    if (method === 'POST') headers['idempotency-key'] = randomUUID();
    const init: RequestInit = { method, headers, ...(hasBody ? { body: JSON.stringify(options.body) } : {}) };

    let response: Response | undefined;
    for (let attempt = 1; response === undefined; attempt++) {
      try {
        response = await fetch(target, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
      } catch (err) {
        if (attempt < 3 && retriable(err)) continue;
        throw this.unreachable(err);
      }
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new DomainError(`the server at ${this.url} answered ${response.status} with something that is not JSON; is SALESFLOW_URL the salesflow server?`);
    }
    if (!response.ok) throw this.refusal(response.status, parsed, options.body, path);
    return { body: parsed as T, headers: response.headers };
  }

  private refusal(status: number, body: unknown, input: unknown, path: string): DomainError {
    const problem = (body ?? {}) as ApiProblemBody;
    let detail = problem.detail ?? problem.title ?? `the server answered ${status}`;
    // A refused login is its own answer; any other 401 means the stored login is no longer good.
    if (status === 401 && path !== '/session') detail = `${detail} (run \`salesflow login\`${this.token ? ' again' : ''})`;
    const issues = problem.errors?.map((e) => ({ path: parsePath(e.field), message: e.message }));
    return new ApiRefusal(status, detail, issues && issues.length > 0 ? issues : undefined, input, problem);
  }

  private unreachable(err: unknown): DomainError {
    const cause = causeCode(err);
    if ((err as Error)?.name === 'TimeoutError') return new DomainError(`the salesflow server at ${this.url} did not answer within ${this.timeoutMs / 1000} s`);
    return new DomainError(`cannot reach the salesflow server at ${this.url}${cause ? ` (${cause})` : ''}; is it running (npm start)? Log in to another with \`salesflow login --url URL\``);
  }
}

function causeCode(err: unknown): string | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** A connection dropped before an answer: safe to resend, since every POST carries its key. */
function retriable(err: unknown): boolean {
  const code = causeCode(err);
  return code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE';
}
