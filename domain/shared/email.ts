/**
 * The one form an address is compared, stored and sharded in: mailbox names are treated as
 * case-insensitive (as every mail system people use does), and pasted spaces are dropped.
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
