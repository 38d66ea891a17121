import {
  applyBatch,
  audienceResolved,
  earliestSendTime,
  keepPace,
  newCampaignState,
  parseCampaignDefinition,
  throttledBatchSize,
  type CampaignState,
} from '../../domain/campaign/campaign';

const T0 = Date.parse('2026-03-01T09:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function running(total: number, throttle: number): CampaignState {
  const definition = parseCampaignDefinition({ id: 'pace', name: 'Pace', template: { subject: 's', text: 't' }, audience: { csv: 'a.csv' }, throttle });
  return audienceResolved(newCampaignState(definition, 'campaign-pace', iso(T0)), total, { count: 0, samples: [] }, iso(T0));
}

/**
 * Plays a run the way the workflow does: wait for the throttle's time, apply the pacing rule,
 * send a batch (taking `sendMs`). While the worker is down nothing happens; a timer that came
 * due in the outage fires when it ends.
 */
function simulate(opts: { total: number; throttle: number; outage?: [number, number]; lateMs?: number; sendMs?: number; rule?: boolean }): number[] {
  const batch = throttledBatchSize(500, opts.throttle);
  let state = running(opts.total, opts.throttle);
  let t = T0;
  const sends: number[] = [];
  while (state.cursor < state.total) {
    t = Math.max(t, (earliestSendTime(state) ?? t) + (opts.lateMs ?? 0));
    if (opts.outage && t >= opts.outage[0] && t < opts.outage[1]) t = opts.outage[1];
    if (opts.rule !== false) state = keepPace(state, batch, iso(t));
    const count = Math.min(batch, state.total - state.cursor);
    for (let k = 0; k < count; k++) sends.push(t);
    state = applyBatch(state, { offset: state.cursor, count, sent: count, alreadySent: 0, skipped: 0, bounced: 0, failed: 0, exceptions: [] });
    t += opts.sendMs ?? 200;
  }
  return sends;
}

/** The most mails in any window of `ms` that starts at or after `from`. */
function busiestWindow(sends: number[], ms: number, from = -Infinity): number {
  return Math.max(0, ...sends.filter((s) => s >= from).map((s) => sends.filter((x) => x >= s && x < s + ms).length));
}

test('after a 90 s outage a run at 120/min sends at most throttle/6 + one batch in any 10 s, from the moment it resumes', () => {
  const outage: [number, number] = [T0 + 35_000, T0 + 125_000];
  const sends = simulate({ total: 300, throttle: 120, outage });
  expect(busiestWindow(sends, 10_000, outage[1])).toBeLessThanOrEqual(120 / 6 + 20);
  // It does resume at once, and then keeps the throttle: 20 every 10 s.
  expect(sends.filter((s) => s >= outage[1])[0]).toBe(outage[1]);
  expect(busiestWindow(sends, 60_000, outage[1])).toBeLessThanOrEqual(120 + 20);
  // The schedule alone (recipient k at k/throttle minutes) would send the backlog at once.
  expect(busiestWindow(simulate({ total: 300, throttle: 120, outage, rule: false }), 10_000, outage[1])).toBeGreaterThan(120);
});

test('timer jitter under one batch interval is caught up: the pace does not drift', () => {
  const sends = simulate({ total: 200, throttle: 120, lateMs: 50 });
  // 10 batches of 20 at 10 s each: the last goes 90 s in (plus one jitter), not 90 s + 10 × 50 ms.
  expect(sends.at(-1)! - T0).toBe(90_050);
});

test('keepPace sets the pace from now only when a batch is more than one interval late', () => {
  const state = applyBatch(running(100, 60), { offset: 0, count: 10, sent: 10, alreadySent: 0, skipped: 0, bounced: 0, failed: 0, exceptions: [] });
  // 10 sent at 60/min: the next is due 10 s in; a batch interval is 10 s.
  expect(earliestSendTime(state)).toBe(T0 + 10_000);
  expect(keepPace(state, 10, iso(T0 + 20_000))).toBe(state);
  const later = keepPace(state, 10, iso(T0 + 20_001));
  expect(later.pace).toEqual({ since: iso(T0 + 20_001), cursor: 10 });
  expect(earliestSendTime(later)).toBe(T0 + 20_001);
  expect(keepPace({ ...state, throttle: undefined }, 10, iso(T0 + 99_000)).pace).toEqual(state.pace);
});
