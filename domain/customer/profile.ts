/**
 * The customer-service profile: what this customer values, captured along the way (tagged
 * contact notes, qualification answers, the products they chose, their reasons for
 * accepting or rejecting) and kept on the account, so support offers what suits them — a
 * repair to a customer who keeps equipment running, a replacement quote to one who upgrades.
 */

export interface ProfileNote {
  at: string;
  by: string;
  text: string;
  tags: string[];
  /** Where it was captured: a deal (`prospect acme`), a contact on the account, the profile itself. */
  source: string;
}

export interface DecisionMaker {
  name: string;
  role?: string;
  email?: string;
}

export interface InstalledProduct {
  product: string;
  quantity: number;
  purchasedAt: string;
  prospectId: string;
}

export interface CustomerProfile {
  /** In plain words: `repair over replace`, `price sensitive`. */
  preferences: string[];
  notes: ProfileNote[];
  /** Qualification answers of every deal, the latest winning. */
  answers: Record<string, unknown>;
  reasons: { at: string; prospectId: string; outcome: 'won' | 'lost'; text: string }[];
  decisionMakers: DecisionMaker[];
  installedProducts: InstalledProduct[];
  serviceLevel?: string;
}

export function emptyProfile(): CustomerProfile {
  return { preferences: [], notes: [], answers: {}, reasons: [], decisionMakers: [], installedProducts: [] };
}

/** `#repair-over-replace` and `#price_sensitive` in a note. */
export function tagsOf(text: string): string[] {
  return [...new Set([...text.matchAll(/#([A-Za-z][A-Za-z0-9_-]{0,59})/g)].map((m) => m[1]!.toLowerCase()))];
}

/** A tag as the preference people read: `repair-over-replace` → `repair over replace`. */
export function preferenceOf(tag: string): string {
  return tag.replace(/[-_]+/g, ' ').trim();
}

function addPreferences(profile: CustomerProfile, preferences: readonly string[]): string[] {
  const out = [...profile.preferences];
  for (const p of preferences) {
    const normal = p.trim().toLowerCase().replace(/\s+/g, ' ');
    if (normal && !out.includes(normal)) out.push(normal);
  }
  return out;
}

/** Keeps the profile's lists bounded over years of contacts. */
const KEEP_NOTES = 100;

/** A note about the customer; its #tags become preferences. */
export function captureNote(profile: CustomerProfile, note: Omit<ProfileNote, 'tags'>): CustomerProfile {
  const tags = tagsOf(note.text);
  if (tags.length === 0 && note.source !== 'profile') return profile;
  return {
    ...profile,
    notes: [...profile.notes, { ...note, tags }].slice(-KEEP_NOTES),
    preferences: addPreferences(profile, tags.map(preferenceOf)),
  };
}

/** The qualification answer that names who decides (BANT's authority: `Dana Buyer`). */
const DECISION_MAKER_KEYS = ['authority'];

export interface DealFacts {
  prospectId: string;
  outcome: 'won' | 'lost';
  at: string;
  lines: readonly { product: string; quantity: number }[];
  answers: Record<string, unknown>;
  notes: readonly { at: string; by: string; text: string }[];
  reason?: string;
  /** Products that are consumables (reordered, not installed). */
  consumables: ReadonlySet<string>;
}

/** What a closed deal adds to the profile. */
export function captureDeal(profile: CustomerProfile, deal: DealFacts): CustomerProfile {
  let next: CustomerProfile = { ...profile, answers: { ...profile.answers, ...deal.answers } };
  for (const note of deal.notes) next = captureNote(next, { ...note, source: `prospect ${deal.prospectId}` });
  if (deal.reason) {
    next = { ...next, reasons: [...next.reasons, { at: deal.at, prospectId: deal.prospectId, outcome: deal.outcome, text: deal.reason }].slice(-KEEP_NOTES) };
    next = captureNote(next, { at: deal.at, by: 'system', text: deal.reason, source: `prospect ${deal.prospectId}` });
  }
  for (const [key, value] of Object.entries(deal.answers)) {
    if (DECISION_MAKER_KEYS.includes(key.toLowerCase()) && typeof value === 'string' && value.trim()) {
      next = addDecisionMaker(next, { name: value.trim() });
    }
  }
  if (deal.outcome === 'won') {
    const installed = deal.lines
      .filter((l) => !deal.consumables.has(l.product))
      .map((l) => ({ product: l.product, quantity: l.quantity, purchasedAt: deal.at, prospectId: deal.prospectId }));
    next = { ...next, installedProducts: [...next.installedProducts, ...installed] };
  }
  return next;
}

export function addDecisionMaker(profile: CustomerProfile, person: DecisionMaker): CustomerProfile {
  const others = profile.decisionMakers.filter((d) => d.name.toLowerCase() !== person.name.toLowerCase());
  return { ...profile, decisionMakers: [...others, person] };
}

export interface ProfileChange {
  addPreferences?: string[];
  removePreferences?: string[];
  decisionMakers?: DecisionMaker[];
  serviceLevel?: string;
  note?: string;
}

export function changeProfile(profile: CustomerProfile, change: ProfileChange, at: string, by: string): CustomerProfile {
  let next: CustomerProfile = { ...profile, preferences: addPreferences(profile, change.addPreferences ?? []) };
  const removed = new Set((change.removePreferences ?? []).map((p) => p.trim().toLowerCase()));
  next = { ...next, preferences: next.preferences.filter((p) => !removed.has(p)) };
  for (const person of change.decisionMakers ?? []) next = addDecisionMaker(next, person);
  if (change.serviceLevel !== undefined) next = { ...next, serviceLevel: change.serviceLevel };
  if (change.note) next = captureNote(next, { at, by, text: change.note, source: 'profile' });
  return next;
}

const REPAIR = ['repair over replace', 'keep existing equipment', 'keeps equipment running', 'repair first'];
const REPLACE = ['replace over repair', 'upgrade', 'always latest', 'replace first'];

/**
 * What support should offer for a problem with `product`, as the profile suggests: the
 * customer's stated preference first; without one, a repair of installed equipment, and a
 * plain answer when the product is not theirs.
 */
export function suggestionFor(profile: CustomerProfile, product: string | undefined): { suggestion: 'repair' | 'replace' | 'answer'; why: string } {
  const prefers = (list: readonly string[]) => profile.preferences.find((p) => list.includes(p));
  const repair = prefers(REPAIR);
  if (repair) return { suggestion: 'repair', why: `the customer prefers "${repair}"` };
  const replace = prefers(REPLACE);
  if (replace) return { suggestion: 'replace', why: `the customer prefers "${replace}": offer a replacement quotation` };
  const installed = product ? profile.installedProducts.filter((p) => p.product === product) : [];
  if (installed.length > 0) return { suggestion: 'repair', why: `${product} is installed there (bought ${installed[0]!.purchasedAt.slice(0, 10)}); no preference recorded` };
  return { suggestion: 'answer', why: product ? `${product} is not among their installed products` : 'no product named' };
}
