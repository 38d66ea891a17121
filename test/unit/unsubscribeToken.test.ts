import { signUnsubscribeToken, unsubscribeUrl, verifyUnsubscribeToken } from '../../activities/unsubscribeToken';

const secret = 'a-test-secret-of-some-length';
const now = Date.parse('2026-03-01T00:00:00Z');
const DAY = 86_400_000;

test('a genuine token verifies and names the address and campaign', () => {
  const token = signUnsubscribeToken(secret, { email: 'Ann@ACME.example', campaign: 'campaign-spring' }, now + 30 * DAY);
  expect(verifyUnsubscribeToken(secret, token, now)).toEqual({ email: 'ann@acme.example', campaign: 'campaign-spring', expiresAt: now + 30 * DAY });
  expect(unsubscribeUrl('http://127.0.0.1:8088/', token)).toBe(`http://127.0.0.1:8088/unsubscribe?token=${encodeURIComponent(token)}`);
});

test('a tampered token is refused: another address, another signature, another secret', () => {
  const token = signUnsubscribeToken(secret, { email: 'ann@acme.example', campaign: 'c' }, now + DAY);
  const [, sig] = token.split('.');
  const forgedBody = Buffer.from(JSON.stringify({ e: 'boss@acme.example', c: 'c', x: now + DAY })).toString('base64url');
  expect(() => verifyUnsubscribeToken(secret, `${forgedBody}.${sig}`, now)).toThrow('signature does not match');
  expect(() => verifyUnsubscribeToken(secret, `${token.slice(0, -2)}xx`, now)).toThrow('signature does not match');
  expect(() => verifyUnsubscribeToken('another-secret-entirely', token, now)).toThrow('signature does not match');
  expect(() => verifyUnsubscribeToken(secret, 'garbage', now)).toThrow('malformed');
  expect(() => verifyUnsubscribeToken(secret, '', now)).toThrow('malformed');
});

test('an expired token is refused', () => {
  const token = signUnsubscribeToken(secret, { email: 'ann@acme.example', campaign: 'c' }, now + DAY);
  expect(() => verifyUnsubscribeToken(secret, token, now + DAY)).toThrow('unsubscribe link has expired');
  expect(() => verifyUnsubscribeToken(secret, token, now + DAY - 1)).not.toThrow();
});

test('every one-character change of the signature is refused, the spare bits of its last character too', () => {
  const token = signUnsubscribeToken(secret, { email: 'ann@acme.example', campaign: 'c' }, now + DAY);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = token[token.length - 1]!;
  for (const c of alphabet) {
    if (c === last) continue;
    expect(() => verifyUnsubscribeToken(secret, `${token.slice(0, -1)}${c}`, now)).toThrow('signature does not match');
  }
});
