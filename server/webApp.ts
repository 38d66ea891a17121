import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * The web app (web/, built by `npm run build` into dist/web) at `/`. Its files are listed
 * once at start (no wildcard route), and the app's own paths (/day, /prospects/p-1, ...) are
 * answered with index.html so a reload or a bookmark opens the right screen; any other
 * path keeps the server's 404 problem, and /api and /unsubscribe are untouched.
 *
 * The app's pages carry a stricter policy than the API reference: no inline style either
 * (the app has none; React sets styles through the DOM, which a policy does not restrict).
 */

/** Client-side routes of web/src/App.tsx: keep the two lists together. */
export const WEB_APP_ROUTES = ['/login', '/day', '/prospects', '/prospects/:id', '/customers', '/customers/:id', '/renewals', '/board', '/dashboard', '/team-tasks', '/processes', '/processes/:name', '/campaigns', '/campaigns/new', '/campaigns/:id', '/suppressions', '/users', '/account'];

export const WEB_APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** dist/web next to the compiled server, or the built app seen from the sources (tests run those). */
export function defaultWebDir(): string {
  const here = __dirname;
  return basename(dirname(here)) === 'dist' ? join(dirname(here), 'web') : join(dirname(here), 'dist', 'web');
}

export async function registerWebApp(app: FastifyInstance<any, any, any, any, any>, webDir: string = defaultWebDir()): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onSend', async (request, reply, payload) => {
      if (request.method === 'GET' || request.method === 'HEAD') reply.header('content-security-policy', WEB_APP_CSP);
      return payload;
    });
    if (!existsSync(join(webDir, 'index.html'))) {
      // The API works without the app; say how to get it instead of a bare 404.
      scope.get('/', { schema: { hide: true } }, async (_request, reply) =>
        reply.code(503).type('text/plain; charset=utf-8').send(`The web app is not built (no ${join(webDir, 'index.html')}): run npm run build.\nThe API is at /api (reference: /api/docs).\n`),
      );
      return;
    }
    await scope.register(fastifyStatic, {
      root: webDir,
      wildcard: false,
      // Hashed asset names change with their content: cached for good. index.html never is.
      setHeaders: (res, path) => {
        res.header('cache-control', path.includes(`${join(webDir, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    for (const url of WEB_APP_ROUTES) {
      scope.get(url, { schema: { hide: true } }, async (_request, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html'));
    }
  });
}
