import type { CampaignProgress } from '../domain/campaign';

/**
 * The live progress line of `campaign start` and `campaign status --watch`: a bar with
 * rate and ETA on a terminal, a plain line now and then otherwise.
 */

function done(p: CampaignProgress): number {
  return p.total - p.remaining;
}

export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function progressLine(p: CampaignProgress, ratePerSecond: number, barWidth?: number): string {
  const pct = p.total === 0 ? (p.status === 'completed' ? 100 : 0) : Math.floor((done(p) * 100) / p.total);
  const bar = barWidth === undefined ? '' : `[${'#'.repeat(Math.round((pct / 100) * barWidth)).padEnd(barWidth, '-')}] `;
  const rate = ratePerSecond > 0 ? `${ratePerSecond >= 10 ? Math.round(ratePerSecond) : ratePerSecond.toFixed(1)}/s` : '-/s';
  const eta = p.status === 'running' && ratePerSecond > 0 ? ` ETA ${formatEta(p.remaining / ratePerSecond)}` : '';
  return (
    `${bar}${String(pct).padStart(3)}% ${done(p)}/${p.total} ` +
    `sent ${p.sent} skipped ${p.skipped} failed ${p.failed} ` +
    `${rate}${eta} ${p.status}`
  );
}

/**
 * The run's average rate: what it has done since it started sending, up to now (or its
 * end). A throttled run sends in bursts, so a short window would swing between bursts and
 * silence; the average settles on the throttle and gives an ETA that holds.
 */
export function averageRate(p: CampaignProgress, now: number): number {
  const since = Date.parse(p.sendingSince ?? p.startedAt);
  const until = p.finishedAt ? Date.parse(p.finishedAt) : now;
  const seconds = (until - since) / 1000;
  return seconds > 0 && Number.isFinite(seconds) ? done(p) / seconds : 0;
}

export interface WatchOptions {
  poll: () => Promise<CampaignProgress>;
  out: NodeJS.WriteStream | { isTTY?: boolean; columns?: number; write(s: string): boolean };
  intervalMs?: number;
  /** Plain output: at most one line per this many ms. */
  plainEveryMs?: number;
}

/** Follows a run until it completes or is cancelled; returns the final progress. */
export async function watchProgress({ poll, out, intervalMs = 500, plainEveryMs = 2_000 }: WatchOptions): Promise<CampaignProgress> {
  const tty = Boolean(out.isTTY);
  let lastPlain = 0;
  let lastLine = '';
  for (;;) {
    const p = await poll();
    const now = Date.now();
    const rate = averageRate(p, now);
    const finished = p.status === 'completed' || p.status === 'cancelled';
    if (tty) {
      const width = Math.max(10, Math.min(40, (out.columns ?? 80) - 70));
      out.write(`\r\x1b[2K${progressLine(p, rate, width)}${finished ? '\n' : ''}`);
    } else {
      const line = progressLine(p, rate);
      if (finished || (line !== lastLine && now - lastPlain >= plainEveryMs)) {
        out.write(`${line}\n`);
        lastPlain = now;
        lastLine = line;
      }
    }
    if (finished) return p;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
