import { createHash, randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { COMPRESSION_DICTIONARIES } from '../../client/shared/compressionDictionary';
import { COMPRESSED_ENCODING, COMPRESS_FROM_BYTES, CompressionCodec, PLAIN_DEFLATE_ENCODING, isCompressedPayload } from '../../client/shared/payloadCompression';
import { DEFAULT_PROCESS_INPUT } from '../../domain/process/process';

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

test('payloads deflated before the dictionaries still decode', async () => {
  const value = { info: { id: 'p-old', name: 'Olga Old' }, process: DEFAULT_PROCESS_INPUT };
  const inner = defaultPayloadConverter.toPayload(value);
  const old = { metadata: { encoding: Buffer.from(PLAIN_DEFLATE_ENCODING) }, data: deflateRawSync(temporal.api.common.v1.Payload.encode(inner).finish()) };
  expect(isCompressedPayload(old)).toBe(true);
  const [decoded] = await codec.decode([old]);
  expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(value);
});

test('the dictionary pays: a process definition takes far fewer bytes than with plain deflate', async () => {
  // The built-in process is not in the dictionary (scripts/compressionDictionary.ts uses a
  // made-up one), so this is what any process gains from the keys alone.
  const reps = Array.from({ length: 8 }, (_, i) => ({ id: `rep${i}`, name: `Rep ${i}`, email: `rep${i}@sales.test` }));
  const process = { ...DEFAULT_PROCESS_INPUT, teams: [{ name: 'floor', manager: { id: 'mia', name: 'Mia Manager', email: 'mia@sales.test' }, reps }] };
  const payload = defaultPayloadConverter.toPayload({ info: { id: 'p-1', name: 'Dora Dict', email: 'dora@dict.test', rep: 'rep1' }, process });
  expect(payload.data!.length).toBeGreaterThanOrEqual(COMPRESS_FROM_BYTES);
  const plain = deflateRawSync(temporal.api.common.v1.Payload.encode(payload).finish()).length;
  const [encoded] = await codec.encode([payload]);
  expect(encodingOf(encoded!)).toBe(COMPRESSED_ENCODING);
  expect(encoded!.data!.length).toBeLessThan(plain * 0.8);
});

test('a published dictionary never changes: histories compressed with it need its exact bytes', () => {
  // Changing a dictionary makes every payload written with it unreadable. Add a new version instead.
  expect(Object.fromEntries(Object.entries(COMPRESSION_DICTIONARIES).map(([v, d]) => [v, createHash('sha256').update(d).digest('hex')]))).toEqual({
    d1: 'ff4ce5f72490551532fd3dced97e053d2bf9152594b7dd8cf5ec0e6a6f51795e',
  });
});
