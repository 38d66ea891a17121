/**
 * Dates in the viewer's own time zone (the browser's), money with its currency. The server
 * sends ISO instants; nothing here assumes a zone.
 */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
// Every time of day the app shows is this one's ("8:44 PM", "20:44"), so rows read alike.
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const dayMonth = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });

export const userTimeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

export function formatDateTime(iso: string | undefined | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

export function formatDate(iso: string | undefined | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateOnly.format(d);
}

/** "today 14:30", "tomorrow 09:00", or the date and time. */
export function formatDue(iso: string | undefined | null, now = Date.now()): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const day = (t: Date) => new Date(t.getFullYear(), t.getMonth(), t.getDate()).getTime();
  const diff = Math.round((day(d) - day(new Date(now))) / 86_400_000);
  if (diff === 0) return `today ${timeOnly.format(d)}`;
  if (diff === 1) return `tomorrow ${timeOnly.format(d)}`;
  if (diff === -1) return `yesterday ${timeOnly.format(d)}`;
  // Within half a year the year goes without saying (and a board card has room for little);
  // the time as on the other rows ("Nov 27, 7:44 PM" beside "today 8:44 PM", not "07:44 PM").
  if (Math.abs(diff) < 180) return `${dayMonth.format(d)}, ${timeOnly.format(d)}`;
  return dateTime.format(d);
}

/** Instants inside a text the server wrote ("valid to 2026-12-23T09:24:12.137Z") in the viewer's zone. */
function withLocalTimes(text: string): string {
  return text.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g, (iso) => formatDateTime(iso));
}

/**
 * A text the server wrote for the record, as the viewer reads the rest of the page: its
 * instants in their zone, and its amounts ("created quotation revision 1 (7999.60 EUR)") in
 * their currency's format.
 */
export function readable(text: string): string {
  return withLocalTimes(text).replace(/\b(\d+\.\d{2}) ([A-Z]{3})\b/g, (whole, amount: string, currency: string) => {
    const cents = Math.round(Number(amount) * 100);
    return Number.isSafeInteger(cents) ? formatMoney(cents, currency) : whole;
  });
}

/** "3 d", "5 h", "12 min" since an instant. */
export function formatAge(iso: string | undefined | null, now = Date.now()): string {
  if (!iso) return '—';
  const ms = Math.max(0, now - Date.parse(iso));
  if (ms >= 86_400_000) return `${Math.floor(ms / 86_400_000)} d`;
  if (ms >= 3_600_000) return `${Math.floor(ms / 3_600_000)} h`;
  return `${Math.max(1, Math.floor(ms / 60_000))} min`;
}

export function formatMoney(cents: number | undefined | null, currency = 'EUR'): string {
  if (cents === undefined || cents === null) return '—';
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

/** An ISO instant from a datetime-local input's value, read in the viewer's zone. */
export function localInputToIso(value: string): string {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}

/** The value a datetime-local input shows for an instant, in the viewer's zone. */
export function isoToLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A code word the API uses (`check_in`, `follow_up`, `quote_stale`) as people read it. */
export function words(code: string): string {
  return code.replace(/_/g, ' ');
}

/** A length of time in its largest whole unit, as people say it: "30 days", "2 hours", "45 seconds". */
export function spanWords(ms: number): string {
  const units: [number, string][] = [[86_400_000, 'day'], [3_600_000, 'hour'], [60_000, 'minute'], [1_000, 'second']];
  const [size, name] = units.find(([u]) => ms >= u) ?? units[units.length - 1]!;
  const n = Math.round(ms / size);
  return `${n} ${name}${n === 1 ? '' : 's'}`;
}
