import { summary } from '../../client/campaign/commands';
import { progressView, type CampaignProgress } from '../../domain/campaign/campaign';

/** How a run reads in the CLI's summary and the API's progress: plain counts, no float noise. */

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const progress = (over: Partial<CampaignProgress> = {}): CampaignProgress => ({
  id: 'c',
  name: 'C',
  status: 'completed',
  total: 1,
  sent: 1,
  skipped: 0,
  failed: 0,
  bounced: 0,
  remaining: 0,
  invalidRows: 0,
  startedAt: new Date(T0).toISOString(),
  sendingSince: new Date(T0).toISOString(),
  ...over,
});

test('one recipient is "1 recipient", not "1 recipients"', () => {
  expect(summary(progressView(progress({ finishedAt: new Date(T0 + 60_000).toISOString() }), T0 + 60_000))).toMatch(/^campaign c completed: 1 recipient, 1 sent, /);
  expect(summary(progressView(progress({ total: 2, sent: 2, finishedAt: new Date(T0 + 60_000).toISOString() }), T0 + 60_000))).toMatch(/: 2 recipients, 2 sent, /);
});

test('the average rate is rounded to a hundredth, not shown with float noise', () => {
  // 3 mails in 0.4 s: 449.99999999999994 as divided.
  const view = progressView(progress({ total: 3, sent: 3, finishedAt: new Date(T0 + 400).toISOString() }), T0 + 400);
  expect(view.averagePerMinute).toBe(450);
  const third = progressView(progress({ total: 3, sent: 1, remaining: 2, status: 'running' }), T0 + 180_000);
  expect(third.averagePerMinute).toBe(0.33);
});
