/**
 * Salesflow's reply address with a tag: `replies@example.com` + `p.p1` gives
 * `replies+p.p1@example.com`, which any mailbox delivers to `replies@`, and which names the
 * prospect a reply belongs to even when a mail client drops In-Reply-To.
 */
export function replyAddress(base: string, tag: string | undefined): string {
  const at = base.lastIndexOf('@');
  if (!tag || at <= 0) return base;
  return `${base.slice(0, at)}+${tag}${base.slice(at)}`;
}

/** The tag of an address sent to `base`'s mailbox (`replies+p.p1@...` → `p.p1`); undefined for another address. */
export function replyTagOf(base: string, address: string): string | undefined {
  const at = base.lastIndexOf('@');
  const local = base.slice(0, at).toLowerCase();
  const domain = base.slice(at + 1).toLowerCase();
  const m = /^([^@+]+)\+([^@]+)@(.+)$/.exec(address.trim());
  if (!m || m[1]!.toLowerCase() !== local || m[3]!.toLowerCase() !== domain) return undefined;
  return m[2];
}
