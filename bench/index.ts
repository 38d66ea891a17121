import { audienceBench } from './audience';
import { campaignBench } from './campaign';
import { lifecycleBench } from './lifecycle';
import { flag, parseBenchArgs } from './options';
import { reportsBench } from './reports';
import { scaleBench } from './scale';

/** `npm run bench -- <name> [options]`. */

async function main(args: string[]): Promise<void> {
  const { name, options } = parseBenchArgs(args);
  switch (name) {
    case 'audience':
      await audienceBench({ prospects: flag(options, '--prospects', 10_000), maxCached: options.has('--max-cached') ? flag(options, '--max-cached', 1) : undefined });
      return;
    case 'lifecycle': {
      const record = options.get('--record-history');
      await lifecycleBench({
        prospects: flag(options, '--prospects', 300),
        concurrency: flag(options, '--concurrency', 16),
        rounds: flag(options, '--rounds', 4),
        ...(record === undefined ? {} : { recordHistory: record }),
      });
      return;
    }
    case 'scale':
      await scaleBench({
        prospects: flag(options, '--prospects', 100_000),
        concurrency: flag(options, '--concurrency', 16),
        runs: flag(options, '--runs', 100),
        ...(options.has('--max-cached') ? { maxCached: flag(options, '--max-cached', 400) } : {}),
      });
      return;
    case 'reports':
      await reportsBench({ prospects: flag(options, '--prospects', 100_000), runs: flag(options, '--runs', 200) });
      return;
    case 'campaign':
      await campaignBench({
        recipients: flag(options, '--recipients', 10_000),
        pool: flag(options, '--pool', 5),
        batchSize: flag(options, '--batch-size', 500),
        rounds: flag(options, '--rounds', 3),
      });
      return;
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(`bench: ${(err as Error).message}`);
    process.exit(2);
  },
);
