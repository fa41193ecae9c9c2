import { describe, expect, it } from 'vitest';
import { mercNoProblem } from '../../domain/merchant-no';

describe('merchant numbers', () => {
  it.each(['ORG1000000000001', 'CHAOS_01-a', 'x'.repeat(32)])('%s is a merchant number', (m) => {
    expect(mercNoProblem(m)).toBeNull();
  });
  it.each([
    ['A:B', 'letters, digits'], ['A B', 'letters, digits'], ['A\u0000', 'letters, digits'], ['', 'letters, digits'],
    ['商户', 'letters, digits'], ['x'.repeat(33), 'at most 32'],
  ])('%j is refused: %s', (m, rule) => {
    expect(mercNoProblem(m)).toContain(rule);
  });
});
