import { codeGeneration } from '../../workflows/shared/generations';

describe('codeGeneration', () => {
  test('a start from before generations is generation 0; a known one is itself', () => {
    expect(codeGeneration(undefined, 6, 'prospect')).toBe(0);
    expect(codeGeneration(6, 6, 'prospect')).toBe(6);
    expect(codeGeneration(2, 6, 'prospect')).toBe(2);
  });

  test('a generation newer than the code refuses the task and says to upgrade the worker', () => {
    expect(() => codeGeneration(7, 6, 'prospect')).toThrow('this prospect was started for code generation 7, but this worker\'s code knows generations up to 6: upgrade the worker');
  });

  test('a malformed generation is refused by name', () => {
    expect(() => codeGeneration('6', 6, 'customer')).toThrow('the customer workflow\'s input has an invalid generation "6"');
    expect(() => codeGeneration(-1, 6, 'customer')).toThrow('invalid generation -1');
    expect(() => codeGeneration(1.5, 6, 'customer')).toThrow('invalid generation 1.5');
  });
});
