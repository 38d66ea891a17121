import { renderCallEvent, type CallEvent } from '../../domain/tasks/calendar';
import { icsProp, unfoldedLines } from './fixtures3';

const EVENT: CallEvent = {
  uid: 'P1-C1@salesflow.invalid',
  sequence: 0,
  start: '2026-03-03T10:00:00.000Z',
  durationMs: 30 * 60_000,
  stamp: '2026-03-02T09:15:30.000Z',
  summary: 'Call: Acme / Alice Rep',
  description: 'salesflow call P1-C1 with Ada Buyer',
  organizer: { name: 'Alice Rep', email: 'alice@example.com' },
  attendees: [
    { name: 'Alice Rep', email: 'alice@example.com' },
    { name: 'Ada Buyer', email: 'ada@acme.example' },
  ],
  method: 'REQUEST',
};

/** Checks that BEGIN/END lines pair up and nest; returns the components in order of opening. */
function components(ics: string): string[] {
  const open: string[] = [];
  const seen: string[] = [];
  for (const line of unfoldedLines(ics)) {
    if (line.startsWith('BEGIN:')) {
      open.push(line.slice(6));
      seen.push(line.slice(6));
    } else if (line.startsWith('END:')) {
      expect(open.pop()).toBe(line.slice(4));
    }
  }
  expect(open).toEqual([]);
  return seen;
}

