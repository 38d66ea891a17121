import { z } from 'zod';
import { multiLineText, singleLineText } from '../shared/text';
import { shareable } from '../shared/shareable';

/**
 * BANT-style answers a rep records while qualifying. Every answer is optional so a rep can
 * record what they learn call by call; the outcome is a separate decision.
 */
export function qualificationAnswersSchema(lenient = false) {
  return z.object({
    budget: z.number().nonnegative('must not be negative').optional(),
    need: multiLineText(1000, lenient).min(1).optional(),
    authority: singleLineText(200, lenient).min(1).optional(),
    timeline: singleLineText(200, lenient).min(1).optional(),
  });
}
export const QualificationAnswersSchema = shareable(qualificationAnswersSchema());
export type QualificationAnswers = z.infer<typeof QualificationAnswersSchema>;

export const QualificationOutcomeSchema = shareable(z.enum(['qualified', 'disqualified']));
export type QualificationOutcome = z.infer<typeof QualificationOutcomeSchema>;

export interface QualificationRecord {
  /** The rules' verdict when the process scored the answers. */
  score?: import('../process/rules').QualificationScore;
  answers: QualificationAnswers;
  outcome?: QualificationOutcome;
  reason?: string;
  decidedAt?: string;
  decidedBy?: string;
  updatedAt: string;
}
