import { RateMeter, progressLine, speedOf } from '../../client/campaign/progressBar';
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
