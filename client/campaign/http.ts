import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { escapeHtml } from '../../domain/campaign/template';
import { InvalidTokenError, verifyUnsubscribeToken } from '../../activities/campaign/unsubscribeToken';
import type { CampaignClient } from './campaignClient';

/**
 * The HTTP endpoint of the local stack: the unsubscribe link every campaign mail carries.
 * `GET /unsubscribe?token=...` (a person clicking the footer link) shows a confirmation
 * button, so a mail scanner following links unsubscribes nobody; `POST` to the same URL
 * unsubscribes, which is also what a mail client's one-click unsubscribe sends (RFC 8058,
 * body `List-Unsubscribe=One-Click`). The token is verified (signature and expiry) before
 * anything is recorded. (The token code lives in activities/, where mails are signed.)
 */

export interface HttpServerOptions {
  port: number;
  host?: string;
  secret: string;
  campaigns: CampaignClient;
  now?: () => number;
}

export interface RunningHttpServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

function page(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>${escapeHtml(title)}</h1>${body}</body></html>`);
}

async function handle(req: IncomingMessage, res: ServerResponse, options: HttpServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  if (url.pathname !== '/unsubscribe') {
    page(res, 404, 'Not found', '');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'POST') {
    res.writeHead(405, { allow: 'GET, POST' }).end();
    return;
  }
  const token = url.searchParams.get('token') ?? '';
  let payload;
  try {
    payload = verifyUnsubscribeToken(options.secret, token, (options.now ?? Date.now)());
  } catch (err) {
    if (!(err instanceof InvalidTokenError)) throw err;
    page(res, 400, 'This unsubscribe link does not work', `<p>${escapeHtml(err.message)}.</p><p>Reply to the mail and ask to be removed instead.</p>`);
    return;
  }
  if (req.method === 'GET') {
    page(
      res,
      200,
      'Unsubscribe',
      `<p>Stop campaign mail to <b>${escapeHtml(payload.email)}</b>?</p>` +
        `<form method="post" action="/unsubscribe?token=${encodeURIComponent(token)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
    );
    return;
  }
  // Drain the body (one-click sends List-Unsubscribe=One-Click); the token is what counts.
  for await (const _chunk of req) void _chunk;
  await options.campaigns.suppress({ email: payload.email, reason: 'unsubscribed', source: payload.campaign, detail: 'unsubscribe link' });
  page(res, 200, 'Unsubscribed', `<p><b>${escapeHtml(payload.email)}</b> will get no more campaign mail from us.</p>`);
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const server = createServer((req, res) => {
    handle(req, res, options).catch((err: unknown) => {
      if (!res.headersSent) page(res, 503, 'Please try again in a moment', `<p>${escapeHtml((err as Error).message.split('\n')[0] ?? '')}</p>`);
      else res.end();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${host}:${port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
