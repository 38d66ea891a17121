import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { types } from 'node:util';
import { z } from 'zod';

/**
 * The worker preloads the domain's modules into the workflow sandbox and the SDK deep-freezes
 * what they export (worker/workflowBundle.ts). A zod schema that gets frozen fails on its
 * first parse, so every exported schema must go through domain/shared/shareable.ts.
 */

const DOMAIN = join(__dirname, '..', '..', 'domain');

function domainFiles(): string[] {
  return readdirSync(DOMAIN, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** As the SDK freezes preloaded modules: every own property, objects and functions alike, then the value. */
function deepFreeze(value: unknown, seen = new WeakSet<object>()): void {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) return;
  seen.add(value);
  if (typeof value === 'object') {
    for (const key of [...Object.getOwnPropertyNames(value), ...Object.getOwnPropertySymbols(value)]) {
      try {
        deepFreeze((value as Record<string | symbol, unknown>)[key], seen);
      } catch {
        // As the SDK: some objects cannot be frozen.
      }
    }
  }
  Object.freeze(value);
}

/** Paths to zod schemas reachable from `value` that the freeze would reach (it does not see behind a proxy). */
function exposedSchemas(value: unknown, path: string, seen = new WeakSet<object>()): string[] {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value) || types.isProxy(value)) return [];
  seen.add(value);
  if (typeof value === 'object' && '_zod' in value) return [path];
  if (typeof value === 'function') return [];
  return Object.entries(value).flatMap(([key, v]) => exposedSchemas(v, `${path}.${key}`, seen));
}

function inSandbox<T>(run: () => T): T {
  const g = globalThis as Record<string, unknown>;
  g.__TEMPORAL__ = {};
  try {
    let out: T | undefined;
    jest.isolateModules(() => {
      out = run();
    });
    return out as T;
  } finally {
    delete g.__TEMPORAL__;
  }
}

test('no domain module exports a zod schema that the sandbox would freeze', () => {
  const exposed = inSandbox(() =>
    domainFiles().flatMap((file) => exposedSchemas(require(file) as unknown, relative(DOMAIN, file))),
  );
  expect(exposed).toEqual([]);
});

test('after the freeze of zod and the domain, shared schemas parse and refuse as before, on first and later use', () => {
  const { commands, prospect, inquiry } = inSandbox(() => {
    // As the worker preloads them: zod and every domain module evaluated, then all frozen
    // (zod's own patterns, z.regexes, with it).
    const zod: unknown = require('zod');
    const all = domainFiles().map((file) => require(file) as unknown);
    const mods = {
      commands: require('../../domain/pipeline/commands') as typeof import('../../domain/pipeline/commands'),
      prospect: require('../../domain/pipeline/prospect') as typeof import('../../domain/pipeline/prospect'),
      inquiry: require('../../domain/pipeline/inquiry') as typeof import('../../domain/pipeline/inquiry'),
    };
    deepFreeze(zod);
    deepFreeze(all);
    return mods;
  });
  const contact = { channel: 'call', direction: 'outbound', note: 'first call', by: 'alice' };
  const info = { id: 'acme', name: 'Ada Lovelace', email: 'ada@acme.example', rep: 'alice' };
  for (let round = 0; round < 2; round++) {
    expect(commands.LogContactSchema.parse(contact)).toMatchObject(contact);
    const refused = commands.LogContactSchema.safeParse({ ...contact, channel: 'pigeon' });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.path).toEqual(['channel']);
    // Formats that test against a pattern: an email, a calendar date.
    expect(prospect.ProspectInfoSchema.parse(info)).toMatchObject(info);
    expect(prospect.ProspectInfoSchema.safeParse({ ...info, email: 'not-an-address' }).error?.issues[0]?.message).toBe('must be an email address');
    expect(inquiry.InquiryItemSchema.parse({ product: 'PUMP-X', quantity: 1, wantedDeliveryDate: '2027-01-15' }).wantedDeliveryDate).toBe('2027-01-15');
    expect(inquiry.InquiryItemSchema.safeParse({ product: 'PUMP-X', quantity: 1, wantedDeliveryDate: '2027-02-30' }).success).toBe(false);
  }
  // A schema built later from a shared one (as the workflow's own modules do) works too.
  expect(z.object({ entry: commands.LogContactSchema }).parse({ entry: contact }).entry).toMatchObject(contact);
});

test('outside the sandbox (server, CLI, activities) a schema is exported as itself', () => {
  jest.isolateModules(() => {
    const { LogContactSchema } = require('../../domain/pipeline/commands') as typeof import('../../domain/pipeline/commands');
    expect(types.isProxy(LogContactSchema)).toBe(false);
  });
});

test('without shareable, the freeze breaks a zod schema (why the module exists)', () => {
  const plain = z.object({ email: z.string().regex(/^[^@]+@[^@]+$/) });
  deepFreeze(plain);
  expect(() => plain.parse({ email: 'a@b.example' })).toThrow(TypeError);
});
