import { createHmac } from 'node:crypto';
import { signUnsubscribeToken, unsubscribeUrl, verifyUnsubscribeToken } from '../../activities/campaign/unsubscribeToken';

const secret = 'a-test-secret-of-some-length';
const now = Date.parse('2026-03-01T00:00:00Z');
const DAY = 86_400_000;

/** A token of the first format (readable JSON body, HMAC signature), as mails sent before v2 carry. */
function legacyToken(payload: { e: string; c: string; x: number }, key = secret): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

test('a genuine token verifies and names the address and campaign', () => {
  const token = signUnsubscribeToken(secret, { email: 'Ann@ACME.example', campaign: 'campaign-spring' }, now + 30 * DAY);
  expect(verifyUnsubscribeToken(secret, token, now)).toEqual({ email: 'ann@acme.example', campaign: 'campaign-spring', expiresAt: now + 30 * DAY });
  expect(unsubscribeUrl('http://127.0.0.1:8088/', token)).toBe(`http://127.0.0.1:8088/unsubscribe?token=${encodeURIComponent(token)}`);
});

test('the token does not show the address or the campaign, in any decoding', () => {
  const token = signUnsubscribeToken(secret, { email: 'ann@acme.example', campaign: 'campaign-spring' }, now + DAY);
  expect(token).toMatch(/^v2\.[A-Za-z0-9_-]+$/);
  for (const text of [token, Buffer.from(token.slice(3), 'base64url').toString('latin1'), decodeURIComponent(token)]) {
    expect(text).not.toContain('ann');
    expect(text).not.toContain('acme');
    expect(text).not.toContain('spring');
  }
  // Two mails to the same person carry different tokens (a fresh nonce each).
  expect(signUnsubscribeToken(secret, { email: 'ann@acme.example', campaign: 'campaign-spring' }, now + DAY)).not.toBe(token);
});

test('a tampered token is refused: a changed byte anywhere, another secret, garbage', () => {
  const token = signUnsubscribeToken(secret, { email: 'ann@acme.example', campaign: 'c' }, now + DAY);
  const sealed = Buffer.from(token.slice(3), 'base64url');
  for (let k = 0; k < sealed.length; k++) {
    const changed = Buffer.from(sealed);
    changed[k] = changed[k]! ^ 0x01;
    expect(() => verifyUnsubscribeToken(secret, `v2.${changed.toString('base64url')}`, now)).toThrow('signature does not match');
  }
  expect(() => verifyUnsubscribeToken('another-secret-entirely', token, now)).toThrow('signature does not match');
  expect(() => verifyUnsubscribeToken(secret, 'v2.short', now)).toThrow('malformed');
  expect(() => verifyUnsubscribeToken(secret, 'garbage', now)).toThrow('malformed');
  expect(() => verifyUnsubscribeToken(secret, '', now)).toThrow('malformed');
});

test('every one-character change is refused, the spare bits of the last character too', () => {
  const token = signUnsubscribeToken(secret, { email: 'ann@acme.example', campaign: 'c' }, now + DAY);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = token[token.length - 1]!;
  for (const c of alphabet) {
    if (c === last) continue;
    expect(() => verifyUnsubscribeToken(secret, `${token.slice(0, -1)}${c}`, now)).toThrow(/signature does not match|malformed/);
  }
});

test('an expired token is refused', () => {
  const token = signUnsubscribeToken(secret, { email: 'ann@acme.example', campaign: 'c' }, now + DAY);
  expect(() => verifyUnsubscribeToken(secret, token, now + DAY)).toThrow('unsubscribe link has expired');
  expect(() => verifyUnsubscribeToken(secret, token, now + DAY - 1)).not.toThrow();
});

test('links in mails sent before v2 keep working until they expire; forged or expired ones do not', () => {
  const old = legacyToken({ e: 'ann@acme.example', c: 'campaign-old', x: now + DAY });
  expect(verifyUnsubscribeToken(secret, old, now)).toEqual({ email: 'ann@acme.example', campaign: 'campaign-old', expiresAt: now + DAY });
  expect(() => verifyUnsubscribeToken(secret, old, now + DAY)).toThrow('unsubscribe link has expired');
  const [, sig] = old.split('.');
  const forgedBody = Buffer.from(JSON.stringify({ e: 'boss@acme.example', c: 'c', x: now + DAY })).toString('base64url');
  expect(() => verifyUnsubscribeToken(secret, `${forgedBody}.${sig}`, now)).toThrow('signature does not match');
  expect(() => verifyUnsubscribeToken(secret, legacyToken({ e: 'ann@acme.example', c: 'c', x: now + DAY }, 'another-secret-entirely'), now)).toThrow('signature does not match');
});
