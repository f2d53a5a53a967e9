// HessianAccumulatorGpu (shaders/linalg/hessian-accumulate.wgsl) vs HessianAccumulatorRef on seeded
// correlated activations in chunks of odd token counts, cols 37, 128 and 200; chunk splitting past
// the binding limit; the error paths.
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError, GpuLimitError, ShapeError } from '../../core/errors';
import { acquireBrowserGpu } from '../../gpu/browser-gpu';
import { gpuForTests } from '../../gpu/testing';
import { HessianAccumulatorRef } from '../../quant/linalg/hessian';
import { seededActivations } from '../../quant/linalg/testing';
import { HessianAccumulatorGpu } from './hessian';

const { ctx } = await gpuForTests(acquireBrowserGpu);
const gpuIt = ctx ? it : it.skip;
afterAll(() => ctx?.destroy());

/**
 * Float32 accumulation vs float64: |H_gpu − H_ref|_ij ≤ this · √(H_ii·H_jj) (the Cauchy–Schwarz
 * scale of entry ij, so near-zero off-diagonal entries are judged fairly).
 */
const HESSIAN_REL_TOL = 2e-6;
/** Σx_j² relative error. */
const SUM_SQUARES_REL_TOL = 2e-6;

const CHUNKS = [13, 29, 7, 1, 51];

describe('HessianAccumulatorGpu vs HessianAccumulatorRef', () => {
  for (const cols of [37, 128, 200]) {
    gpuIt(`cols ${cols}, chunks of ${CHUNKS.join(', ')} tokens`, async () => {
      const total = CHUNKS.reduce((a, b) => a + b);
      const x = seededActivations(total, cols, 100 + cols);
      const gpu = HessianAccumulatorGpu.create(ctx!, cols);
      const ref = new HessianAccumulatorRef(cols);
      try {
        let at = 0;
        for (const t of CHUNKS) {
          const chunk = x.subarray(at * cols, (at + t) * cols);
          await gpu.add(chunk, t);
          ref.add(chunk, t);
          at += t;
        }
        const got = await gpu.read();
        const h = ref.hessian();
        const ss = ref.sumSquares();
        expect(got.count).toBe(total);
        let worst = 0;
        let worstAt = '';
        for (let i = 0; i < cols; i++) {
          for (let j = 0; j < cols; j++) {
            const e = Math.abs(got.hessian[i * cols + j] - h[i * cols + j]) / Math.sqrt(h[i * cols + i] * h[j * cols + j]);
            if (e > worst) [worst, worstAt] = [e, `[${i}][${j}]`];
            expect(got.hessian[i * cols + j], 'exactly symmetric').toBe(got.hessian[j * cols + i]);
          }
        }
        let worstSs = 0;
        for (let j = 0; j < cols; j++) worstSs = Math.max(worstSs, Math.abs(got.sumSquares[j] - ss[j]) / ss[j]);
        console.log(`hessian cols ${cols}: worst scaled |ΔH| ${worst.toExponential(2)} at ${worstAt}, worst Σx² rel ${worstSs.toExponential(2)}`);
        expect(worst, `worst entry ${worstAt}`).toBeLessThanOrEqual(HESSIAN_REL_TOL);
        expect(worstSs).toBeLessThanOrEqual(SUM_SQUARES_REL_TOL);
      } finally {
        gpu.destroy();
      }
    });
  }

  gpuIt('reads zeros before any token; a 0-token chunk changes nothing', async () => {
    const gpu = HessianAccumulatorGpu.create(ctx!, 5);
    try {
      await gpu.add(new Float32Array(0), 0);
      const got = await gpu.read();
      expect(got.count).toBe(0);
      expect(Array.from(got.hessian)).toEqual(new Array(25).fill(0));
      expect(Array.from(got.sumSquares)).toEqual([0, 0, 0, 0, 0]);
    } finally {
      gpu.destroy();
    }
  });

  gpuIt('splits a chunk larger than one binding into several dispatches', async () => {
    const cols = 8;
    // 256 bytes per binding: the 8×8 sum fits exactly, and 8 tokens (8·8·4 bytes) per dispatch.
    const small = { ...ctx!, limits: { ...ctx!.limits, maxStorageBufferBindingSize: 256 } };
    const x = seededActivations(37, cols, 5);
    const gpu = HessianAccumulatorGpu.create(small, cols);
    const ref = new HessianAccumulatorRef(cols);
    try {
      // Not awaited: add() calls queue up in order.
      const adds = [gpu.add(x, 37), gpu.add(x.subarray(0, 3 * cols), 3)];
      ref.add(x, 37);
      ref.add(x.subarray(0, 3 * cols), 3);
      await Promise.all(adds);
      const got = await gpu.read();
      const h = ref.hessian();
      expect(got.count).toBe(40);
      for (let i = 0; i < cols; i++) {
        for (let j = 0; j < cols; j++) {
          expect(Math.abs(got.hessian[i * cols + j] - h[i * cols + j])).toBeLessThanOrEqual(HESSIAN_REL_TOL * Math.sqrt(h[i * cols + i] * h[j * cols + j]));
        }
      }
    } finally {
      gpu.destroy();
    }
  });
});

describe('HessianAccumulatorGpu errors', () => {
  gpuIt('checks shapes and limits before touching the GPU', async () => {
    expect(() => HessianAccumulatorGpu.create(ctx!, 0)).toThrow(ShapeError);
    const small = { ...ctx!, limits: { ...ctx!.limits, maxStorageBufferBindingSize: 1024 } };
    expect(() => HessianAccumulatorGpu.create(small, 17)).toThrow(GpuLimitError);
    expect(() => HessianAccumulatorGpu.create(small, 17)).toThrow(/a 17×17 Hessian needs a 1156-byte GPU buffer, but this GPU binds at most 1024 bytes/);
    const gpu = HessianAccumulatorGpu.create(ctx!, 4);
    try {
      await expect(gpu.add(new Float32Array(10), 3)).rejects.toThrow('activations must hold tokens × cols = 3 × 4 = 12 values, got 10');
      await expect(gpu.add(new Float32Array(4), 1, AbortSignal.abort())).rejects.toThrow(CancelledError);
      expect((await gpu.read()).count).toBe(0);
    } finally {
      gpu.destroy();
    }
  });
});
