import {
  applyBatch,
  audienceResolved,
  averageSendRate,
  earliestSendTime,
  keepPace,
  newCampaignState,
  parseCampaignDefinition,
  pauseCampaign,
  progressOf,
  progressView,
  resumeCampaign,
  throttledBatchSize,
  type CampaignState,
} from '../../domain/campaign/campaign';

/** The average rate a run's page and `campaign status` show: never above the throttle by how it is measured. */

const T0 = Date.parse('2026-03-01T09:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function resolved(total: number, throttle?: number): CampaignState {
  const definition = parseCampaignDefinition({ id: 'rate', name: 'Rate', template: { subject: 's', text: 't' }, audience: { csv: 'a.csv' }, ...(throttle ? { throttle } : {}) });
  return audienceResolved(newCampaignState(definition, 'campaign-rate', iso(T0)), total, { count: 0, samples: [] }, iso(T0));
}

/**
 * The run as the workflow plays it: wait for the throttle's time, send a batch taking
 * `sendMs` (of which `skipped` per batch are suppressed, no mail), until `until` or the end.
 */
function play(state: CampaignState, opts: { sendMs: number; skipped?: number; from?: number; until?: number }): { state: CampaignState; t: number } {
  const batch = throttledBatchSize(500, state.throttle);
  let t = opts.from ?? T0;
  while (state.cursor < state.total && (opts.until === undefined || t < opts.until)) {
    t = Math.max(t, earliestSendTime(state) ?? t);
    if (opts.until !== undefined && t >= opts.until) break;
    state = keepPace(state, batch, iso(t));
    const count = Math.min(batch, state.total - state.cursor);
    const skipped = Math.min(opts.skipped ?? 0, count);
    state = applyBatch(state, { offset: state.cursor, count, sent: count - skipped, alreadySent: 0, skipped, bounced: 0, failed: 0, exceptions: [] });
    t += opts.sendMs;
  }
  return { state: state.cursor >= state.total ? { ...state, status: 'completed', finishedAt: iso(t) } : state, t };
}

test('a finished run that kept its throttle averages the throttle, not the 121.6/min the time to its last batch gives', () => {
  // 61 recipients at 120/min: batches of 20 at 0, 10, 20 and 30 s, the last done at 30.09 s.
  const { state } = play(resolved(61, 120), { sendMs: 90 });
  const p = progressOf(state);
  expect(p.status).toBe('completed');
  // What the page used to show: everyone done over sendingSince..finishedAt.
  expect(61 / ((Date.parse(p.finishedAt!) - T0) / 60_000)).toBeCloseTo(121.6, 1);
  expect(averageSendRate(p, Date.parse(p.finishedAt!) + 3_600_000)).toBeCloseTo(120, 6);
  // A full last batch (60: batches at 0, 10, 20 s) is no different.
  const full = progressOf(play(resolved(60, 120), { sendMs: 90 }).state);
  expect(averageSendRate(full, T0)).toBeCloseTo(120, 6);
});

test('over many throttles and audience sizes a run on schedule never averages above its throttle', () => {
  for (const throttle of [1, 6, 7, 60, 100, 120, 333, 6000]) {
    for (const total of [1, 2, 19, 20, 21, 59, 61, 1000]) {
      const p = progressOf(play(resolved(total, throttle), { sendMs: 40 }).state);
      expect(averageSendRate(p, 0)!).toBeLessThanOrEqual(throttle * (1 + 1e-9));
    }
  }
});

test('a running throttled run shows its throttle from the first batch on, not the burst', () => {
  const { state, t } = play(resolved(61, 120), { sendMs: 90, until: T0 + 1 });
  expect(state.sent).toBe(20);
  const p = progressOf(state);
  // One second in, 20 mails: 1,200/min measured over that second; the schedule says 120.
  expect(averageSendRate(p, t + 910)).toBeCloseTo(120, 6);
  // Between batches, the rate does not sag either (the next 20 are not due before 10 s).
  expect(averageSendRate(p, T0 + 9_000)).toBeCloseTo(120, 6);
});

test('a run slower than its throttle (a slow relay) shows what it managed', () => {
  // Each batch of 20 takes 30 s: 61 recipients in 0..30, 30..60, 60..90, 90..120 s.
  const p = progressOf(play(resolved(61, 120), { sendMs: 30_000 }).state);
  expect(averageSendRate(p, 0)).toBeCloseTo(61 / 2, 6);
});

test('an unthrottled run: sent over the time from the start of sending to its end; skipped recipients are no mail', () => {
  const p = progressOf(play(resolved(2000), { sendMs: 5_000 }).state); // 4 batches of 500, 20 s
  expect(averageSendRate(p, 0)).toBeCloseTo(6000, 6);
  const skipping = progressOf(play(resolved(61, 120), { sendMs: 90, skipped: 5 }).state);
  expect(skipping.sent).toBe(61 - 16); // 5 of each batch of 20, the last batch's one
  expect(averageSendRate(skipping, 0)).toBeCloseTo((45 / 61) * 120, 6);
});

test('nothing sent, or no time passed: no rate rather than a guess', () => {
  const start = progressOf(resolved(61));
  expect(averageSendRate(start, T0 + 5_000)).toBeUndefined();
  expect(averageSendRate({ ...start, sent: 3, remaining: 58 }, T0)).toBeUndefined();
  expect(averageSendRate({ ...start, sendingSince: undefined, sent: 3 }, T0 + 1_000)).toBeUndefined();
});

test('a run that really went faster shows it: a quick pause and resume sets the pace afresh', () => {
  // 60 at 120/min: 20 at 0 s; paused and resumed at 1 s, which lets the next 20 go at once.
  let { state } = play(resolved(60, 120), { sendMs: 90, until: T0 + 1 });
  state = pauseCampaign(state, { by: 't' }, iso(T0 + 500));
  state = resumeCampaign(state, { by: 't' }, iso(T0 + 1_000));
  const end = play(state, { sendMs: 90, from: T0 + 1_000 }).state;
  // 20 at 1 s, 20 at 11 s: the schedule of the current pace ends at 1 + 40/2 = 21 s.
  expect(averageSendRate(progressOf(end), 0)).toBeCloseTo(60 / (21 / 60), 6);
  expect(averageSendRate(progressOf(end), 0)!).toBeGreaterThan(120);
});

test('a progress without the pace (an older worker) counts from when sending began: never above the throttle', () => {
  const p = progressOf(play(resolved(61, 120), { sendMs: 90 }).state);
  const { pace: _pace, ...older } = p;
  expect(averageSendRate(older, 0)).toBeCloseTo(120, 6);
});

test("the API's view carries the average and when it was read", () => {
  const p = progressOf(play(resolved(61, 120), { sendMs: 90 }).state);
  const view = progressView(p, T0 + 60_000);
  expect(view.averagePerMinute).toBeCloseTo(120, 6);
  expect(view.asOf).toBe(iso(T0 + 60_000));
  expect(progressView(progressOf(resolved(5)), T0).averagePerMinute).toBeUndefined();
});
