import { z } from 'zod';

/**
 * Lets a domain module be shared by every workflow of a worker.
 *
 * The worker preloads the domain's modules into its workflow sandbox once
 * (worker/workflowBundle.ts) instead of evaluating them again for each new workflow: that
 * evaluation, nearly all of it zod building schemas, was a quarter of a prospect's workflow
 * CPU, and each cached workflow held its own copy of every schema. The SDK deep-freezes what
 * a preloaded module exports, and a zod 4 schema does not survive freezing: it defines its
 * members on first read, replaces its parser on the first parse and resets `lastIndex` on
 * its patterns.
 *
 * So each exported schema is exported through this: inside the sandbox, a proxy whose own
 * (empty) target is what the SDK freezes, forwarding every read and write to the schema,
 * which stays in the module's closure, unfrozen. Outside the sandbox (server, CLI,
 * activities) the schema itself, so tools that key on a schema's identity (OpenAPI) see one
 * object. Sharing is safe because what zod mutates is memoisation: the same input parses
 * to the same result whichever workflow parsed first.
 */
export function shareable<T extends object>(value: T): T {
  if (!inWorkflowSandbox()) return value;
  return new Proxy(Object.create(null) as T, {
    get: (_target, key) => Reflect.get(value, key),
    set: (_target, key, v) => Reflect.set(value, key, v),
    has: (_target, key) => Reflect.has(value, key),
  });
}

/** The SDK's bundle runs as the global `__TEMPORAL__` of the sandbox's V8 context, before any workflow exists. */
function inWorkflowSandbox(): boolean {
  return '__TEMPORAL__' in globalThis;
}

/** {@link shareable} for each value of a set of schemas, for a module that exports them by destructuring. */
export function shareableEach<T extends Record<string, object>>(values: T): T {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, shareable(value)])) as T;
}

/**
 * zod's own formats test against patterns that zod exports (`z.regexes`), which the sandbox
 * freezes along with zod, and zod resets a pattern's `lastIndex` before each test. These
 * give each schema a pattern of its own, the same as zod's.
 */
export function emailSchema(message: string) {
  return z.email({ error: message, pattern: new RegExp(z.regexes.email.source, z.regexes.email.flags) });
}

/** A calendar date (`2026-12-31`), as `z.iso.date` checks it; see {@link emailSchema}. */
export function isoDateSchema(message: string) {
  // zod honours a given pattern here too; its parameter type just does not list it.
  return z.iso.date({ error: message, pattern: new RegExp(z.regexes.date.source, z.regexes.date.flags) } as Parameters<typeof z.iso.date>[0]);
}
