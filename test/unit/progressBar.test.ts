import { EtaCountdown, RateMeter, progressLine, speedOf } from '../../client/campaign/progressBar';
import type { CampaignProgress } from '../../domain/campaign/campaign';

const base: CampaignProgress = {
  id: 'c',
  name: 'C',
  status: 'running',
  total: 61,
  sent: 20,
  skipped: 0,
  failed: 0,
  bounced: 0,
  remaining: 41,
  invalidRows: 0,
  startedAt: '2026-01-01T10:00:00.000Z',
  sendingSince: '2026-01-01T10:00:00.000Z',
};
const at = (p: Partial<CampaignProgress>): CampaignProgress => {
  const total = p.total ?? base.total;
  const sent = p.sent ?? base.sent;
  return { ...base, ...p, total, sent, remaining: total - sent };
};

test('a throttled run: the rate shows --, the ETA comes from the throttle', () => {
  // 41 left at 120/min: 20.5 s, whatever was measured in the bursts.
  const p = at({ throttle: 120 });
  expect(progressLine(p, speedOf(p, undefined))).toBe(' 32% 20/61 sent 20 skipped 0 failed 0 --/s throttle 120/min ETA 21s running');
  expect(progressLine(p, speedOf(p, 37))).toBe(' 32% 20/61 sent 20 skipped 0 failed 0 --/s throttle 120/min ETA 21s running');
});

test('a throttled run slower than its throttle (a slow relay) shows the measured rate and its ETA', () => {
  const p = at({ throttle: 6000 });
  expect(progressLine(p, speedOf(p, 4))).toBe(' 32% 20/61 sent 20 skipped 0 failed 0 4.0/s ETA 10s running');
});

test('an unthrottled run shows -- until two batches have completed, then the window rate', () => {
  const meter = new RateMeter();
  const t0 = Date.parse('2026-01-01T10:00:00.000Z');
  meter.observe(at({ total: 2000, sent: 0 }), t0);
  expect(progressLine(at({ total: 2000, sent: 0 }), speedOf(at({ total: 2000, sent: 0 }), meter.rate()))).toBe('  0% 0/2000 sent 0 skipped 0 failed 0 --/s ETA -- running');
  meter.observe(at({ total: 2000, sent: 500 }), t0 + 5_000);
  meter.observe(at({ total: 2000, sent: 500 }), t0 + 5_500); // a poll between batches: no completion
  meter.observe(at({ total: 2000, sent: 1000 }), t0 + 10_000);
  expect(meter.rate()).toBeCloseTo(100, 5);
  const p = at({ total: 2000, sent: 1000 });
  expect(progressLine(p, speedOf(p, meter.rate()))).toBe(' 50% 1000/2000 sent 1000 skipped 0 failed 0 100/s ETA 10s running');
});

test('a pause does not drag the rate down for the rest of the run', () => {
  const meter = new RateMeter(4);
  const t0 = Date.parse('2026-01-01T10:00:00.000Z');
  let sent = 0;
  let t = t0;
  const batch = (ms: number) => {
    sent += 100;
    t += ms;
    meter.observe(at({ total: 100_000, sent }), t);
  };
  meter.observe(at({ total: 100_000, sent: 0 }), t0);
  for (let k = 0; k < 6; k++) batch(1_000); // 100/s
  meter.observe(at({ total: 100_000, sent, status: 'paused' }), t + 1);
  t += 3_600_000; // an hour paused
  meter.observe(at({ total: 100_000, sent }), t);
  for (let k = 0; k < 3; k++) batch(1_000);
  // The whole-run average would be about 0.25/s; the window still says 100/s.
  expect(meter.rate()).toBeCloseTo(100, 5);
  // A slow spell moves the smoothed rate gradually, not all at once.
  batch(4_000);
  const r = meter.rate()!;
  expect(r).toBeLessThan(100);
  expect(r).toBeGreaterThan(60);
});

test('paused and finished runs show no ETA', () => {
  expect(progressLine(at({ status: 'paused', throttle: 120 }), speedOf(at({ status: 'paused', throttle: 120 }), undefined))).toBe(
    ' 32% 20/61 sent 20 skipped 0 failed 0 --/s throttle 120/min paused',
  );
  const done = at({ status: 'completed', sent: 61 });
  expect(progressLine(done, speedOf(done, 12.4), 10)).toBe('[##########] 100% 61/61 sent 61 skipped 0 failed 0 12/s completed');
});

test('a run that finished before its rate could be measured shows none, not --/s', () => {
  const quick = at({ status: 'completed', sent: 61 });
  expect(progressLine(quick, speedOf(quick, undefined))).toBe('100% 61/61 sent 61 skipped 0 failed 0 completed');
});

test('between batches the ETA counts down with the clock; the next batch sets it afresh; the count never moves by itself', () => {
  const countdown = new EtaCountdown();
  const t0 = Date.parse('2026-01-01T10:00:10.000Z');
  const p = at({ throttle: 120 }); // 41 left at 2/s: 20.5 s
  const eta = (q: CampaignProgress, now: number) => countdown.eta(q, speedOf(q, undefined), now);
  expect(eta(p, t0)).toBeCloseTo(20.5, 5);
  // Polls while the throttle waits for the next batch: same progress, the ETA goes down.
  expect(eta(p, t0 + 500)).toBeCloseTo(20, 5);
  expect(eta(p, t0 + 4_000)).toBeCloseTo(16.5, 5);
  const line = progressLine(p, { ...speedOf(p, undefined), eta: eta(p, t0 + 9_000) });
  expect(line).toBe(' 32% 20/61 sent 20 skipped 0 failed 0 --/s throttle 120/min ETA 12s running');
  // The batch at 10 s: 21 left, 10.5 s, from the batch's own numbers (no jump: it was 10.5 s a moment ago).
  const next = at({ throttle: 120, sent: 40 });
  expect(eta(next, t0 + 10_000)).toBeCloseTo(10.5, 5);
  expect(eta(next, t0 + 12_000)).toBeCloseTo(8.5, 5);
  // A late batch: the ETA waits at 0 instead of going negative, and the count stays 40.
  expect(eta(next, t0 + 30_000)).toBe(0);
  expect(progressLine(next, { ...speedOf(next, undefined), eta: eta(next, t0 + 31_000) })).toBe(' 65% 40/61 sent 40 skipped 0 failed 0 --/s throttle 120/min ETA 0s running');
});

test('the countdown stops while paused and starts afresh on resume; a measured ETA counts down too', () => {
  const countdown = new EtaCountdown();
  const t0 = Date.parse('2026-01-01T10:00:00.000Z');
  const running = at({ total: 2000, sent: 1000 });
  const eta = (q: CampaignProgress, measured: number | undefined, now: number) => countdown.eta(q, speedOf(q, measured), now);
  expect(eta(running, 100, t0)).toBeCloseTo(10, 5);
  expect(eta(running, 100, t0 + 3_000)).toBeCloseTo(7, 5);
  expect(eta({ ...running, status: 'paused' }, 100, t0 + 60_000)).toBeUndefined();
  // Resumed a minute later with nothing sent meanwhile: the ETA is the full 10 s again, not 0.
  expect(eta(running, 100, t0 + 120_000)).toBeCloseTo(10, 5);
  // Not known (no rate yet): nothing to count down.
  expect(eta(running, undefined, t0 + 121_000)).toBeUndefined();
});
