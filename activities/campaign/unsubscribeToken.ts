import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { normalizeEmail } from '../../domain/shared/email';

/**
 * Unsubscribe links carry an expiring token instead of a bare address, so nobody can
 * unsubscribe someone else by editing a URL, an old mail's link stops working after a
 * while, and the address does not travel in clear through URLs (proxy logs, referrers,
 * link scanners). Format: `v2.` + base64url(nonce | AES-256-GCM(payload) | tag), with the
 * key derived from SALESFLOW_UNSUBSCRIBE_SECRET by HKDF; the GCM tag is the signature.
 *
 * Tokens of the first format (base64url(JSON) "." HMAC-SHA256), which showed the address,
 * are still accepted until they expire (at most SALESFLOW_UNSUBSCRIBE_TTL after sending):
 * refusing them would break the opt-out link of every mail already out. None are made.
 * (Node's crypto, so outside domain/; the HTTP endpoint in server/unsubscribe.ts verifies them.)
 */

export interface UnsubscribePayload {
  /** The address to suppress. */
  email: string;
  /** The campaign run the mail belonged to. */
  campaign: string;
  /** Expiry, ms since the epoch. */
  expiresAt: number;
}

const PREFIX = 'v2.';
const NONCE = 12;
const TAG = 16;

const keys = new Map<string, Buffer>();
function keyOf(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, 'salesflow', 'unsubscribe-token-v2', 32));
    keys.set(secret, key);
  }
  return key;
}

export function signUnsubscribeToken(secret: string, payload: { email: string; campaign: string }, expiresAt: number): string {
  const plain = Buffer.from(JSON.stringify({ e: normalizeEmail(payload.email), c: payload.campaign, x: expiresAt }), 'utf8');
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret), nonce);
  const sealed = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return `${PREFIX}${sealed.toString('base64url')}`;
}

export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

function payloadOf(json: string, now: number): UnsubscribePayload {
  let parsed: { e?: unknown; c?: unknown; x?: unknown };
  try {
    parsed = JSON.parse(json) as typeof parsed;
  } catch {
    throw new InvalidTokenError('malformed unsubscribe token');
  }
  if (typeof parsed.e !== 'string' || typeof parsed.c !== 'string' || typeof parsed.x !== 'number') throw new InvalidTokenError('malformed unsubscribe token');
  if (parsed.x <= now) throw new InvalidTokenError('unsubscribe link has expired');
  return { email: parsed.e, campaign: parsed.c, expiresAt: parsed.x };
}

function openSealed(secret: string, text: string, now: number): UnsubscribePayload {
  const sealed = Buffer.from(text, 'base64url');
  // One spelling per token: base64url's last character carries spare bits, so two
  // spellings can decode to the same bytes; only the canonical one is genuine.
  if (sealed.length <= NONCE + TAG || sealed.toString('base64url') !== text) throw new InvalidTokenError('malformed unsubscribe token');
  const decipher = createDecipheriv('aes-256-gcm', keyOf(secret), sealed.subarray(0, NONCE));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(sealed.subarray(NONCE, sealed.length - TAG)), decipher.final()]);
  } catch {
    throw new InvalidTokenError('unsubscribe token signature does not match');
  }
  return payloadOf(plain.toString('utf8'), now);
}

function openLegacy(secret: string, token: string, now: number): UnsubscribePayload {
  const dot = token.indexOf('.');
  if (dot <= 0) throw new InvalidTokenError('malformed unsubscribe token');
  const body = token.slice(0, dot);
  // Compare the text, not the decoded bytes (the spare bits again).
  const given = Buffer.from(token.slice(dot + 1), 'utf8');
  const expected = Buffer.from(createHmac('sha256', secret).update(body).digest('base64url'), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidTokenError('unsubscribe token signature does not match');
  return payloadOf(Buffer.from(body, 'base64url').toString('utf8'), now);
}

/** Returns the payload of a genuine, unexpired token; throws InvalidTokenError otherwise. */
export function verifyUnsubscribeToken(secret: string, token: string, now: number): UnsubscribePayload {
  return token.startsWith(PREFIX) ? openSealed(secret, token.slice(PREFIX.length), now) : openLegacy(secret, token, now);
}

/** The link a mail carries: `<base>/unsubscribe?token=...`. */
export function unsubscribeUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/unsubscribe?token=${encodeURIComponent(token)}`;
}
