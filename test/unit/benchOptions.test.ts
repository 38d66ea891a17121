import { flag, parseBenchArgs } from '../../bench/options';

/** `npm run bench -- ...`: a mistyped option must stop the run, not start the long default one. */

test('each benchmark takes its own options', () => {
  const { name, options } = parseBenchArgs(['lifecycle', '--prospects', '40', '--concurrency', '4', '--record-history', 'h.json']);
  expect(name).toBe('lifecycle');
  expect(flag(options, '--prospects', 300)).toBe(40);
  expect(flag(options, '--rounds', 4)).toBe(4);
  expect(options.get('--record-history')).toBe('h.json');
  expect(parseBenchArgs([]).name).toBe('campaign');
});

test.each([
  [['lifecycle', '--prospect', '20'], /Unknown option '--prospect' \(the options of "lifecycle": --prospects, --concurrency, --rounds, --record-history\)/],
  [['reports', '--recipients', '5'], /Unknown option '--recipients'.*"reports"/],
  [['scale', '500'], /Unexpected argument '500'/],
  [['reports', '--prospects'], /--prospects <value>' argument missing/],
  [['nope'], /unknown benchmark "nope" \(there are: campaign, audience, lifecycle, scale, reports\)/],
])('refused: %j', (args, message) => {
  expect(() => parseBenchArgs(args)).toThrow(message);
});

test('a size must be a positive whole number', () => {
  const { options } = parseBenchArgs(['scale', '--prospects', '1e3x']);
  expect(() => flag(options, '--prospects', 100_000)).toThrow('--prospects "1e3x": must be a positive whole number');
});
