import { parseArgs } from 'node:util';

/** Each benchmark's options; anything else is refused, so a mistyped flag never runs the (long) defaults. */
export const OPTIONS = {
  campaign: ['--recipients', '--pool', '--batch-size', '--rounds'],
  audience: ['--prospects', '--max-cached'],
  lifecycle: ['--prospects', '--concurrency', '--rounds', '--record-history'],
  scale: ['--prospects', '--concurrency', '--runs', '--max-cached'],
  reports: ['--prospects', '--runs'],
} as const;
export type BenchName = keyof typeof OPTIONS;

function isBench(name: string): name is BenchName {
  return Object.hasOwn(OPTIONS, name);
}

/** The options given to benchmark `name`, checked by node's parseArgs (unknown or valueless options are refused). */
function optionsOf(name: BenchName, args: string[]): Map<string, string> {
  const known = OPTIONS[name];
  try {
    const { values } = parseArgs({
      args,
      options: Object.fromEntries(known.map((o) => [o.slice(2), { type: 'string' as const }])),
      strict: true,
      allowPositionals: false,
    });
    return new Map(Object.entries(values).map(([k, v]) => [`--${k}`, String(v)]));
  } catch (err) {
    throw new Error(`${(err as Error).message.split('\n')[0]} (the options of "${name}": ${known.join(', ')})`);
  }
}

export function flag(options: Map<string, string>, name: string, fallback: number): number {
  const given = options.get(name);
  if (given === undefined) return fallback;
  const value = Number(given);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} "${given}": must be a positive whole number`);
  return value;
}

/** `<name> [options]` as given to `npm run bench --`: the benchmark (campaign when none) and its checked options. */
export function parseBenchArgs(args: string[]): { name: BenchName; options: Map<string, string> } {
  const [name = 'campaign', ...rest] = args;
  if (!isBench(name)) throw new Error(`unknown benchmark "${name}" (there are: ${Object.keys(OPTIONS).join(', ')})`);
  return { name, options: optionsOf(name, rest) };
}
