import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { COMPRESSION_DICTIONARIES } from './compressionDictionary';

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
 *
 * Payloads are deflated against a preset dictionary (./compressionDictionary.ts): the keys
 * and mail HTML that every prospect repeats cost next to nothing, so a won prospect's big
 * payloads take half the bytes plain deflate needs. The encoding names the dictionary;
 * payloads deflated before dictionaries (`binary/x-salesflow-deflate`) still decode.
 * A worker or client from before this encoding cannot read it: upgrade all of them together.
 */
export const COMPRESSED_ENCODING = 'binary/x-salesflow-deflate-d1';
/** Deflated without a dictionary: how payloads were written before the dictionaries. */
export const PLAIN_DEFLATE_ENCODING = 'binary/x-salesflow-deflate';
const DICTIONARY = COMPRESSION_DICTIONARIES.d1;

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
  const data = deflateRawSync(temporal.api.common.v1.Payload.encode(payload).finish(), { dictionary: DICTIONARY });
  // Incompressible data (already compressed, random) stays as it was.
  if (data.length >= size * 0.9) return payload;
  return { metadata: { encoding: ENCODING }, data };
}

/** The dictionary each of the codec's encodings was deflated with (null: none). */
const DICTIONARY_OF = new Map<string, Buffer | null>([
  [PLAIN_DEFLATE_ENCODING, null],
  ...Object.entries(COMPRESSION_DICTIONARIES).map(([version, dictionary]) => [`${PLAIN_DEFLATE_ENCODING}-${version}`, dictionary] as const),
]);

/** Whether a payload is one this codec compressed (any version). */
export function isCompressedPayload(payload: Payload): boolean {
  const encoding = payload.metadata?.encoding;
  return encoding !== undefined && encoding !== null && DICTIONARY_OF.has(decoder.decode(encoding));
}

export function decompressPayload(payload: Payload): Payload {
  const encoding = payload.metadata?.encoding;
  const dictionary = encoding ? DICTIONARY_OF.get(decoder.decode(encoding)) : undefined;
  if (dictionary === undefined) return payload;
  if (!payload.data) throw new Error('a compressed payload without data');
  return temporal.api.common.v1.Payload.decode(inflateRawSync(payload.data, dictionary ? { dictionary } : {})) as Payload;
}

/** The data converter of every salesflow client and worker. */
export const salesflowDataConverter: DataConverter = { payloadCodecs: [new CompressionCodec()] };
