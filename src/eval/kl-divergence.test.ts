// KL divergence from the original's top-k distribution: zero for the same logits; equal to the
// full KL (computed directly here) when k is the whole vocabulary; a lower bound of it, and close,
// when the tail is lumped; top-1 agreement counted per position; the shape errors.
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../core/errors';
import { seededNormal } from '../quant/linalg/testing';
import { emptyReference, recordWindow, windowKl } from './kl-divergence';

const VOCAB = 200;
const POSITIONS = 7;

/** [POSITIONS + 1][VOCAB] logits (the last row is never scored, as in a window of L rows). */
function logits(seed: number, scale = 3): Float32Array {
  return seededNormal((POSITIONS + 1) * VOCAB, seed, scale);
}

function logSoftmax(x: Float32Array, row: number): Float64Array {
  let max = -Infinity;
  for (let v = 0; v < VOCAB; v++) max = Math.max(max, x[row + v]);
  let sum = 0;
  for (let v = 0; v < VOCAB; v++) sum += Math.exp(x[row + v] - max);
  const lse = Math.log(sum) + max;
  return Float64Array.from({ length: VOCAB }, (_, v) => x[row + v] - lse);
}

/** Σ over positions of the full KL(P ‖ Q). */
function fullKl(p: Float32Array, q: Float32Array): number {
  let total = 0;
  for (let pos = 0; pos < POSITIONS; pos++) {
    const lp = logSoftmax(p, pos * VOCAB);
    const lq = logSoftmax(q, pos * VOCAB);
    for (let v = 0; v < VOCAB; v++) total += Math.exp(lp[v]) * (lp[v] - lq[v]);
  }
  return total;
}

function reference(p: Float32Array, k: number) {
  const ref = emptyReference(k, 1, POSITIONS);
  recordWindow(ref, 0, p, VOCAB);
  return ref;
}

describe('KL divergence from a top-k reference', () => {
  const original = logits(1);
  // A variant: the original's logits slightly perturbed (as quantization does).
  const noise = seededNormal(original.length, 2, 0.3);
  const variant = original.map((v, i) => v + noise[i]);

  it('is zero for the original itself, with every top token agreeing', () => {
    const s = windowKl(reference(original, 16), 0, original, VOCAB);
    expect(s.kl).toBeLessThan(1e-12);
    expect(s).toMatchObject({ top1Same: POSITIONS, positions: POSITIONS });
  });

  it('equals the full KL when k is the whole vocabulary', () => {
    const s = windowKl(reference(original, VOCAB), 0, variant, VOCAB);
    expect(s.kl).toBeGreaterThan(0);
    expect(Math.abs(s.kl / fullKl(original, variant) - 1)).toBeLessThan(1e-9);
  });

  it('is a lower bound of the full KL with the tail lumped, and close when the top k hold most of the mass', () => {
    const exact = fullKl(original, variant);
    let previous = 0;
    for (const k of [1, 8, 32, 128, VOCAB]) {
      const s = windowKl(reference(original, k), 0, variant, VOCAB);
      expect(s.kl, `k=${k}`).toBeLessThanOrEqual(exact * (1 + 1e-9));
      expect(s.kl, `k=${k} grows with k`).toBeGreaterThanOrEqual(previous * (1 - 1e-9));
      previous = s.kl;
    }
    // Peaked distributions (as a trained model's are): the top 32 of 200 carry nearly all the mass.
    const peaked = logits(3, 8);
    const peakedVariant = peaked.map((v, i) => v + noise[i]);
    const lumped = windowKl(reference(peaked, 32), 0, peakedVariant, VOCAB).kl;
    expect(lumped / fullKl(peaked, peakedVariant)).toBeGreaterThan(0.95);
  });

  it('counts the positions whose most likely token agrees', () => {
    const swapped = original.slice();
    // Make position 2's least likely token the variant's most likely.
    const row = 2 * VOCAB;
    let low = 0;
    for (let v = 1; v < VOCAB; v++) if (original[row + v] < original[row + low]) low = v;
    swapped[row + low] = 100;
    expect(windowKl(reference(original, 4), 0, swapped, VOCAB).top1Same).toBe(POSITIONS - 1);
  });

  it('refuses mismatched shapes', () => {
    const ref = reference(original, 8);
    expect(() => windowKl(ref, 1, original, VOCAB)).toThrow(ShapeError);
    expect(() => windowKl(ref, 0, original.subarray(0, 100 * (POSITIONS + 1)), 100)).toThrow('logits have 100 columns, the reference 200');
    expect(() => recordWindow(emptyReference(VOCAB + 1, 1, POSITIONS), 0, original, VOCAB)).toThrow(ShapeError);
  });
});
