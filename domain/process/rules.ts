import { z } from 'zod';
import { singleLineText } from '../shared/text';
import { shareable } from '../shared/shareable';

/**
 * Conditions over a prospect's facts, written by sales ops in process files. Facts are
 * addressed by path: `answers.budget`, `fields.territory`, `source`, `company`.
 */
export const FACT_ROOTS = ['answers', 'fields', 'source', 'company', 'email'] as const;

/** The qualification answers a rep records (domain/pipeline/qualification.ts). */
export const ANSWER_KEYS = ['budget', 'need', 'authority', 'timeline'] as const;

export const FactPathSchema = shareable(z
  .string()
  .refine((p) => FACT_ROOTS.some((root) => p === root || p.startsWith(`${root}.`)), {
    message: `must start with one of ${FACT_ROOTS.join(', ')} (e.g. answers.budget, fields.territory)`,
  })
  // A misspelt answer would make a rule that silently never matches.
  .refine((p) => !p.startsWith('answers.') || (ANSWER_KEYS as readonly string[]).includes(p.slice('answers.'.length)), {
    message: `answers are ${ANSWER_KEYS.map((k) => `answers.${k}`).join(', ')}`,
  }));

const Scalar = z.union([z.string(), z.number(), z.boolean()]);
export type Scalar = z.infer<typeof Scalar>;

export const ConditionSchema = shareable(z.discriminatedUnion('op', [
  z.object({ field: FactPathSchema, op: z.enum(['eq', 'ne']), value: Scalar }),
  z.object({ field: FactPathSchema, op: z.enum(['gt', 'gte', 'lt', 'lte']), value: z.number() }),
  z.object({ field: FactPathSchema, op: z.literal('in'), value: z.array(Scalar).min(1, 'must list at least one value') }),
  z.object({ field: FactPathSchema, op: z.literal('contains'), value: z.string().min(1) }),
  z.object({ field: FactPathSchema, op: z.literal('exists') }),
]));
export type Condition = z.infer<typeof ConditionSchema>;

/** `lenient`: the rules before clean text (see domain/shared/inputRules.ts). */
export function scoringRuleSchema(lenient = false) {
  return ConditionSchema.and(
    z.object({
      name: singleLineText(100, lenient).min(1),
      /** Points added to the score when the condition holds. */
      weight: z.number().min(-1000).max(1000),
    }),
  );
}
export const ScoringRuleSchema = shareable(scoringRuleSchema());
export type ScoringRule = z.infer<typeof ScoringRuleSchema>;

export function knockoutRuleSchema(lenient = false) {
  return ConditionSchema.and(z.object({ name: singleLineText(100, lenient).min(1), reason: singleLineText(500, lenient).min(1) }));
}
export const KnockoutRuleSchema = shareable(knockoutRuleSchema());
export type KnockoutRule = z.infer<typeof KnockoutRuleSchema>;

export type Facts = Record<string, unknown>;

export function factAt(facts: Facts, path: string): unknown {
  let current: unknown = facts;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

export function holds(condition: Condition, facts: Facts): boolean {
  const actual = factAt(facts, condition.field);
  switch (condition.op) {
    case 'exists':
      return actual !== undefined && actual !== null && actual !== '';
    case 'eq':
      return actual === condition.value || (typeof actual === 'string' && typeof condition.value === 'string' && actual.toLowerCase() === condition.value.toLowerCase());
    case 'ne':
      return !holds({ ...condition, op: 'eq' }, facts);
    case 'gt':
      return typeof actual === 'number' && actual > condition.value;
    case 'gte':
      return typeof actual === 'number' && actual >= condition.value;
    case 'lt':
      return typeof actual === 'number' && actual < condition.value;
    case 'lte':
      return typeof actual === 'number' && actual <= condition.value;
    case 'in':
      return condition.value.some((v) => holds({ field: condition.field, op: 'eq', value: v }, facts));
    case 'contains':
      return typeof actual === 'string' && actual.toLowerCase().includes(condition.value.toLowerCase());
  }
}

export interface RuleContribution {
  rule: string;
  matched: boolean;
  points: number;
}

export interface QualificationScore {
  score: number;
  threshold: number;
  contributions: RuleContribution[];
  /** The first knock-out rule that holds, if any. */
  knockout?: { rule: string; reason: string };
  outcome: 'qualified' | 'disqualified';
}

/** Scores facts by the marketing criteria: knock-outs first, then weights against the threshold. */
export function scoreQualification(
  criteria: { threshold: number; rules: readonly ScoringRule[]; knockouts: readonly KnockoutRule[] },
  facts: Facts,
): QualificationScore {
  const contributions = criteria.rules.map((rule) => {
    const matched = holds(rule, facts);
    return { rule: rule.name, matched, points: matched ? rule.weight : 0 };
  });
  const score = contributions.reduce((sum, c) => sum + c.points, 0);
  const ko = criteria.knockouts.find((rule) => holds(rule, facts));
  const knockout = ko ? { rule: ko.name, reason: ko.reason } : undefined;
  const outcome = !knockout && score >= criteria.threshold ? 'qualified' : 'disqualified';
  return { score, threshold: criteria.threshold, contributions, knockout, outcome };
}
