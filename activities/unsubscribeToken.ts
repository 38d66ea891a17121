import { createHmac, timingSafeEqual } from 'node:crypto';
import { normalizeEmail } from '../domain/csv';

/**
 * Unsubscribe links carry a signed, expiring token instead of a bare address, so nobody can
 * unsubscribe someone else by editing a URL, and an old mail's link stops working after a
 * while. Format: base64url(JSON payload) "." base64url(HMAC-SHA256(secret, payload)).
 * (Node's crypto, so outside domain/; the HTTP endpoint in client/http.ts verifies them.)
 */

export interface UnsubscribePayload {
  /** The address to suppress. */
  email: string;
  /** The campaign run the mail belonged to. */
  campaign: string;
  /** Expiry, ms since the epoch. */
  expiresAt: number;
}

function sign(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}

export function signUnsubscribeToken(secret: string, payload: { email: string; campaign: string }, expiresAt: number): string {
  const body = Buffer.from(JSON.stringify({ e: normalizeEmail(payload.email), c: payload.campaign, x: expiresAt })).toString('base64url');
  return `${body}.${sign(secret, body)}`;
}

export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

/** Returns the payload of a genuine, unexpired token; throws InvalidTokenError otherwise. */
export function verifyUnsubscribeToken(secret: string, token: string, now: number): UnsubscribePayload {
  const dot = token.indexOf('.');
  if (dot <= 0) throw new InvalidTokenError('malformed unsubscribe token');
  const body = token.slice(0, dot);
  // Compare the text, not the decoded bytes: base64url's last character carries spare bits,
  // so two spellings decode to the same bytes, and a token must have exactly one.
  const given = Buffer.from(token.slice(dot + 1), 'utf8');
  const expected = Buffer.from(sign(secret, body), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidTokenError('unsubscribe token signature does not match');
  let parsed: { e?: unknown; c?: unknown; x?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    throw new InvalidTokenError('malformed unsubscribe token');
  }
  if (typeof parsed.e !== 'string' || typeof parsed.c !== 'string' || typeof parsed.x !== 'number') throw new InvalidTokenError('malformed unsubscribe token');
  if (parsed.x <= now) throw new InvalidTokenError('unsubscribe link has expired');
  return { email: parsed.e, campaign: parsed.c, expiresAt: parsed.x };
}

/** The link a mail carries: `<base>/unsubscribe?token=...`. */
export function unsubscribeUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/unsubscribe?token=${encodeURIComponent(token)}`;
}
