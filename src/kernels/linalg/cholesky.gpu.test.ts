// dampedInverseCholeskyGpu (cholesky-diagonal, trsm-lower, gemm-update, reverse-copy) vs
// dampedInverseCholeskyRef: the hand-worked 3×3, seeded SPD n = 5, 64, 130, 256, dead columns,
// indefinite matrices that need raised damping, and the error paths.
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError, GpuLimitError, ShapeError } from '../../core/errors';
import { acquireBrowserGpu } from '../../gpu/browser-gpu';
import { gpuForTests } from '../../gpu/testing';
import { dampedInverseCholeskyRef } from '../../quant/linalg/cholesky';
import { seededSpd } from '../../quant/linalg/testing';
import { dampedInverseCholeskyGpu } from './cholesky';

const { ctx } = await gpuForTests(acquireBrowserGpu);
const gpuIt = ctx ? it : it.skip;
afterAll(() => ctx?.destroy());

/**
 * Float32 factorisation vs float64: max |U_gpu − U_ref| ≤ this · max |U_ref|. Measured ≤ 3.5e-7 on
 * these matrices (condition ≤ ~400 before the 1% damping); the bound grows with the condition number.
 */
const U_REL_TOL = 5e-6;

function compareU(gpu: Float32Array, ref: Float64Array, n: number): { rel: number; at: string } {
  let scale = 0;
  for (const v of ref) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  let at = '';
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (j < i) expect(gpu[i * n + j], `U[${i}][${j}] below the diagonal`).toBe(0);
      const d = Math.abs(gpu[i * n + j] - ref[i * n + j]);
      if (d > worst) [worst, at] = [d, `[${i}][${j}]`];
    }
    expect(gpu[i * n + i]).toBeGreaterThan(0);
  }
  return { rel: worst / scale, at };
}

async function check(h: Float64Array | number[], n: number, label: string, percdamp?: number) {
  const ref = dampedInverseCholeskyRef(h, n, percdamp);
  const gpu = await dampedInverseCholeskyGpu(ctx!, Float32Array.from(h), n, { percdamp });
  expect(gpu.dead).toEqual(ref.dead);
  expect(gpu.dampRaised).toBe(ref.dampRaised);
  // The damping is computed on the CPU from the float32 H: equal to float32 precision.
  expect(Math.abs(gpu.damp - ref.damp)).toBeLessThanOrEqual(1e-6 * ref.damp);
  const { rel, at } = compareU(gpu.u, ref.u, n);
  console.log(`${label}: max |ΔU| / max |U| = ${rel.toExponential(2)} at ${at}`);
  expect(rel, `${label}, worst at ${at}`).toBeLessThanOrEqual(U_REL_TOL);
  return gpu;
}

describe('dampedInverseCholeskyGpu vs dampedInverseCholeskyRef', () => {
  gpuIt('hand-worked 3×3 (percdamp 0): U = [[1/2, −1/2, 0], [0, 1, −1], [0, 0, 1]]', async () => {
    const gpu = await check([6, 2, 1, 2, 2, 1, 1, 1, 1], 3, '3×3', 0);
    const want = [0.5, -0.5, 0, 0, 1, -1, 0, 0, 1];
    want.forEach((w, i) => expect(Math.abs(gpu.u[i] - w)).toBeLessThanOrEqual(1e-6));
  });

  for (const n of [5, 64, 130, 256]) {
    gpuIt(`seeded SPD n = ${n}`, async () => {
      await check(seededSpd(n, n + 1), n, `SPD n = ${n}`);
    });
  }

  gpuIt('dead columns (zero rows/cols 3 and 40 of a 64×64) are reported and get H_ii = 1', async () => {
    const n = 64;
    const h = seededSpd(n, 9);
    for (const d of [3, 40]) for (let i = 0; i < n; i++) h[d * n + i] = h[i * n + d] = 0;
    const gpu = await check(h, n, 'dead 3, 40');
    expect(gpu.dead).toEqual([3, 40]);
  });

  gpuIt('raises the damping for [[1, 1.5], [1.5, 1]] and for SPD − 0.2·mean(diag)·I (n = 64)', async () => {
    const small = await check([1, 1.5, 1.5, 1], 2, 'indefinite 2×2');
    expect(small.dampRaised).toBe(true);
    expect(small.damp).toBeCloseTo(1, 6);
    const n = 64;
    const h = seededSpd(n, n + 1);
    let mean = 0;
    for (let i = 0; i < n; i++) mean += h[i * n + i] / n;
    for (let i = 0; i < n; i++) h[i * n + i] -= 0.2 * mean;
    const big = await check(h, n, 'indefinite 64');
    expect(big.dampRaised).toBe(true);
    expect(big.u.every(Number.isFinite)).toBe(true);
  });
});

describe('dampedInverseCholeskyGpu errors', () => {
  gpuIt('gives up with ShapeError when raising the damping does not help', async () => {
    await expect(dampedInverseCholeskyGpu(ctx!, new Float32Array([1, 1000, 1000, 1]), 2)).rejects.toThrow(
      'H is not positive definite even with damping 100 (4 raises ×10 from percdamp 0.01); check the calibration statistics',
    );
  });

  gpuIt('checks shapes and limits before touching the GPU', async () => {
    await expect(dampedInverseCholeskyGpu(ctx!, new Float32Array(3), 2)).rejects.toThrow('H must hold n × n = 4 values, got 3');
    await expect(dampedInverseCholeskyGpu(ctx!, new Float32Array([1, 0, 0, Infinity]), 2)).rejects.toThrow(ShapeError);
    const small = { ...ctx!, limits: { ...ctx!.limits, maxStorageBufferBindingSize: 4096 } };
    const err = await dampedInverseCholeskyGpu(small, new Float32Array(seededSpd(24, 1)), 24).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuLimitError);
    expect((err as Error).message).toMatch(/the inverse Cholesky of a 24×24 Hessian needs a 4608-byte GPU buffer, but this GPU binds at most 4096 bytes/);
  });

  gpuIt('stops with CancelledError when the signal is aborted', async () => {
    await expect(dampedInverseCholeskyGpu(ctx!, new Float32Array([1, 0, 0, 1]), 2, { signal: AbortSignal.abort() })).rejects.toThrow(CancelledError);
  });
});
