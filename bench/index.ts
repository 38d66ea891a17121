import { audienceBench } from './audience';
import { campaignBench } from './campaign';
import { lifecycleBench } from './lifecycle';
import { reportsBench } from './reports';
import { scaleBench } from './scale';

/** `npm run bench -- <name> [options]`. */

function flag(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at === -1) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} "${args[at + 1] ?? ''}": must be a positive whole number`);
  return value;
}

async function main(args: string[]): Promise<void> {
  const [name = 'campaign', ...rest] = args;
  if (name === 'audience') {
    await audienceBench({ prospects: flag(rest, '--prospects', 10_000), maxCached: rest.includes('--max-cached') ? flag(rest, '--max-cached', 1) : undefined });
    return;
  }
  if (name === 'lifecycle') {
    const record = rest.indexOf('--record-history');
    await lifecycleBench({
      prospects: flag(rest, '--prospects', 300),
      concurrency: flag(rest, '--concurrency', 16),
      rounds: flag(rest, '--rounds', 4),
      ...(record === -1 ? {} : { recordHistory: rest[record + 1] }),
    });
    return;
  }
  if (name === 'scale') {
    await scaleBench({ prospects: flag(rest, '--prospects', 100_000), concurrency: flag(rest, '--concurrency', 16), runs: flag(rest, '--runs', 100), ...(rest.includes('--max-cached') ? { maxCached: flag(rest, '--max-cached', 400) } : {}) });
    return;
  }
  if (name === 'reports') {
    await reportsBench({ prospects: flag(rest, '--prospects', 100_000), runs: flag(rest, '--runs', 200) });
    return;
  }
  if (name !== 'campaign') throw new Error(`unknown benchmark "${name}" (there are: campaign, audience, reports, lifecycle, scale)`);
  await campaignBench({
    recipients: flag(rest, '--recipients', 10_000),
    pool: flag(rest, '--pool', 5),
    batchSize: flag(rest, '--batch-size', 500),
    rounds: flag(rest, '--rounds', 3),
  });
}

main(process.argv.slice(2)).then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(`bench: ${(err as Error).message}`);
    process.exit(2);
  },
);
