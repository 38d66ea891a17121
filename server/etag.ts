import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/**
 * Conditional GETs for the API: every 200 answer to a GET carries an ETag (a hash of its
 * body), and a GET whose If-None-Match names the current one is answered 304 with no body.
 * The web app polls the board, My day and campaign progress this way; an unchanged answer
 * costs neither the transfer nor a re-render.
 *
 * Hand-written rather than @fastify/etag: that plugin tags and 304s every method after the
 * handler ran, so a write sent with If-None-Match would be done and then reported as
 * "not modified". Here only GET (and HEAD) take part. The hash is of the body as sent, so two
 * people whose views differ never share a tag; `private, no-cache` keeps shared caches out
 * and makes browsers ask again each time.
 */

export function etagOf(body: string | Buffer): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

/** True when an If-None-Match header names this tag (a list, `*`, weak or strong). */
export function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

export function registerEtags(api: FastifyInstance<any, any, any, any, any>): void {
  api.addHook('onSend', async (request, reply, payload) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || reply.statusCode !== 200) return payload;
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
    const etag = etagOf(payload);
    reply.header('etag', etag);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-cache');
    if (!matches(request.headers['if-none-match'], etag)) return payload;
    reply.code(304);
    reply.removeHeader('content-type');
    reply.removeHeader('content-length');
    return '';
  });
}
