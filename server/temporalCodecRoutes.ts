import type { FastifyCorsOptions } from '@fastify/cors';
import type { FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Payload } from '@temporalio/common';
import { CompressionCodec } from '../client/shared/payloadCompression';
import { requirePrincipal } from './auth';
import type { App } from './app';
import { ProblemSchema, forbidden } from './problem';

/**
 * The remote codec endpoint of Temporal's UI and CLI, so an operator reads the payloads
 * salesflow stores compressed (client/shared/payloadCompression.ts):
 * `temporal workflow show -w prospect-lead-1 --codec-endpoint http://127.0.0.1:8088/api/temporal-codec --codec-auth "Bearer $TOKEN"`.
 * Payloads hold customers' data of every prospect, so only an admin may decode.
 *
 * The Temporal UI calls it from the browser, from its own origin, with the admin's salesflow
 * session cookie ("include cross-origin credentials" in its codec settings): those origins
 * (SALESFLOW_CODEC_ORIGINS) get CORS answers on these two routes and nowhere else. Decoding
 * and encoding change nothing on the server, so these POSTs need no CSRF token, which the UI
 * could not send; another site's page still cannot read an answer (no CORS for its origin)
 * nor, being cross-site, send the cookie (SameSite=Lax).
 */

const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const PayloadsSchema = z.object({
  payloads: z
    .array(z.object({ metadata: z.record(z.string(), Base64).optional(), data: Base64.optional() }))
    .max(10_000),
});
type WirePayloads = z.infer<typeof PayloadsSchema>;

const codec = new CompressionCodec();

function fromWire(body: WirePayloads): Payload[] {
  return body.payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  }));
}

function toWire(payloads: Payload[]): WirePayloads {
  return {
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
    })),
  };
}

/** Where the codec's routes live under the API's prefix. */
const CODEC_PREFIX = '/temporal-codec';

/**
 * CORS for the API scope (@fastify/cors's per-request options): the codec's routes answer the
 * given origins with credentials, every other route no origin at all. Registered before the
 * API's authentication (server/app.ts), as the plugin means to be: a preflight is answered
 * before it, and a refusal (401, 403) carries the headers, so the UI reads it.
 */
export function codecCors(origins: readonly string[], apiPrefix: string) {
  const codecPath = `${apiPrefix}${CODEC_PREFIX}/`;
  return (request: FastifyRequest, callback: (err: Error | null, options: FastifyCorsOptions) => void): void => {
    callback(
      null,
      request.url.startsWith(codecPath)
        ? { origin: [...origins], credentials: true, methods: ['POST'], allowedHeaders: ['Content-Type', 'X-Namespace', 'Authorization'], maxAge: 600 }
        : { origin: false },
    );
  };
}

export async function registerTemporalCodecRoutes(api: App): Promise<void> {
  await api.register(
    async (plain) => {
      const scope = plain.withTypeProvider<ZodTypeProvider>();
      for (const direction of ['decode', 'encode'] as const) {
        scope.post(
          `/${direction}`,
          {
            config: { changesNothing: true },
            schema: {
              tags: ['operations'],
              summary: `Temporal remote codec: ${direction} payloads (admin)`,
              body: PayloadsSchema,
              response: { 200: PayloadsSchema, 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema },
            },
          },
          async (request) => {
            const principal = requirePrincipal(request);
            if (principal.role !== 'admin') throw forbidden('only an admin may decode Temporal payloads: they hold every prospect');
            const payloads = fromWire(request.body);
            return toWire(direction === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads));
          },
        );
      }
    },
    { prefix: CODEC_PREFIX },
  );
}
