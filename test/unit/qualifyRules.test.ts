import { qualificationFacts, qualify, runCommand } from '../../domain/pipeline/lifecycle';
import type { ProspectState } from '../../domain/pipeline/prospect';
import { at, DAY, FRIDAY, HOUR, lead, refusal, SALES, salesV } from './fixtures3';

const QUALIFIED_AT = at(HOUR); // Monday 10:00
const STRONG = { budget: 12_000, authority: 'CEO' }; // 40 + 20, plus 10 for the referral source

function decide(state: ProspectState, answers: Record<string, unknown>, now = QUALIFIED_AT): ProspectState {
  return qualify(state, { answers, decide: true, by: 'alice' }, now);
}

describe('qualify with decide: the rules decide', () => {
  it('records the score, each contribution and the outcome', () => {
    const state = decide(lead(), STRONG);
    expect(state.qualification).toEqual({
      answers: STRONG,
      outcome: 'qualified',
      reason: undefined,
      score: {
        score: 70,
        threshold: 50,
        contributions: [
          { rule: 'budget over 10k', matched: true, points: 40 },
          { rule: 'decision maker known', matched: true, points: 20 },
          { rule: 'buying this year', matched: false, points: 0 },
          { rule: 'referral', matched: true, points: 10 },
        ],
        knockout: undefined,
        outcome: 'qualified',
      },
      decidedAt: QUALIFIED_AT,
      decidedBy: 'alice',
      updatedAt: QUALIFIED_AT,
    });
    expect(state.stage).toBe('qualification');
    expect(state.changes.slice(-2)).toEqual([
      { at: QUALIFIED_AT, by: 'alice', what: 'qualified (score 70/50)' },
      { at: QUALIFIED_AT, by: 'system', what: 'task P1-T2 for alice: First call with Ada Buyer (Acme) (due 2026-03-03T10:00:00.000Z)' },
    ]);
  });

  it('a qualified lead gets the first call task at once, due by the template offset', () => {
    const before = lead();
    expect(before.tasks.map((t) => t.title)).toEqual(['Introduce us to Ada Buyer']);
    const state = decide(before, STRONG);
    const call = state.tasks[state.tasks.length - 1]!;
    expect(state.tasks).toHaveLength(2);
    expect(call).toEqual({
      id: 'P1-T2',
      kind: 'call',
      title: 'First call with Ada Buyer (Acme)',
      rep: 'alice',
      dueAt: at(DAY + HOUR), // 1bd: Tuesday, same time
      escalateAt: at(DAY + 5 * HOUR), // escalateAfter 4h
      state: 'open',
      createdAt: QUALIFIED_AT,
    });
    // ...and the rep is mailed about it.
    expect(state.outbox[state.outbox.length - 1]).toMatchObject({
      messageId: '<prospect-P1.task-P1-T2@salesflow.invalid>',
      to: 'alice@example.com',
      subject: 'New task: First call with Ada Buyer (Acme)',
    });
  });

  it('a lead qualified on a Friday gets its first call due on Monday', () => {
    const state = decide(lead({}, SALES, at(-DAY, FRIDAY)), STRONG, FRIDAY);
    expect(state.tasks[state.tasks.length - 1]!.dueAt).toBe('2026-03-09T16:30:00.000Z');
  });

  it('disqualifies by score with the reason "score X below threshold Y" and closes the prospect', () => {
    const state = decide(lead(), { budget: 500 });
    expect(state.qualification).toMatchObject({ outcome: 'disqualified', reason: 'score 10 below threshold 50', decidedAt: QUALIFIED_AT });
    expect(state.qualification?.score?.contributions.map((c) => c.points)).toEqual([0, 0, 0, 10]);
    expect(state.stage).toBe('lost');
    expect(state.lostReason).toBe('disqualified: score 10 below threshold 50');
    expect(state.closedAt).toBe(QUALIFIED_AT);
    // No first call; the open intro task is cancelled.
    expect(state.tasks.map((t) => [t.id, t.state])).toEqual([['P1-T1', 'cancelled']]);
    expect(state.changes[state.changes.length - 1]!.what).toBe('disqualified: score 10 below threshold 50');
  });

  it('a knock-out disqualifies whatever the score, naming the knock-out', () => {
    const state = decide(lead({ fields: { territory: 'north', segment: 'student' } }), { ...STRONG, timeline: 'Q1' });
    expect(state.qualification?.score?.score).toBe(90);
    expect(state.qualification).toMatchObject({ outcome: 'disqualified', reason: 'knock-out student: students are not a target segment' });
    expect(state.stage).toBe('lost');
    expect(state.lostReason).toBe('disqualified: knock-out student: students are not a target segment');
    expect(state.tasks.some((t) => t.title.startsWith('First call'))).toBe(false);
  });

  it('scores answers recorded earlier together with the new ones', () => {
    const recorded = qualify(lead(), { answers: { budget: 12_000 }, by: 'alice' }, at(30 * 60_000));
    expect(recorded.qualification).toMatchObject({ outcome: undefined, decidedAt: undefined, score: { score: 50, outcome: 'qualified' } });
    expect(recorded.stage).toBe('qualification');
    expect(recorded.tasks).toHaveLength(1); // recording answers creates no first call
    expect(recorded.changes[recorded.changes.length - 1]!.what).toBe('recorded qualification answers (score 50/50)');

    const decided = decide(recorded, { timeline: 'now' });
    expect(decided.qualification?.answers).toEqual({ budget: 12_000, timeline: 'now' });
    expect(decided.qualification).toMatchObject({ outcome: 'qualified', score: { score: 70 } });
  });

  it('facts for the rules include the prospect fields, source, company and email', () => {
    expect(qualificationFacts(lead(), { budget: 1 })).toEqual({
      answers: { budget: 1 },
      fields: { territory: 'north' },
      source: 'referral',
      company: 'Acme',
      email: 'ada@acme.example',
    });
  });

  it('an explicit outcome still wins over the score, which is recorded all the same', () => {
    const state = qualify(lead(), { answers: { budget: 1 }, outcome: 'qualified', by: 'mia' }, QUALIFIED_AT);
    expect(state.qualification).toMatchObject({ outcome: 'qualified', decidedBy: 'mia', score: { score: 10, outcome: 'disqualified' } });
    expect(state.tasks[state.tasks.length - 1]!.title).toBe('First call with Ada Buyer (Acme)');
  });

  it('runCommand qualifies and adds the first call once', () => {
    const state = runCommand('qualify', lead(), { answers: STRONG, decide: true, by: 'alice' }, QUALIFIED_AT);
    expect(state.tasks.filter((t) => t.title.startsWith('First call'))).toHaveLength(1);
  });
});

describe('qualify with decide: refusals', () => {
  it('refuses decide when the process has no qualification rules', () => {
    const state = lead({}, salesV(1, { qualification: undefined }));
    expect(refusal(() => decide(state, STRONG), state)).toBe('process "sales" has no qualification rules; give --outcome instead');
  });

  it('refuses decide together with an outcome', () => {
    const state = lead();
    expect(refusal(() => qualify(state, { answers: STRONG, decide: true, outcome: 'qualified', by: 'alice' }, QUALIFIED_AT), state)).toBe(
      'invalid qualification: decide: give either an outcome or decide, not both',
    );
  });

  it('refuses a lead that is already qualified', () => {
    const state = decide(lead(), STRONG);
    expect(refusal(() => decide(state, STRONG, at(2 * HOUR)), state)).toBe('cannot qualify: the prospect is already qualified');
  });

  it('refuses a disqualified (lost) lead', () => {
    const state = decide(lead(), { budget: 1 });
    expect(refusal(() => decide(state, STRONG, at(2 * HOUR)), state)).toBe('cannot qualify in stage lost (allowed in: contact, qualification)');
  });
});