describe('renderCallEvent: structure', () => {
  const ics = renderCallEvent(EVENT);

  it('is one VCALENDAR holding one VEVENT, BEGIN and END paired', () => {
    expect(components(ics)).toEqual(['VCALENDAR', 'VEVENT']);
    const lines = unfoldedLines(ics);
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines[lines.length - 1]).toBe('END:VCALENDAR');
    expect(lines).toEqual(expect.arrayContaining(['VERSION:2.0', 'PRODID:-//salesflow//calls//EN', 'CALSCALE:GREGORIAN']));
  });

  it('ends every line with CRLF and has no bare LF or CR', () => {
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('carries UID, SEQUENCE, DTSTAMP, DTSTART and DTEND in UTC basic format', () => {
    expect(icsProp(ics, 'UID')).toBe('P1-C1@salesflow.invalid');
    expect(icsProp(ics, 'SEQUENCE')).toBe('0');
    expect(icsProp(ics, 'DTSTAMP')).toBe('20260302T091530Z');
    expect(icsProp(ics, 'DTSTART')).toBe('20260303T100000Z');
    expect(icsProp(ics, 'DTEND')).toBe('20260303T103000Z');
    for (const name of ['DTSTAMP', 'DTSTART', 'DTEND']) expect(icsProp(ics, name)).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it('converts a start with a zone offset to UTC and counts the end from the duration', () => {
    const other = renderCallEvent({ ...EVENT, start: '2026-03-03T11:45:00+02:00', durationMs: 90 * 60_000 });
    expect(icsProp(other, 'DTSTART')).toBe('20260303T094500Z');
    expect(icsProp(other, 'DTEND')).toBe('20260303T111500Z');
  });

  it('a REQUEST is CONFIRMED; organizer and attendees are mailto addresses with quoted names', () => {
    expect(icsProp(ics, 'METHOD')).toBe('REQUEST');
    expect(icsProp(ics, 'STATUS')).toBe('CONFIRMED');
    const lines = unfoldedLines(ics);
    expect(lines).toContain('ORGANIZER;CN="Alice Rep":mailto:alice@example.com');
    expect(lines.filter((l) => l.startsWith('ATTENDEE'))).toEqual([
      'ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN="Alice Rep":mailto:alice@example.com',
      'ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN="Ada Buyer":mailto:ada@acme.example',
    ]);
  });

  it('a person without a name has no CN, and quotes are dropped from names', () => {
    const other = renderCallEvent({ ...EVENT, organizer: { email: 'x@example.com' }, attendees: [{ name: 'Ada "The Buyer", Jr.', email: 'ada@acme.example' }] });
    expect(unfoldedLines(other)).toContain('ORGANIZER:mailto:x@example.com');
    expect(unfoldedLines(other)).toContain('ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN="Ada The Buyer, Jr.":mailto:ada@acme.example');
  });

  it('a CANCEL keeps the UID, carries its SEQUENCE and is CANCELLED', () => {
    const cancel = renderCallEvent({ ...EVENT, sequence: 2, method: 'CANCEL' });
    expect(components(cancel)).toEqual(['VCALENDAR', 'VEVENT']);
    expect(icsProp(cancel, 'METHOD')).toBe('CANCEL');
    expect(icsProp(cancel, 'STATUS')).toBe('CANCELLED');
    expect(icsProp(cancel, 'UID')).toBe(icsProp(ics, 'UID'));
    expect(icsProp(cancel, 'SEQUENCE')).toBe('2');
  });

  it('is deterministic: the same event renders to the same text', () => {
    expect(renderCallEvent({ ...EVENT })).toBe(ics);
  });
});

describe('renderCallEvent: text values', () => {
  it('escapes backslashes, commas, semicolons and newlines', () => {
    const ics = renderCallEvent({ ...EVENT, summary: 'Call: Smith, Jones; Partners', description: 'line one\nline two\r\nC:\\path' });
    expect(icsProp(ics, 'SUMMARY')).toBe('Call: Smith\\, Jones\\; Partners');
    expect(icsProp(ics, 'DESCRIPTION')).toBe('line one\\nline two\\nC:\\\\path');
  });

  it('folds lines longer than 75 octets and unfolding gives the value back', () => {
    const description = `Agenda: ${'pricing and delivery dates '.repeat(8)}end`;
    const ics = renderCallEvent({ ...EVENT, description });
    const physical = ics.split('\r\n').filter((l) => l !== '');
    expect(physical.every((l) => Buffer.byteLength(l, 'utf8') <= 75)).toBe(true);
    const descIndex = physical.findIndex((l) => l.startsWith('DESCRIPTION:'));
    expect(physical[descIndex]).toHaveLength(75);
    expect(physical[descIndex + 1]!.startsWith(' ')).toBe(true);
    expect(physical.filter((l) => l.startsWith(' ')).length).toBeGreaterThanOrEqual(3);
    expect(icsProp(ics, 'DESCRIPTION')).toBe(description);
  });

  it('leaves a line of exactly 75 octets unfolded', () => {
    const summary = 'x'.repeat(75 - 'SUMMARY:'.length);
    const ics = renderCallEvent({ ...EVENT, summary });
    const physical = ics.split('\r\n');
    const i = physical.indexOf(`SUMMARY:${summary}`);
    expect(i).toBeGreaterThan(0);
    expect(physical[i + 1]!.startsWith('DESCRIPTION:')).toBe(true);
    // One more octet and it folds.
    const longer = renderCallEvent({ ...EVENT, summary: `${summary}y` }).split('\r\n');
    expect(longer[longer.findIndex((l) => l.startsWith('SUMMARY:')) + 1]).toBe(' y');
  });

  it('folds a long attendee line too', () => {
    const email = `${'very.long.local.part.'.repeat(4)}x@example.com`;
    const ics = renderCallEvent({ ...EVENT, attendees: [{ name: 'Somebody With A Long Name', email }] });
    expect(ics.split('\r\n').every((l) => l.length <= 75)).toBe(true);
    expect(unfoldedLines(ics)).toContain(`ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN="Somebody With A Long Name":mailto:${email}`);
  });
});

describe('folding counts UTF-8 bytes and never splits a character', () => {
  it.each([
    ['umlauts', 'Müller GmbH '.repeat(12)],
    ['emoji at the fold point', `${'x'.repeat(66)}😀😀😀`],
  ])('%s', (_what, summary) => {
    const ics = renderCallEvent({ ...EVENT, summary });
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(ics).not.toContain('\uFFFD');
    expect(icsProp(ics, 'SUMMARY')).toBe(summary);
  });
});
