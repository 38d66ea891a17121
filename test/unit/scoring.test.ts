import { factAt, holds, scoreQualification, type Condition, type Facts, type KnockoutRule, type ScoringRule } from '../../domain/process/rules';
import { SALES_DEF } from './fixtures3';

const FACTS: Facts = {
  answers: { budget: 10_000, authority: 'CFO', timeline: 'Q3', need: '' },
  fields: { territory: 'North', size: 50, vip: true, zero: 0, no: false, empty: null },
  source: 'Referral',
  company: 'Acme Widgets GmbH',
  email: 'ada@acme.example',
};

const when = (condition: Condition) => holds(condition, FACTS);

describe('factAt', () => {
  it('reads nested paths and gives undefined for missing ones', () => {
    expect(factAt(FACTS, 'answers.budget')).toBe(10_000);
    expect(factAt(FACTS, 'source')).toBe('Referral');
    expect(factAt(FACTS, 'fields.territory')).toBe('North');
    expect(factAt(FACTS, 'fields.nothing')).toBeUndefined();
    expect(factAt(FACTS, 'source.length')).toBeUndefined(); // a string is not an object of facts
    expect(factAt(FACTS, 'fields.empty.deeper')).toBeUndefined();
  });
});

describe('conditions', () => {
  it('eq compares strings case-insensitively, other values strictly', () => {
    expect(when({ field: 'fields.territory', op: 'eq', value: 'north' })).toBe(true);
    expect(when({ field: 'fields.territory', op: 'eq', value: 'NORTH' })).toBe(true);
    expect(when({ field: 'fields.territory', op: 'eq', value: 'south' })).toBe(false);
    expect(when({ field: 'fields.size', op: 'eq', value: 50 })).toBe(true);
    expect(when({ field: 'fields.size', op: 'eq', value: '50' })).toBe(false);
    expect(when({ field: 'fields.vip', op: 'eq', value: true })).toBe(true);
    expect(when({ field: 'fields.vip', op: 'eq', value: 'true' })).toBe(false);
    expect(when({ field: 'fields.missing', op: 'eq', value: 'x' })).toBe(false);
  });

  it('ne is the negation of eq, also for missing facts', () => {
    expect(when({ field: 'fields.territory', op: 'ne', value: 'NORTH' })).toBe(false);
    expect(when({ field: 'fields.territory', op: 'ne', value: 'south' })).toBe(true);
    expect(when({ field: 'fields.missing', op: 'ne', value: 'south' })).toBe(true);
  });

  it('gt, gte, lt, lte compare numbers at their boundaries', () => {
    const budget = (op: 'gt' | 'gte' | 'lt' | 'lte', value: number) => when({ field: 'answers.budget', op, value });
    expect([budget('gt', 9_999), budget('gt', 10_000)]).toEqual([true, false]);
    expect([budget('gte', 10_000), budget('gte', 10_001)]).toEqual([true, false]);
    expect([budget('lt', 10_001), budget('lt', 10_000)]).toEqual([true, false]);
    expect([budget('lte', 10_000), budget('lte', 9_999)]).toEqual([true, false]);
  });

  it('number comparisons never hold for missing or non-number facts', () => {
    for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
      expect(when({ field: 'answers.missing', op, value: 0 })).toBe(false);
      expect(when({ field: 'answers.authority', op, value: 0 })).toBe(false);
    }
    expect(holds({ field: 'answers.budget', op: 'gte', value: 5 }, { answers: { budget: '10' } })).toBe(false);
  });

  it('in holds when any listed value is eq', () => {
    expect(when({ field: 'answers.timeline', op: 'in', value: ['Q1', 'Q3'] })).toBe(true);
    expect(when({ field: 'answers.timeline', op: 'in', value: ['q3'] })).toBe(true);
    expect(when({ field: 'answers.timeline', op: 'in', value: ['Q1', 'Q2'] })).toBe(false);
    expect(when({ field: 'fields.size', op: 'in', value: [10, 50] })).toBe(true);
    expect(when({ field: 'fields.missing', op: 'in', value: ['x'] })).toBe(false);
  });

  it('contains finds a substring case-insensitively in strings only', () => {
    expect(when({ field: 'company', op: 'contains', value: 'widgets' })).toBe(true);
    expect(when({ field: 'email', op: 'contains', value: '@ACME.' })).toBe(true);
    expect(when({ field: 'company', op: 'contains', value: 'ltd' })).toBe(false);
    expect(when({ field: 'fields.size', op: 'contains', value: '5' })).toBe(false);
    expect(when({ field: 'fields.missing', op: 'contains', value: 'a' })).toBe(false);
  });

  it('exists holds for any value but undefined, null and the empty string', () => {
    expect(when({ field: 'answers.authority', op: 'exists' })).toBe(true);
    expect(when({ field: 'fields.zero', op: 'exists' })).toBe(true);
    expect(when({ field: 'fields.no', op: 'exists' })).toBe(true);
    expect(when({ field: 'fields.empty', op: 'exists' })).toBe(false);
    expect(when({ field: 'answers.need', op: 'exists' })).toBe(false);
    expect(when({ field: 'answers.missing', op: 'exists' })).toBe(false);
  });
});

