import type { CampaignProgress } from '../../domain/campaign/campaign';

/**
 * The live progress line of `campaign start` and `campaign status --watch`: a bar with
 * rate and ETA on a terminal, a plain line now and then otherwise.
 *
 * The rate is measured over the last batches that completed, not over the whole run: a
 * run that was paused, or whose worker was down for an hour, is not "slow" afterwards.
 * What is not known is shown as `--`, never guessed.
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

/**
 * Mails per second over a moving window of completed batches, smoothed. Fed with every
 * poll; a poll where the count moved marks a batch completion. The first poll is only a
 * starting point (when its mails went out is unknown), so a rate needs two completions.
 */
export class RateMeter {
  private completions: { at: number; done: number }[] = [];
  private smoothed: number | undefined;
  private lastDone: number | undefined;

  /**
   * @param window completed batches the rate is measured over
   * @param alpha weight of the newest window rate in the moving average (EWMA)
   */
  constructor(
    private readonly window = 8,
    private readonly alpha = 0.3,
  ) {}

  observe(p: CampaignProgress, now: number): void {
    const count = done(p);
    if (p.status !== 'running') {
      // After a pause, the time paused is not part of any batch: measure afresh.
      this.completions = [];
      this.lastDone = count;
      return;
    }
    if (count === this.lastDone && this.completions.length > 0) return;
    this.lastDone = count;
    this.completions.push({ at: now, done: count });
    if (this.completions.length > this.window + 1) this.completions.shift();
    if (this.completions.length < 2) return;
    const first = this.completions[0]!;
    const last = this.completions.at(-1)!;
    const seconds = (last.at - first.at) / 1000;
    if (seconds <= 0) return;
    const windowRate = (last.done - first.done) / seconds;
    this.smoothed = this.smoothed === undefined ? windowRate : this.alpha * windowRate + (1 - this.alpha) * this.smoothed;
  }

  /** Mails per second, or undefined until two batches have completed under observation. */
  rate(): number | undefined {
    return this.smoothed;
  }
}

export interface Speed {
  /** Measured mails per second; undefined when unknown or when the throttle governs. */
  rate?: number;
  /** Seconds to go; undefined when unknown. */
  eta?: number;
  /** The throttle sets the pace (its rate, not a measurement, gives the ETA). */
  throttled: boolean;
}

/**
 * What the line shows. A throttled run sends a batch, then waits: a measured rate swings
 * with where in that cycle it is measured, so while the throttle governs the rate shows
 * `--` and the ETA comes from the throttle. When the mail goes out slower than the throttle
 * allows (a slow relay), the measurement governs.
 */
export function speedOf(p: CampaignProgress, measured: number | undefined): Speed {
  const running = p.status === 'running';
  if (p.throttle !== undefined) {
    const allowed = p.throttle / 60;
    if (measured === undefined || measured >= 0.9 * allowed) {
      return { throttled: true, ...(running ? { eta: p.remaining / allowed } : {}) };
    }
  }
  if (measured === undefined || measured <= 0) return { throttled: false };
  return { throttled: false, rate: measured, ...(running ? { eta: p.remaining / measured } : {}) };
}

/**
 * The ETA counted down between updates. The progress moves a batch at a time (at a throttle,
 * one batch every 10 s), so an ETA computed from each poll stands still between batches and
 * then drops by a batch's worth. This one is taken when the progress last moved (or was
 * first seen) and counts down with the clock from there; the next batch sets it afresh from
 * its own numbers. Only the ETA moves: the count and the bar stay what the run reported.
 * Held at 0 rather than going negative when the next batch is late.
 */
export class EtaCountdown {
  private anchor: { at: number; eta: number; done: number } | undefined;

  /** The ETA in seconds at `now`, from the ETA the progress of this poll gives (`speed.eta`). */
  eta(p: CampaignProgress, speed: Speed, now: number): number | undefined {
    if (p.status !== 'running' || speed.eta === undefined) {
      // Paused, finished or not known: nothing to count down, and a resume starts afresh.
      this.anchor = undefined;
      return speed.eta;
    }
    const count = done(p);
    if (this.anchor === undefined || this.anchor.done !== count) this.anchor = { at: now, eta: speed.eta, done: count };
    return Math.max(0, this.anchor.eta - (now - this.anchor.at) / 1000);
  }
}

export function progressLine(p: CampaignProgress, speed: Speed, barWidth?: number): string {
  const pct = p.total === 0 ? (p.status === 'completed' ? 100 : 0) : Math.floor((done(p) * 100) / p.total);
  const bar = barWidth === undefined ? '' : `[${'#'.repeat(Math.round((pct / 100) * barWidth)).padEnd(barWidth, '-')}] `;
  const finished = p.status === 'completed' || p.status === 'cancelled';
  const parts = [
    `${bar}${String(pct).padStart(3)}% ${done(p)}/${p.total}`,
    `sent ${p.sent} skipped ${p.skipped} failed ${p.failed}`,
    // A finished run too short to measure has no rate to show; an unfinished one shows it is coming.
    speed.rate !== undefined ? `${speed.rate >= 10 ? Math.round(speed.rate) : speed.rate.toFixed(1)}/s` : finished ? '' : '--/s',
    speed.throttled ? `throttle ${p.throttle}/min` : '',
    p.status === 'running' ? `ETA ${speed.eta === undefined ? '--' : formatEta(speed.eta)}` : '',
    p.status,
  ];
  return parts.filter((x) => x !== '').join(' ');
}

export interface WatchOptions<P extends CampaignProgress> {
  poll: () => Promise<P>;
  out: NodeJS.WriteStream | { isTTY?: boolean; columns?: number; write(s: string): boolean };
  intervalMs?: number;
  /** Plain output: at most one line per this many ms. */
  plainEveryMs?: number;
}

/** Follows a run until it completes or is cancelled; returns the final progress. */
export async function watchProgress<P extends CampaignProgress>({ poll, out, intervalMs = 500, plainEveryMs = 2_000 }: WatchOptions<P>): Promise<P> {
  const tty = Boolean(out.isTTY);
  const meter = new RateMeter();
  const countdown = new EtaCountdown();
  let lastPlain = 0;
  let lastLine = '';
  for (;;) {
    const p = await poll();
    const now = Date.now();
    meter.observe(p, now);
    const measured = speedOf(p, meter.rate());
    const speed = { ...measured, eta: countdown.eta(p, measured, now) };
    const finished = p.status === 'completed' || p.status === 'cancelled';
    if (tty) {
      const width = Math.max(10, Math.min(40, (out.columns ?? 80) - 80));
      out.write(`\r\x1b[2K${progressLine(p, speed, width)}${finished ? '\n' : ''}`);
    } else {
      const line = progressLine(p, speed);
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
