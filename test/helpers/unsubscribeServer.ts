import type { Server } from 'node:http';
import Fastify from 'fastify';
import { registerUnsubscribeRoutes } from '../../server/unsubscribe';
import type { CampaignClient } from '../../client/campaign/campaignClient';

/**
 * The unsubscribe endpoint alone, for tests that need no accounts. It lives in the
 * salesflow server now (server/unsubscribe.ts, served by `npm start` and `npm run api`); this
 * starts the same routes on a bare fastify.
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

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const app = Fastify({ logger: false });
  await registerUnsubscribeRoutes(app, { unsubscribeSecret: options.secret, campaigns: options.campaigns, now: options.now });
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { url: `http://${host}:${port}`, server: app.server, close: () => app.close() };
}
