import { ConnectionConfigSchema } from '../../domain/shared/config';
import { ProcessDefinitionSchema, mailTimeZone, withTimeZone } from '../../domain/process/process';
import { formatTime, formatTimesIn, isTimeZone, TimeZoneSchema } from '../../domain/shared/timeZone';
import { scheduleCall } from '../../domain/tasks/calls';
import { at, HOUR, lead, problems, SALES } from './fixtures3';

describe('formatTime: times as people read them', () => {
  it('writes the example from the issue: weekday, day, month, year, 24-hour time, zone; no seconds or milliseconds', () => {
    expect(formatTime('2026-12-15T16:00:00.000Z', 'Europe/Berlin')).toBe('Tue 15 Dec 2026, 17:00 CET');
    expect(formatTime('2026-12-15T16:00:59.999Z', 'Europe/Berlin')).toBe('Tue 15 Dec 2026, 17:00 CET');
  });

  it('defaults to UTC and accepts epoch milliseconds and Dates', () => {
    const ms = Date.parse('2026-03-04T14:00:00Z');
    expect(formatTime(ms)).toBe('Wed 4 Mar 2026, 14:00 UTC');
    expect(formatTime(new Date(ms), 'UTC')).toBe('Wed 4 Mar 2026, 14:00 UTC');
  });

  it('names zones the way their people do (CEST in Berlin, EST/EDT in New York, BST/GMT in London)', () => {
    expect(formatTime('2026-07-01T10:00:00Z', 'Europe/Berlin')).toBe('Wed 1 Jul 2026, 12:00 CEST');
    expect(formatTime('2026-12-15T16:00:00Z', 'America/New_York')).toBe('Tue 15 Dec 2026, 11:00 EST');
    expect(formatTime('2026-07-01T16:00:00Z', 'America/New_York')).toBe('Wed 1 Jul 2026, 12:00 EDT');
    expect(formatTime('2026-07-01T16:00:00Z', 'Europe/London')).toBe('Wed 1 Jul 2026, 17:00 BST');
    expect(formatTime('2026-12-01T16:00:00Z', 'Europe/London')).toBe('Tue 1 Dec 2026, 16:00 GMT');
  });

  it('falls back to the offset where no abbreviation is common', () => {
    expect(formatTime('2026-12-15T16:00:00Z', 'Asia/Kolkata')).toBe('Tue 15 Dec 2026, 21:30 GMT+5:30');
  });

  it('crosses the spring DST boundary in Berlin: 01:59 CET is followed a minute later by 03:00 CEST', () => {
    expect(formatTime('2026-03-29T00:59:00Z', 'Europe/Berlin')).toBe('Sun 29 Mar 2026, 01:59 CET');
    expect(formatTime('2026-03-29T01:00:00Z', 'Europe/Berlin')).toBe('Sun 29 Mar 2026, 03:00 CEST');
  });

  it('tells the twice-lived autumn hour apart by its zone name', () => {
    expect(formatTime('2026-10-25T00:30:00Z', 'Europe/Berlin')).toBe('Sun 25 Oct 2026, 02:30 CEST');
    expect(formatTime('2026-10-25T01:30:00Z', 'Europe/Berlin')).toBe('Sun 25 Oct 2026, 02:30 CET');
  });

  it('moves the date with the zone', () => {
    expect(formatTime('2026-12-31T23:30:00Z', 'Europe/Berlin')).toBe('Fri 1 Jan 2027, 00:30 CET');
    expect(formatTime('2026-01-01T03:00:00Z', 'America/Los_Angeles')).toBe('Wed 31 Dec 2025, 19:00 PST');
  });

  it('never throws on a record that holds no time', () => {
    expect(formatTime(undefined)).toBe('');
    expect(formatTime('soon')).toBe('soon');
  });

  it('rewrites the ISO times inside recorded text, and leaves the rest', () => {
    expect(formatTimesIn('sent revision 1, valid to 2026-12-15T16:00:00.000Z', 'Europe/Berlin')).toBe('sent revision 1, valid to Tue 15 Dec 2026, 17:00 CET');
    expect(formatTimesIn('Call Ada at 2026-03-04T14:00:00Z (30 min) on 2026-03-04', 'UTC')).toBe('Call Ada at Wed 4 Mar 2026, 14:00 UTC (30 min) on 2026-03-04');
  });
});

describe('time zone names', () => {
  it('accepts IANA names and UTC', () => {
    for (const zone of ['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5']) expect(isTimeZone(zone)).toBe(true);
  });

  it('refuses what is not a zone name, offsets included', () => {
    for (const zone of ['Mars/Base', 'Europe/Berlin ', 'CET+1', '+01:00', '', 'Europe//Berlin']) expect(isTimeZone(zone)).toBe(false);
  });

  it('SALESFLOW_TIMEZONE is validated with a message that shows the accepted form', () => {
    expect(ConnectionConfigSchema.parse({}).SALESFLOW_TIMEZONE).toBeUndefined();
    expect(ConnectionConfigSchema.parse({ SALESFLOW_TIMEZONE: 'Europe/Berlin' }).SALESFLOW_TIMEZONE).toBe('Europe/Berlin');
    expect(problems(ConnectionConfigSchema, { SALESFLOW_TIMEZONE: 'Mars/Base' })).toEqual(['SALESFLOW_TIMEZONE: must be an IANA time zone name, e.g. Europe/Berlin or UTC']);
    expect(TimeZoneSchema.safeParse('Asia/Tokyo').success).toBe(true);
  });

  it('a process file may name its zone; a wrong one is refused at its path', () => {
    expect(mailTimeZone(ProcessDefinitionSchema.parse({ ...SALES, timezone: 'Europe/Berlin' }))).toBe('Europe/Berlin');
    expect(mailTimeZone(ProcessDefinitionSchema.parse(SALES))).toBe('UTC');
    expect(problems(ProcessDefinitionSchema, { ...SALES, timezone: 'Berlin' })).toEqual(['timezone: must be an IANA time zone name, e.g. Europe/Berlin or UTC']);
  });

  it("a process without a zone takes the deployment's; one with a zone keeps it", () => {
    const plain: { name: string; timezone?: string } = { name: 'p' };
    expect(withTimeZone(plain, 'Europe/Berlin')).toEqual({ name: 'p', timezone: 'Europe/Berlin' });
    expect(withTimeZone({ ...plain, timezone: 'Asia/Tokyo' }, 'Europe/Berlin')).toEqual({ name: 'p', timezone: 'Asia/Tokyo' });
    expect(withTimeZone(plain, undefined)).toBe(plain);
  });
});

describe("mails are written in the process's zone", () => {
  it('a call invitation and its task mail show the call time in Berlin time, the ICS keeps UTC', () => {
    const state = scheduleCall(lead({}, { ...SALES, timezone: 'Europe/Berlin' }), { at: '2026-03-04T14:00:00Z', by: 'alice' }, at(HOUR));
    const subjects = state.outbox.map((m) => m.subject);
    expect(subjects).toContain('Invitation: Call: Acme / Alice Rep at Wed 4 Mar 2026, 15:00 CET');
    expect(subjects).toContain('New task: Call Ada Buyer (Acme) at Wed 4 Mar 2026, 15:00 CET');
    const invitation = state.outbox.find((m) => m.subject.startsWith('Invitation'))!;
    expect(invitation.text).toBe('Invitation for a call on Wed 4 Mar 2026, 15:00 CET (30 min).');
    expect(JSON.stringify(state.outbox)).not.toMatch(/\.000Z/);
  });
});