const r = (name: string, weight: number, condition: Condition): ScoringRule => ({ ...condition, name, weight });

describe('scoreQualification', () => {
  const rules: ScoringRule[] = [
    r('big budget', 40, { field: 'answers.budget', op: 'gte', value: 10_000 }),
    r('authority', 20, { field: 'answers.authority', op: 'exists' }),
    r('this year', 20, { field: 'answers.timeline', op: 'in', value: ['Q1', 'Q2'] }),
    r('competitor', -15, { field: 'company', op: 'contains', value: 'widgets' }),
    r('referral', 10, { field: 'source', op: 'eq', value: 'referral' }),
  ];

  it('sums the weights of matched rules only, and reports every rule in order', () => {
    const score = scoreQualification({ threshold: 50, rules, knockouts: [] }, FACTS);
    expect(score.contributions).toEqual([
      { rule: 'big budget', matched: true, points: 40 },
      { rule: 'authority', matched: true, points: 20 },
      { rule: 'this year', matched: false, points: 0 },
      { rule: 'competitor', matched: true, points: -15 },
      { rule: 'referral', matched: true, points: 10 },
    ]);
    expect(score.score).toBe(55);
    expect(score.threshold).toBe(50);
    expect(score.outcome).toBe('qualified');
    expect(score.knockout).toBeUndefined();
  });

  it('qualifies at exactly the threshold and not one point below', () => {
    expect(scoreQualification({ threshold: 55, rules, knockouts: [] }, FACTS)).toMatchObject({ score: 55, outcome: 'qualified' });
    expect(scoreQualification({ threshold: 56, rules, knockouts: [] }, FACTS)).toMatchObject({ score: 55, outcome: 'disqualified' });
  });

  it('scores nothing when no rule matches', () => {
    const score = scoreQualification({ threshold: 1, rules, knockouts: [] }, { answers: {} });
    expect(score.score).toBe(0);
    expect(score.contributions.every((c) => !c.matched && c.points === 0)).toBe(true);
    expect(score.outcome).toBe('disqualified');
    // With no rules at all and a threshold of 0, every lead qualifies.
    expect(scoreQualification({ threshold: 0, rules: [], knockouts: [] }, {})).toEqual({
      score: 0,
      threshold: 0,
      contributions: [],
      knockout: undefined,
      outcome: 'qualified',
    });
  });

  it('a knock-out disqualifies regardless of the score, naming the first that holds', () => {
    const knockouts: KnockoutRule[] = [
      { name: 'no budget', field: 'answers.budget', op: 'lt', value: 100, reason: 'too small' },
      { name: 'student', field: 'fields.segment', op: 'eq', value: 'student', reason: 'students are not a target segment' },
      { name: 'north', field: 'fields.territory', op: 'eq', value: 'north', reason: 'we left the north' },
      { name: 'vip', field: 'fields.vip', op: 'eq', value: true, reason: 'handled by key accounts' },
    ];
    const score = scoreQualification({ threshold: -1000, rules, knockouts }, FACTS);
    expect(score.score).toBe(55); // still scored and shown
    expect(score.contributions).toHaveLength(5);
    expect(score.knockout).toEqual({ rule: 'north', reason: 'we left the north' });
    expect(score.outcome).toBe('disqualified');
    // Knock-outs that do not hold change nothing.
    expect(scoreQualification({ threshold: 50, rules, knockouts: knockouts.slice(0, 2) }, FACTS)).toMatchObject({ outcome: 'qualified', knockout: undefined });
  });

  it('scores the example criteria of the sales process', () => {
    const criteria = SALES_DEF.qualification!;
    const facts = { answers: { budget: 12_000, authority: 'CEO' }, fields: {}, source: 'web' };
    expect(scoreQualification(criteria, facts)).toMatchObject({ score: 60, outcome: 'qualified' });
    expect(scoreQualification(criteria, { ...facts, fields: { segment: 'Student' } })).toMatchObject({
      score: 60,
      outcome: 'disqualified',
      knockout: { rule: 'student', reason: 'students are not a target segment' },
    });
    expect(scoreQualification(criteria, { answers: { budget: 9_999, timeline: 'now' }, source: 'REFERRAL' })).toMatchObject({
      score: 30,
      outcome: 'disqualified',
    });
  });
});
