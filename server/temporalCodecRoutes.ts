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

export async function registerTemporalCodecRoutes(api: App): Promise<void> {
  for (const direction of ['decode', 'encode'] as const) {
    api.post(
      `/temporal-codec/${direction}`,
      {
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
}
