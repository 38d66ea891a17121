import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * The link in a quotation mail to the public quotation page: the prospect and revision,
 * an expiry, and an HMAC-SHA256 over them, so a changed revision or prospect in the URL is
 * refused before anything is looked up. The key is derived (HKDF) from the same secret as
 * unsubscribe links, with its own label, so one secret serves both and neither token
 * verifies as the other. The link outlives the offer (LINK_OUTLIVES_OFFER_MS), so a
 * customer opening it late reads that the quotation expired rather than "invalid link".
 * Format: base64url(JSON) "." base64url(HMAC).
 */

export const LINK_OUTLIVES_OFFER_MS = 90 * 86_400_000;

export interface QuotationLinkPayload {
  prospectId: string;
  revision: number;
  /** ms since the epoch. */
  expiresAt: number;
}

export class InvalidQuotationLinkError extends Error {
  constructor(
    message: string,
    readonly reason: 'malformed' | 'forged' | 'expired',
  ) {
    super(message);
    this.name = 'InvalidQuotationLinkError';
  }
}

const keys = new Map<string, Buffer>();
function keyOf(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, 'salesflow', 'quotation-link-v1', 32));
    keys.set(secret, key);
  }
  return key;
}

function mac(secret: string, body: string): string {
  return createHmac('sha256', keyOf(secret)).update(body).digest('base64url');
}

export function signQuotationLink(secret: string, payload: QuotationLinkPayload): string {
  const body = Buffer.from(JSON.stringify({ p: payload.prospectId, r: payload.revision, x: payload.expiresAt }), 'utf8').toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

export function verifyQuotationLink(secret: string, token: string, now: number): QuotationLinkPayload {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 1000) throw new InvalidQuotationLinkError('the link is incomplete', 'malformed');
  const body = token.slice(0, dot);
  // The text is compared, not decoded bytes: base64url's spare bits give two spellings of one value.
  const given = Buffer.from(token.slice(dot + 1), 'utf8');
  const expected = Buffer.from(mac(secret, body), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidQuotationLinkError('the link has been changed or was not made by us', 'forged');
  let parsed: { p?: unknown; r?: unknown; x?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    throw new InvalidQuotationLinkError('the link is incomplete', 'malformed');
  }
  if (typeof parsed.p !== 'string' || typeof parsed.r !== 'number' || typeof parsed.x !== 'number') throw new InvalidQuotationLinkError('the link is incomplete', 'malformed');
  if (parsed.x <= now) throw new InvalidQuotationLinkError('the link has expired', 'expired');
  return { prospectId: parsed.p, revision: parsed.r, expiresAt: parsed.x };
}

/** `<base>/quotation?token=...`. */
export function quotationPageUrl(baseUrl: string, token: string, action = ''): string {
  return `${baseUrl.replace(/\/+$/, '')}/quotation${action ? `/${action}` : ''}?token=${encodeURIComponent(token)}`;
}
