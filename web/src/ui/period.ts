/**
 * The dashboard's periods. Reports count whole UTC days (their counts are per-day
 * pre-aggregates, domain/reporting/reports.ts), so the periods here are UTC dates too: the
 * picker's "to" is the last day counted, the API's `to` the day after (exclusive).
 */

export const PRESETS = [
  { id: '7d', label: 'Last 7 days' },
  { id: '30d', label: 'Last 30 days' },
  { id: '90d', label: 'Last 90 days' },
  { id: 'qtd', label: 'This quarter' },
  { id: 'ytd', label: 'This year' },
  { id: 'last-year', label: 'Last year' },
  { id: 'custom', label: 'Custom…' },
] as const;
export type PresetId = (typeof PRESETS)[number]['id'];

const DAY = 86_400_000;

export function utcDay(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

function addDays(day: string, n: number): string {
  return utcDay(Date.parse(`${day}T00:00:00Z`) + n * DAY);
}

/** The first and last day counted (both inclusive) of a preset, as UTC dates. */
export function presetDays(preset: PresetId, now: number, custom: { from?: string | null; to?: string | null }): { first: string; last: string } {
  const today = utcDay(now);
  const d = new Date(now);
  const y = d.getUTCFullYear();
  switch (preset) {
    case '7d':
      return { first: addDays(today, -6), last: today };
    case '30d':
      return { first: addDays(today, -29), last: today };
    case '90d':
      return { first: addDays(today, -89), last: today };
    case 'qtd': {
      const q = Math.floor(d.getUTCMonth() / 3) * 3;
      return { first: utcDay(Date.UTC(y, q, 1)), last: today };
    }
    case 'ytd':
      return { first: `${y}-01-01`, last: today };
    case 'last-year':
      return { first: `${y - 1}-01-01`, last: `${y - 1}-12-31` };
    case 'custom': {
      const last = custom.to && /^\d{4}-\d{2}-\d{2}$/.test(custom.to) ? custom.to : today;
      const first = custom.from && /^\d{4}-\d{2}-\d{2}$/.test(custom.from) ? custom.from : addDays(last, -29);
      return { first, last };
    }
  }
}

/** The API's half-open period for the days counted. */
export function apiPeriod(days: { first: string; last: string }): { from: string; to: string } {
  return { from: days.first, to: addDays(days.last, 1) };
}

/** The forecast looks ahead: from the period's start to the first day of the month `months` ahead. */
export function forecastPeriod(days: { first: string }, now: number, months: number): { from: string; to: string } {
  const d = new Date(now);
  const to = utcDay(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  return { from: days.first, to: to > days.first ? to : addDays(days.first, 1) };
}

const monthFormat = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' });
const dayFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const weekFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** "Mar 2027" for "2027-03". */
export function formatMonth(month: string): string {
  const t = Date.parse(`${month}-01T00:00:00Z`);
  return Number.isNaN(t) ? month : monthFormat.format(t);
}

/** "3 Mar 2027" for a UTC date or instant. */
export function formatDay(day: string): string {
  const t = Date.parse(day.length === 10 ? `${day}T00:00:00Z` : day);
  return Number.isNaN(t) ? day : dayFormat.format(t);
}

/** "3 Mar" for the Monday a week starts. */
export function formatWeek(day: string): string {
  const t = Date.parse(day.length === 10 ? `${day}T00:00:00Z` : day);
  return Number.isNaN(t) ? day : weekFormat.format(t);
}

/** The last day a report's half-open filter counted. */
export function lastDayOf(to: string): string {
  return utcDay(Date.parse(to) - DAY);
}
