import cors from '@fastify/cors';
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

export async function registerTemporalCodecRoutes(api: App, options: { browserOrigins?: readonly string[] } = {}): Promise<void> {
  await api.register(
    async (plain) => {
      const scope = plain.withTypeProvider<ZodTypeProvider>();
      const origins = options.browserOrigins ?? [];
      if (origins.length > 0) {
        await scope.register(cors, {
          origin: [...origins],
          credentials: true,
          methods: ['POST'],
          allowedHeaders: ['Content-Type', 'X-Namespace', 'Authorization'],
          maxAge: 600,
        });
        // The plugin answers from a request hook, which runs after the API's authentication: a
        // 401 would leave without its headers and reach the UI as a bare network error.
        scope.addHook('onSend', async (request, reply, payload) => {
          const origin = request.headers.origin;
          if (origin !== undefined && origins.includes(origin) && !reply.hasHeader('access-control-allow-origin')) {
            void reply.header('access-control-allow-origin', origin).header('access-control-allow-credentials', 'true').header('vary', 'Origin');
          }
          return payload;
        });
      }
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
    { prefix: '/temporal-codec' },
  );
}
