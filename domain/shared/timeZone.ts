import { z } from 'zod';
import { shareable } from './shareable';

/**
 * Times as people read them: `Tue 15 Dec 2026, 17:00 CET`, in a named time zone, without
 * seconds or milliseconds. Pure (Intl with an explicit zone reads no clock and no host
 * setting), so workflow code renders mail text with it and the zone travels as an argument.
 * Machine output (`--json`, ICS files, history) keeps ISO-8601.
 */

export const DEFAULT_TIME_ZONE = 'UTC';

/** Intl accepts more than zone names (offsets like `+01:00`); people configure names. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

export function isTimeZone(name: string): boolean {
  if (!ZONE_NAME.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const TimeZoneSchema = shareable(z
  .string()
  .trim()
  .refine(isTimeZone, { message: 'must be an IANA time zone name, e.g. Europe/Berlin or UTC' }));

const formats = new Map<string, { main: Intl.DateTimeFormat; gb: Intl.DateTimeFormat; us: Intl.DateTimeFormat }>();

function formatsFor(zone: string) {
  let f = formats.get(zone);
  if (!f) {
    f = {
      main: new Intl.DateTimeFormat('en-GB', {
        timeZone: zone,
        weekday: 'short',
        day: 'numeric',
        month: 'short',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }),
      // en-GB names European zones (CET, BST), en-US American ones (EST, PDT); each gives
      // a bare GMT offset for the other's, and that offset is the fallback everywhere else.
      gb: new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'short' }),
      us: new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' }),
    };
    formats.set(zone, f);
  }
  return f;
}

function zoneAbbreviation(f: { gb: Intl.DateTimeFormat; us: Intl.DateTimeFormat }, at: Date): string {
  const name = (fmt: Intl.DateTimeFormat) => fmt.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const gb = name(f.gb);
  if (!gb.startsWith('GMT') || gb === 'GMT') return gb;
  const us = name(f.us);
  return us.startsWith('GMT') ? gb : us;
}

/**
 * `Tue 15 Dec 2026, 17:00 CET` for an ISO time (or epoch ms) in `zone`; '' for no time. A
 * value that is not a time is returned as given, so a display never throws over a bad record.
 */
export function formatTime(value: string | number | Date | undefined, zone: string = DEFAULT_TIME_ZONE): string {
  if (value === undefined) return '';
  const at = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(at.getTime())) return String(value);
  const f = formatsFor(zone);
  const parts = Object.fromEntries(f.main.formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute} ${zoneAbbreviation(f, at)}`;
}

/** ISO times inside recorded text (a history line, a task title) as people read them. */
export function formatTimesIn(text: string, zone: string = DEFAULT_TIME_ZONE): string {
  return text.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g, (iso) => formatTime(iso, zone));
}
