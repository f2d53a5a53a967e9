import { describe, expect, it } from 'vitest';
import { largestUniformWithin } from './size-budget';

describe('largestUniformWithin', () => {
  it('is the largest uniform setting that fits, the least loss among equal sizes', () => {
    const u = [
      { label: '2-bit', bytes: 50, loss: 9 },
      { label: '3-bit', bytes: 80, loss: 3 },
      { label: '4-bit', bytes: 80, loss: 1 },
      { label: '8-bit', bytes: 150, loss: 0.1 },
    ];
    expect(largestUniformWithin(u, 100)?.label).toBe('4-bit');
    expect(largestUniformWithin(u, 60)?.label).toBe('2-bit');
    expect(largestUniformWithin(u, 40)).toBeUndefined();
  });
});
