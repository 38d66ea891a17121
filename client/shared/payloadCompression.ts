import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/**
 * Large payloads go into Temporal deflated. A won prospect's history carries a few big
 * JSON payloads (the start input with its process definition, the quotation mail with its
 * text and HTML, the document to render, the read model's batches), and JSON of that kind
 * shrinks three- to fivefold. Small ones (commands, their answers, signals) stay as they are,
 * so most of a history still reads as JSON in the Temporal UI and CLI; the rest reads
 * through the codec endpoint of `npm run api` (`POST /api/temporal-codec/decode`).
 *
 * Every Temporal client and worker of salesflow must use this converter (clients come from
 * `temporalClient` in temporalConnection.ts): a payload written compressed can only be read
 * by a converter that knows this codec. Payloads without its
 * encoding (everything recorded before it) pass through decode unchanged.
 */
export const COMPRESSED_ENCODING = 'binary/x-salesflow-deflate';

/** Payloads smaller than this stay uncompressed: the saving would be a few bytes and readability lost. */
export const COMPRESS_FROM_BYTES = 1_024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const ENCODING = encoder.encode(COMPRESSED_ENCODING);

export class CompressionCodec implements PayloadCodec {
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map(compressPayload);
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map(decompressPayload);
  }
}

/** The payload deflated, whole (metadata included), when it is large and deflating pays; else itself. */
export function compressPayload(payload: Payload): Payload {
  const size = payload.data?.length ?? 0;
  if (size < COMPRESS_FROM_BYTES) return payload;
  const data = deflateRawSync(temporal.api.common.v1.Payload.encode(payload).finish());
  // Incompressible data (already compressed, random) stays as it was.
  if (data.length >= size * 0.9) return payload;
  return { metadata: { encoding: ENCODING }, data };
}

export function decompressPayload(payload: Payload): Payload {
  const encoding = payload.metadata?.encoding;
  if (!encoding || decoder.decode(encoding) !== COMPRESSED_ENCODING) return payload;
  if (!payload.data) throw new Error('a compressed payload without data');
  return temporal.api.common.v1.Payload.decode(inflateRawSync(payload.data)) as Payload;
}

/** The data converter of every salesflow client and worker. */
export const salesflowDataConverter: DataConverter = { payloadCodecs: [new CompressionCodec()] };
