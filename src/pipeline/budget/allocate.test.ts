// The budget allocator against brute force on small instances (exact at unit 1, always within
// budget when rounded), a hand-worked case, and the cases with no answer.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../kernels/quant/rtn-compare';
import { allocateBudget, type BudgetOption } from './allocate';

function bruteForce(tensors: BudgetOption[][], budget: number): number {
  let best = Infinity;
  const walk = (t: number, bytes: number, loss: number) => {
    if (bytes > budget) return;
    if (t === tensors.length) {
      best = Math.min(best, loss);
      return;
    }
    for (const o of tensors[t]) walk(t + 1, bytes + o.bytes, loss + o.loss);
  };
  walk(0, 0, 0);
  return best;
}

describe('allocateBudget', () => {
  it('a hand-worked case: the bytes go where they lower the loss most', () => {
    // Tensor a gains 90 from its upgrade (+10 bytes), b gains 5 (+10 bytes); room for one upgrade.
    const a = [{ bytes: 10, loss: 100 }, { bytes: 20, loss: 10 }];
    const b = [{ bytes: 10, loss: 10 }, { bytes: 20, loss: 5 }];
    expect(allocateBudget([a, b], 30, 1 << 20)).toEqual({ choice: [1, 0], bytes: 30, loss: 20 });
    expect(allocateBudget([a, b], 40, 1 << 20)).toEqual({ choice: [1, 1], bytes: 40, loss: 15 });
    expect(allocateBudget([a, b], 29, 1 << 20)).toEqual({ choice: [0, 0], bytes: 20, loss: 110 });
  });

  it('equals brute force at unit 1 and stays within budget with coarse units', () => {
    const rnd = seededRandom(42);
    for (let trial = 0; trial < 200; trial++) {
      const tensors = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () =>
        Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => ({ bytes: 1 + Math.floor(rnd() * 40), loss: rnd() * 100 })),
      );
      const minBytes = tensors.reduce((n, o) => n + Math.min(...o.map((x) => x.bytes)), 0);
      const budget = minBytes + Math.floor(rnd() * 60);
      const exact = allocateBudget(tensors, budget, 1 << 20)!;
      expect(exact.bytes).toBeLessThanOrEqual(budget);
      expect(exact.loss).toBeCloseTo(bruteForce(tensors, budget), 9);
      const coarse = allocateBudget(tensors, budget, 8);
      if (coarse) {
        expect(coarse.bytes).toBeLessThanOrEqual(budget);
        expect(coarse.loss).toBeGreaterThanOrEqual(exact.loss - 1e-9);
      }
    }
  });

  it('has no answer when even the smallest options do not fit', () => {
    expect(allocateBudget([[{ bytes: 10, loss: 1 }], [{ bytes: 10, loss: 1 }]], 19)).toBeUndefined();
    expect(allocateBudget([], 0)).toEqual({ choice: [], bytes: 0, loss: 0 });
  });
});
