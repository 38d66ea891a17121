import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { COMPRESSED_ENCODING, COMPRESS_FROM_BYTES, CompressionCodec } from '../../client/shared/payloadCompression';

const codec = new CompressionCodec();
const encodingOf = (p: { metadata?: Record<string, Uint8Array> | null }) => Buffer.from(p.metadata?.encoding ?? new Uint8Array()).toString();

test('a large JSON payload is stored deflated and decodes to the same value', async () => {
  const value = { text: 'Dear customer, thank you for your inquiry. '.repeat(60), lines: Array.from({ length: 20 }, (_, i) => ({ product: `PUMP-${i}`, quantity: i })) };
  const payload = defaultPayloadConverter.toPayload(value);
  const [encoded] = await codec.encode([payload]);
  expect(encodingOf(encoded!)).toBe(COMPRESSED_ENCODING);
  expect(encoded!.data!.length).toBeLessThan(payload.data!.length / 3);
  const [decoded] = await codec.decode([encoded!]);
  expect(encodingOf(decoded!)).toBe('json/plain');
  expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(value);
});

test('small payloads stay readable JSON, and incompressible ones stay as they are', async () => {
  const small = defaultPayloadConverter.toPayload({ outcome: 'qualified', by: 'alice' });
  expect(small.data!.length).toBeLessThan(COMPRESS_FROM_BYTES);
  const noise = defaultPayloadConverter.toPayload(randomBytes(4_096));
  const [a, b] = await codec.encode([small, noise]);
  expect(a).toBe(small);
  expect(b).toBe(noise);
});

test('payloads recorded without the codec decode unchanged', async () => {
  const old = defaultPayloadConverter.toPayload({ note: 'x'.repeat(5_000) });
  const [decoded] = await codec.decode([old]);
  expect(decoded).toBe(old);
});
