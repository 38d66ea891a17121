import { averageRate, progressLine } from '../../client/progressBar';
import type { CampaignProgress } from '../../domain/campaign';

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
  throttle: 120,
};

test('a throttled run in bursts shows its average rate and an ETA that holds', () => {
  // 20 mails in the first 10 s at 120/min: 2/s, 41 left, about 20 s to go.
  const rate = averageRate(base, Date.parse('2026-01-01T10:00:10.000Z'));
  expect(rate).toBeCloseTo(2, 5);
  expect(progressLine(base, rate)).toBe(' 32% 20/61 sent 20 skipped 0 failed 0 2.0/s ETA 21s running');
});

test('a finished run is measured to its end, not to now', () => {
  const finished = { ...base, status: 'completed' as const, sent: 61, remaining: 0, finishedAt: '2026-01-01T10:00:30.500Z' };
  expect(averageRate(finished, Date.parse('2026-01-02T00:00:00.000Z'))).toBeCloseTo(2, 5);
});

test('no rate before anything was sent', () => {
  expect(progressLine({ ...base, sent: 0, remaining: 61 }, averageRate({ ...base, sent: 0 }, Date.parse(base.startedAt)))).toContain('-/s');
});
