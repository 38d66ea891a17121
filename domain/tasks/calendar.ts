/**
 * iCalendar (RFC 5545) invitations for scheduled calls. The UID stays the same for the
 * call's whole life, and SEQUENCE grows with each reschedule and the cancellation, so
 * calendar clients update the one event instead of adding new ones.
 */

export interface CallEvent {
  uid: string;
  sequence: number;
  start: string;
  durationMs: number;
  /** The moment the invitation was issued (DTSTAMP); the command's time, never a clock read. */
  stamp: string;
  summary: string;
  description: string;
  organizer: { name?: string; email: string };
  attendees: { name?: string; email: string }[];
  method: 'REQUEST' | 'CANCEL';
}

function icsTime(iso: string): string {
  return new Date(iso).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Escapes TEXT values (RFC 5545 3.3.11). */
function text(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/**
 * Folds lines longer than 75 octets (RFC 5545 3.1), counting UTF-8 bytes and never
 * splitting a character: names like "Müller GmbH" come from user input.
 */
function fold(line: string): string {
  const parts: string[] = [];
  let current = '';
  let bytes = 0;
  for (const ch of line) {
    const size = utf8Length(ch);
    // Continuation lines start with a space, which counts towards their 75.
    if (bytes + size > 75) {
      parts.push(current);
      current = ' ';
      bytes = 1;
    }
    current += ch;
    bytes += size;
  }
  parts.push(current);
  return parts.join('\r\n');
}

function utf8Length(ch: string): number {
  const code = ch.codePointAt(0)!;
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
}

/** `NAME;params:mailto:x` — the CN parameter is quoted, as names may hold commas. */
function person(property: string, params: string[], p: { name?: string; email: string }): string {
  const all = [...params, ...(p.name ? [`CN="${p.name.replace(/["\r\n]/g, '')}"`] : [])];
  return `${property}${all.map((x) => `;${x}`).join('')}:mailto:${p.email}`;
}

export function renderCallEvent(e: CallEvent): string {
  const end = new Date(Date.parse(e.start) + e.durationMs).toISOString();
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//salesflow//calls//EN',
    'CALSCALE:GREGORIAN',
    `METHOD:${e.method}`,
    'BEGIN:VEVENT',
    `UID:${e.uid}`,
    `SEQUENCE:${e.sequence}`,
    `DTSTAMP:${icsTime(e.stamp)}`,
    `DTSTART:${icsTime(e.start)}`,
    `DTEND:${icsTime(end)}`,
    `SUMMARY:${text(e.summary)}`,
    `DESCRIPTION:${text(e.description)}`,
    person('ORGANIZER', [], e.organizer),
    ...e.attendees.map((a) => person('ATTENDEE', ['ROLE=REQ-PARTICIPANT', 'PARTSTAT=NEEDS-ACTION', 'RSVP=TRUE'], a)),
    `STATUS:${e.method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED'}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(fold).join('\r\n') + '\r\n';
}
