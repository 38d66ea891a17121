import { DurationSchema, formatDuration, parseDuration } from '../../domain/shared/duration';
import { describeIssues } from '../../domain/shared/errors';
import { DAY, HOUR, MINUTE, SECOND } from './fixtures';

describe('parseDuration', () => {
  it.each<[string, number]>([
    ['5s', 5 * SECOND],
    ['500ms', 500],
    ['90m', 90 * MINUTE],
    ['2h', 2 * HOUR],
    ['2h30m', 2 * HOUR + 30 * MINUTE],
    ['3d', 3 * DAY],
    ['1w', 7 * DAY],
    ['1d12h', DAY + 12 * HOUR],
    ['1m30s', 90 * SECOND],
    ['1h0m5s', HOUR + 5 * SECOND],
    ['1.5h', 90 * MINUTE],
    ['0.5s', 500],
    ['  5s  ', 5 * SECOND],
  ])('%p is %p ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('reads "m" as minutes and "ms" as milliseconds', () => {
    expect(parseDuration('10m')).toBe(10 * MINUTE);
    expect(parseDuration('10ms')).toBe(10);
    expect(parseDuration('10m10ms')).toBe(10 * MINUTE + 10);
  });

  it.each(['', '   ', '5', 's', 'h2', '5x', '5S', '-5s', '+5s', '5 s', '2h 30m', '1e3s', '5min', '3days', 'soon', '5s!', '.5s'])(
    'refuses %p',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe('formatDuration', () => {
  it.each<[number, string]>([
    [0, '0s'],
    [500, '500ms'],
    [5 * SECOND, '5s'],
    [90 * SECOND, '1m30s'],
    [2 * HOUR + 30 * MINUTE, '2h30m'],
    [3 * DAY, '3d'],
    [8 * DAY, '8d'],
    [30 * DAY, '30d'],
    [14 * DAY, '2w'],
    [1_500, '1s500ms'],
  ])('%p ms is %p', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [1, 999, 5 * SECOND, 61 * MINUTE, 2 * HOUR + 30 * MINUTE + 7 * SECOND, 3 * DAY, 15 * DAY + 1]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});

describe('DurationSchema', () => {
  it('parses text and passes milliseconds through', () => {
    expect(DurationSchema.parse('5s')).toBe(5_000);
    expect(DurationSchema.parse('2h30m')).toBe(9_000_000);
    expect(DurationSchema.parse('3d')).toBe(259_200_000);
    expect(DurationSchema.parse(2_500)).toBe(2_500);
  });

  it.each<[unknown]>([['soon'], ['0s'], ['5'], [0], [-1_000]])('refuses %p with a message that shows the value', (value) => {
    const result = DurationSchema.safeParse(value);
    expect(result.success).toBe(false);
    if (!result.success) {
      expect(describeIssues(result.error)).toEqual([
        `must be a positive duration such as 5s, 30m, 2h, 3d or 2w (got ${JSON.stringify(value)})`,
      ]);
    }
  });

  it.each<[string, string]>([
    ['1y', '365d or 52w'],
    ['2 years', '365d or 52w'],
    ['6mo', '30d or 4w'],
    ['3M', '30d or 4w'],
  ])('refuses %p, which has a calendar unit, and says what to write instead', (value, instead) => {
    const result = DurationSchema.safeParse(value);
    expect(result.success).toBe(false);
    if (!result.success) expect(describeIssues(result.error)[0]).toMatch(new RegExp(`\\(got "${value}"\\); there is no (year|month) unit: write ${instead}$`));
  });

  it('refuses values that are neither text nor a number', () => {
    expect(DurationSchema.safeParse(true).success).toBe(false);
    expect(DurationSchema.safeParse(null).success).toBe(false);
  });
});
