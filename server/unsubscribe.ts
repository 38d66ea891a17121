import type { FastifyInstance, FastifyReply } from 'fastify';
import { escapeHtml } from '../domain/campaign/template';
import { recordCampaignOutcome } from '../db/reporting';
import { campaignIdOf } from '../workflows/campaign/contract';
import { InvalidTokenError, verifyUnsubscribeToken } from '../activities/campaign/unsubscribeToken';
import type { ServerDeps } from './app';
import { publicPage } from './publicPage';

/**
 * The unsubscribe link every campaign mail carries, at the same paths as before the server
 * existed (mails already sent keep working): `GET /unsubscribe?token=...` shows a button, so
 * a mail scanner following links unsubscribes nobody; `POST` unsubscribes, which is also a
 * mail client's one-click unsubscribe (RFC 8058, body `List-Unsubscribe=One-Click`). The token
 * (signature and expiry) is the authorization; no login.
 */

export async function registerUnsubscribeRoutes(app: FastifyInstance, deps: Pick<ServerDeps, 'unsubscribeSecret' | 'campaigns' | 'now'> & Partial<Pick<ServerDeps, 'db'>>): Promise<void> {
  // One-click unsubscribe posts a form; its content does not matter (the token does).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => done(null, body));

  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => reply.type('text/plain').send('ok\n'));

  const handler = async (request: { method: string; query: unknown }, reply: FastifyReply) => {
    const token = String((request.query as { token?: unknown }).token ?? '');
    let payload;
    try {
      payload = verifyUnsubscribeToken(deps.unsubscribeSecret, token, (deps.now ?? Date.now)());
    } catch (err) {
      if (!(err instanceof InvalidTokenError)) throw err;
      return publicPage(reply, 400, 'This unsubscribe link does not work', `<p>${escapeHtml(err.message)}.</p><p>Reply to the mail and ask to be removed instead.</p>`);
    }
    if (request.method === 'GET') {
      return publicPage(
        reply,
        200,
        'Unsubscribe',
        `<p>Stop campaign mail to <b>${escapeHtml(payload.email)}</b>?</p>` +
          `<form method="post" action="/unsubscribe?token=${encodeURIComponent(token)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
      );
    }
    try {
      await deps.campaigns.suppress({ email: payload.email, reason: 'unsubscribed', source: payload.campaign, detail: 'unsubscribe link' });
      // For the campaigns report; keyed by (run, address), so a second click counts once.
      if (deps.db) await recordCampaignOutcome(deps.db, { run: payload.campaign, email: payload.email, outcome: 'unsubscribed', campaign: campaignIdOf(payload.campaign), at: new Date((deps.now ?? Date.now)()) });
    } catch (err) {
      return publicPage(reply, 503, 'Please try again in a moment', `<p>${escapeHtml((err as Error).message.split('\n')[0] ?? '')}</p>`);
    }
    return publicPage(reply, 200, 'Unsubscribed', `<p><b>${escapeHtml(payload.email)}</b> will get no more campaign mail from us.</p>`);
  };
  app.get('/unsubscribe', { schema: { hide: true } }, handler);
  app.post('/unsubscribe', { schema: { hide: true } }, handler);
}
