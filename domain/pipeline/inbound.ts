import { MESSAGE_ID_DOMAIN } from './notifications';
import { ProspectIdSchema } from './prospect';

/**
 * How an inbound mail finds its prospect, and whether it is a person's answer at all. Pure
 * rules over the few headers that matter; the server parses the mail (mailparser) and acts.
 */

export interface InboundMatch {
  prospectId: string;
  /** `in-reply-to`, `references` or `plus-address`. */
  by: string;
  /** The quotation revision the reply answers, when the mail it answers was a quotation. */
  revision?: number;
  /** A reply to a campaign mail (its rep gets a follow-up task). */
  campaign: boolean;
}

// Only mails a customer receives count: a rep answering a reminder is not the customer.
const CUSTOMER_MAIL = new RegExp(`^<prospect-([A-Za-z0-9_-]+)\\.(quote-r(\\d+)-(?:sent|accepted)|call-[A-Za-z0-9_-]+)@${MESSAGE_ID_DOMAIN.replace(/\./g, '\\.')}>$`);

function fromMessageId(id: string): { prospectId: string; revision?: number } | undefined {
  const m = CUSTOMER_MAIL.exec(id.trim());
  if (!m || !ProspectIdSchema.safeParse(m[1]).success) return undefined;
  return { prospectId: m[1]!, ...(m[3] ? { revision: Number(m[3]) } : {}) };
}

/** A reply tag (`p.<id>` for a prospect's mails, `c.<id>` for a campaign mail to a prospect). */
function fromTag(tag: string): { prospectId: string; campaign: boolean } | undefined {
  const m = /^([pc])\.(.+)$/.exec(tag);
  if (!m || !ProspectIdSchema.safeParse(m[2]).success) return undefined;
  return { prospectId: m[2]!, campaign: m[1] === 'c' };
}

export function matchInbound(mail: { inReplyTo?: string; references: readonly string[]; replyTags: readonly string[] }): InboundMatch | undefined {
  if (mail.inReplyTo) {
    const hit = fromMessageId(mail.inReplyTo);
    if (hit) return { ...hit, by: 'in-reply-to', campaign: false };
  }
  // Newest reference last (RFC 5322): the closest mail of ours wins.
  for (const ref of [...mail.references].reverse()) {
    const hit = fromMessageId(ref);
    if (hit) return { ...hit, by: 'references', campaign: false };
  }
  for (const tag of mail.replyTags) {
    const hit = fromTag(tag);
    if (hit) return { ...hit, by: 'plus-address' };
  }
  return undefined;
}

const OUR_MAIL = new RegExp(`^<(.+)@${MESSAGE_ID_DOMAIN.replace(/\./g, '\\.')}>$`);
const CAMPAIGN_MAIL = /^campaign-([A-Za-z0-9_-]+)\./;

/**
 * Why `matchInbound` found no prospect, in words ops can act on: a campaign mail to someone
 * who is no prospect (a campaign without leads), a mail of ours no customer receives (a rep's
 * reminder), or nothing of ours at all.
 */
export function unmatchedReason(mail: { inReplyTo?: string; references: readonly string[] }): string {
  const ids = [...(mail.inReplyTo ? [mail.inReplyTo.trim()] : []), ...[...mail.references].reverse().map((r) => r.trim())];
  for (const id of ids) {
    const ours = OUR_MAIL.exec(id)?.[1];
    if (ours === undefined) continue;
    const campaign = CAMPAIGN_MAIL.exec(ours)?.[1];
    if (campaign) return `it answers ${id}, a mail of campaign ${campaign} to someone who is no prospect (the campaign makes no leads): there is no prospect to log it on`;
    return `it answers ${id}, a mail of ours that no customer receives (a rep's or manager's): there is no prospect to log it on`;
  }
  if (ids.length > 0) return `its In-Reply-To and References (${ids.slice(0, 2).join(' ')}${ids.length > 2 ? ' …' : ''}) name no mail of ours, and no recipient is a reply address of ours`;
  return 'no In-Reply-To, References or reply address of ours';
}

/**
 * Why a mail is an automatic answer (an out-of-office, a vacation notice, a list or bulk
 * mail), or undefined when a person wrote it. RFC 3834's Auto-Submitted first, then the
 * headers and subjects the common mail servers use.
 */
export function autoReplyReason(headers: ReadonlyMap<string, string>, subject: string): string | undefined {
  const auto = headers.get('auto-submitted')?.trim().toLowerCase();
  if (auto && auto !== 'no') return `Auto-Submitted: ${auto}`;
  for (const name of ['x-autoreply', 'x-autorespond', 'x-auto-response-suppress-reply']) {
    if (headers.has(name)) return `${name} header`;
  }
  const precedence = headers.get('precedence')?.trim().toLowerCase();
  if (precedence && ['auto_reply', 'bulk', 'junk', 'list'].includes(precedence)) return `Precedence: ${precedence}`;
  if (/^\s*(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|abwesenheit|automatische antwort|vacation)/i.test(subject)) return `subject "${subject}"`;
  return undefined;
}
