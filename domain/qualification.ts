import { z } from 'zod';

/**
 * BANT-style answers a rep records while qualifying. Every answer is optional so a rep can
 * record what they learn call by call; the outcome is a separate decision.
 */
export const QualificationAnswersSchema = z.object({
  budget: z.number().nonnegative('must not be negative').optional(),
  need: z.string().trim().min(1).max(1000).optional(),
  authority: z.string().trim().min(1).max(200).optional(),
  timeline: z.string().trim().min(1).max(200).optional(),
});
export type QualificationAnswers = z.infer<typeof QualificationAnswersSchema>;

export const QualificationOutcomeSchema = z.enum(['qualified', 'disqualified']);
export type QualificationOutcome = z.infer<typeof QualificationOutcomeSchema>;

export interface QualificationRecord {
  /** The rules' verdict when the process scored the answers. */
  score?: import('./rules').QualificationScore;
  answers: QualificationAnswers;
  outcome?: QualificationOutcome;
  reason?: string;
  decidedAt?: string;
  decidedBy?: string;
  updatedAt: string;
}
