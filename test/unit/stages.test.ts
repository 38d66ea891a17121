import { canMove, isClosed, STAGES, TRANSITIONS } from '../../domain/pipeline/stages';

describe('stages', () => {
  it('moves forward one step at a time, and to lost from any open stage', () => {
    expect(canMove('contact', 'qualification')).toBe(true);
    expect(canMove('qualification', 'inquiry')).toBe(true);
    expect(canMove('inquiry', 'quotation')).toBe(true);
    expect(canMove('quotation', 'won')).toBe(true);
    for (const stage of ['contact', 'qualification', 'inquiry', 'quotation'] as const) {
      expect(canMove(stage, 'lost')).toBe(true);
    }
  });

  it('never skips a stage nor moves back', () => {
    expect(canMove('contact', 'inquiry')).toBe(false);
    expect(canMove('contact', 'won')).toBe(false);
    expect(canMove('inquiry', 'won')).toBe(false);
    expect(canMove('quotation', 'inquiry')).toBe(false);
    expect(canMove('lost', 'contact')).toBe(false);
  });

  it('won and lost close the sale and lead nowhere', () => {
    expect(STAGES.filter(isClosed)).toEqual(['won', 'lost']);
    expect(TRANSITIONS.won).toEqual([]);
    expect(TRANSITIONS.lost).toEqual([]);
  });
});
