/**
 * The pipeline a prospect moves through. `won` and `lost` close the sale; the prospect's
 * workflow stays open after them so post-sales care (contacts, campaigns) can go on.
 */
export const STAGES = ['contact', 'qualification', 'inquiry', 'quotation', 'won', 'lost'] as const;
export type Stage = (typeof STAGES)[number];

/** The moves the lifecycle allows; every command checks against this table. */
export const TRANSITIONS: Readonly<Record<Stage, readonly Stage[]>> = {
  contact: ['qualification', 'lost'],
  qualification: ['inquiry', 'lost'],
  inquiry: ['quotation', 'lost'],
  quotation: ['won', 'lost'],
  won: [],
  lost: [],
};

export function canMove(from: Stage, to: Stage): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isClosed(stage: Stage): boolean {
  return stage === 'won' || stage === 'lost';
}

/** The stages of a sale still being made. */
export const OPEN_STAGES: readonly Stage[] = STAGES.filter((s) => !isClosed(s));
