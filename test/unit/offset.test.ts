import { addOffset, formatOffset, OffsetSchema, type Offset } from '../../domain/process/offset';
import { DAY, FRIDAY, HOUR, MINUTE, MONDAY, problems, SATURDAY, SECOND, SUNDAY } from './fixtures3';

const weekday = (iso: string) => ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][new Date(iso).getUTCDay()];

describe('OffsetSchema', () => {
  it('reads durations as milliseconds and `Nbd` as business days', () => {
    expect(OffsetSchema.parse('4h')).toEqual({ ms: 4 * HOUR });
    expect(OffsetSchema.parse('30s')).toEqual({ ms: 30 * SECOND });
    expect(OffsetSchema.parse('1d12h')).toEqual({ ms: 36 * HOUR });
    expect(OffsetSchema.parse(1500)).toEqual({ ms: 1500 });
    expect(OffsetSchema.parse('0s')).toEqual({ ms: 0 });
    expect(OffsetSchema.parse('1bd')).toEqual({ businessDays: 1 });
    expect(OffsetSchema.parse(' 10 bd ')).toEqual({ businessDays: 10 });
    expect(OffsetSchema.parse('0bd')).toEqual({ businessDays: 0 });
  });

  it('accepts its own parsed form again', () => {
    for (const offset of [{ ms: 90_000 }, { businessDays: 3 }] as Offset[]) expect(OffsetSchema.parse(offset)).toEqual(offset);
  });

  it('refuses negative, unknown and malformed offsets with an example in the message', () => {
    const rule = (got: string) => [`must be a duration such as 30s, 4h, 2d or business days such as 1bd (got ${got})`];
    expect(problems(OffsetSchema, '-1d')).toEqual(rule('"-1d"'));
    expect(problems(OffsetSchema, 'abc')).toEqual(rule('"abc"'));
    expect(problems(OffsetSchema, '-1bd')).toEqual(rule('"-1bd"'));
    expect(problems(OffsetSchema, '2 days')).toEqual(rule('"2 days"'));
    expect(problems(OffsetSchema, -1)).toEqual(rule('-1'));
    expect(OffsetSchema.safeParse(Number.POSITIVE_INFINITY).success).toBe(false);
    expect(OffsetSchema.safeParse({ ms: 5, businessDays: 1 }).success).toBe(false);
    expect(OffsetSchema.safeParse({ businessDays: -1 }).success).toBe(false);
    expect(OffsetSchema.safeParse(null).success).toBe(false);
  });
});

describe('addOffset with milliseconds', () => {
  it('adds plain time, weekends included', () => {
    expect(addOffset(FRIDAY, { ms: DAY })).toBe('2026-03-07T16:30:00.000Z');
    expect(addOffset(MONDAY, { ms: 90 * MINUTE })).toBe('2026-03-02T10:30:00.000Z');
    expect(addOffset(SATURDAY, { ms: 0 })).toBe(SATURDAY);
  });

  it('normalises a start with an offset to UTC', () => {
    expect(addOffset('2026-03-02T10:00:00+01:00', { ms: HOUR })).toBe('2026-03-02T10:00:00.000Z');
  });
});

describe('addOffset with business days', () => {
  it('counts weekdays and keeps the time of day', () => {
    expect(addOffset(MONDAY, { businessDays: 1 })).toBe('2026-03-03T09:00:00.000Z');
    expect(addOffset(MONDAY, { businessDays: 4 })).toBe('2026-03-06T09:00:00.000Z');
  });

  it('Friday + 1bd is Monday', () => {
    const due = addOffset(FRIDAY, { businessDays: 1 });
    expect(due).toBe('2026-03-09T16:30:00.000Z');
    expect(weekday(due)).toBe('Mon');
  });

  it('Friday + 5bd is the next Friday, Thursday + 2bd is Monday', () => {
    expect(addOffset(FRIDAY, { businessDays: 5 })).toBe('2026-03-13T16:30:00.000Z');
    expect(addOffset('2026-03-05T08:00:00.000Z', { businessDays: 2 })).toBe('2026-03-09T08:00:00.000Z');
  });

  it('a start on the weekend counts from Monday', () => {
    expect(addOffset(SATURDAY, { businessDays: 1 })).toBe('2026-03-10T10:00:00.000Z'); // Tuesday
    expect(addOffset(SUNDAY, { businessDays: 1 })).toBe('2026-03-10T10:00:00.000Z');
    expect(addOffset(SATURDAY, { businessDays: 0 })).toBe('2026-03-09T10:00:00.000Z'); // Monday
    expect(addOffset(MONDAY, { businessDays: 0 })).toBe(MONDAY);
  });

  it('weekends are UTC days: late Friday UTC + 1bd is late Monday UTC', () => {
    expect(addOffset('2026-03-06T23:30:00.000Z', { businessDays: 1 })).toBe('2026-03-09T23:30:00.000Z');
  });

  it('crosses month and year ends', () => {
    expect(addOffset('2026-02-27T12:00:00.000Z', { businessDays: 1 })).toBe('2026-03-02T12:00:00.000Z'); // Fri → Mon
    expect(addOffset('2026-12-31T12:00:00.000Z', { businessDays: 2 })).toBe('2027-01-04T12:00:00.000Z'); // Thu → Mon
  });

  it('never lands on a weekend', () => {
    for (let start = 0; start < 7; start++) {
      for (let n = 0; n <= 12; n++) {
        const due = addOffset(new Date(Date.parse(MONDAY) + start * DAY).toISOString(), { businessDays: n });
        expect(['Sat', 'Sun']).not.toContain(weekday(due));
      }
    }
  });
});

describe('formatOffset', () => {
  it('writes offsets the way a process file does', () => {
    expect(formatOffset({ businessDays: 2 })).toBe('2bd');
    expect(formatOffset({ ms: 2 * DAY })).toBe('2d');
    expect(formatOffset({ ms: 4 * HOUR })).toBe('4h');
    expect(formatOffset({ ms: 90 * MINUTE })).toBe('90m');
    expect(formatOffset({ ms: 20 * SECOND })).toBe('20s');
    expect(formatOffset({ ms: 1500 })).toBe('1500ms');
  });

  it('what it writes parses back to the same offset', () => {
    for (const offset of [{ businessDays: 3 }, { ms: DAY }, { ms: 36 * HOUR }, { ms: 45 * SECOND }, { ms: 250 }] as Offset[]) {
      expect(OffsetSchema.parse(formatOffset(offset))).toEqual(offset);
    }
  });
});
