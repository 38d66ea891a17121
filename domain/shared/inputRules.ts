/**
 * Which input rules a domain function applies.
 *
 * - `current`: today's rules. Update validators, the CLI and the HTTP API use these.
 * - `recorded`: only the rules that already held before input rules were tightened (exact
 *   money as text, clean text, time rules, a quotation sent to someone). Update *handlers*
 *   use these: a handler applies what its validator accepted, and validators do not run on
 *   replay, so a command recorded under older, looser rules must still apply as it did.
 *
 * The contract that keeps the two in step: `recorded` only drops refusals. For any command
 * `current` accepts, both produce the same state, so a live update gets the same result from
 * its handler that its validator checked.
 */
export type InputRules = 'current' | 'recorded';
