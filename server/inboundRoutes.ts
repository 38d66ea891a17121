import { z } from 'zod';
import { can } from '../domain/accounts/access';
import { listInbound } from '../db/inbound';
import { actorOf, requirePrincipal } from './auth';
import type { App, ServerDeps } from './app';
import { forbidden, ProblemSchema } from './problem';

/**
 * Inbound mail as ops see it: by default the unmatched list (mail to salesflow's reply
 * address that no prospect claimed, kept instead of dropped), or the auto-replies and the
 * logged replies. Ops and admin only: it holds customers' mail.
 */

const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 503: ProblemSchema };

const InboundMailSchema = z
  .object({
    id: z.string(),
    receivedAt: z.string(),
    messageId: z.string(),
    from: z.string().nullable(),
    subject: z.string().nullable(),
    status: z.enum(['pending', 'logged', 'auto_reply', 'unmatched']),
    prospectId: z.string().nullable(),
    matchedBy: z.string().nullable(),
    detail: z.string().nullable(),
    text: z.string().nullable(),
  })
  .meta({ id: 'InboundMail' });

export async function registerInboundRoutes(api: App, deps: ServerDeps): Promise<void> {
  api.get(
    '/inbound',
    {
      schema: {
        tags: ['inbound'],
        summary: 'inbound mail: the unmatched list (default), auto-replies, logged replies',
        querystring: z.strictObject({
          status: z.enum(['unmatched', 'auto_reply', 'logged', 'pending']).default('unmatched'),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ mail: z.array(InboundMailSchema) }), ...problems },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      if (!can(actorOf(p), 'manage', { kind: 'campaign' })) throw forbidden('only ops or an admin may read inbound mail');
      const rows = await listInbound(deps.db, { status: request.query.status, limit: request.query.limit });
      return { mail: rows.map((r) => ({ ...r, receivedAt: r.receivedAt.toISOString() })) };
    },
  );
}
