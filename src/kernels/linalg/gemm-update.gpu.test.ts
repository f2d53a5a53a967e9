// gemm-update.wgsl (C += alpha·A·B on strided views of one buffer) vs a float64 CPU product, for
// plain, transposed (strided) and lower-only views of odd sizes; and radix-select (exact k-th
// smallest) vs a sort, with ties and zeros.
import { afterAll, describe, expect, it } from 'vitest';
import { ShapeError } from '../../core/errors';
import { destroyBuffers, readBuffers, uploadStorage } from '../../gpu/buffers';
import { acquireBrowserGpu } from '../../gpu/browser-gpu';
import { gpuForTests } from '../../gpu/testing';
import { seededNormal } from '../../quant/linalg/testing';
import { encodeGemmUpdate, type GemmUpdate, gemmUpdateKernel } from './gemm-update';
import { PassRecorder } from './passes';
import { kthSmallestGpu } from './radix-select';

const { ctx } = await gpuForTests(acquireBrowserGpu);
const gpuIt = ctx ? it : it.skip;
afterAll(() => ctx?.destroy());

/** Float32 products of k ≤ 70 terms vs float64: |Δ| ≤ this · Σ|a·b| + this · |C|. */
const GEMM_REL_TOL = 1e-6;

async function runGemm(mat: Float32Array, g: GemmUpdate): Promise<Float32Array> {
  const kernel = await gemmUpdateKernel(ctx!);
  const buffer = uploadStorage(ctx!, new Uint8Array(mat.buffer), 'gemm test', GPUBufferUsage.COPY_SRC);
  const encoder = ctx!.device.createCommandEncoder();
  const rec = new PassRecorder(ctx!, encoder);
  try {
    encodeGemmUpdate(rec, kernel, buffer, g);
    rec.endPass();
    ctx!.device.queue.submit([encoder.finish()]);
    const [bytes] = await readBuffers(ctx!, [{ buffer, byteLength: mat.byteLength }]);
    return new Float32Array(bytes.buffer);
  } finally {
    rec.destroy();
    destroyBuffers(buffer);
  }
}

function checkGemm(before: Float32Array, after: Float32Array, g: GemmUpdate): void {
  const touched = new Set<number>();
  for (let r = 0; r < g.m; r++) {
    for (let c = 0; c < g.ncols; c++) {
      const e = g.c.offset + r * g.c.rowStride + c;
      if (g.lowerOnly && c > r) continue;
      touched.add(e);
      let s = 0;
      let mag = 0;
      for (let t = 0; t < g.k; t++) {
        const p = before[g.a.offset + r * g.a.rowStride + t * g.a.colStride] * before[g.b.offset + t * g.b.rowStride + c * g.b.colStride];
        s += p;
        mag += Math.abs(p);
      }
      const want = before[e] + g.alpha * s;
      expect(Math.abs(after[e] - want), `C[${r}][${c}]`).toBeLessThanOrEqual(GEMM_REL_TOL * (mag + Math.abs(before[e])));
    }
  }
  for (let e = 0; e < before.length; e++) if (!touched.has(e)) expect(after[e], `untouched element ${e}`).toBe(before[e]);
}

describe('gemm-update.wgsl', () => {
  gpuIt('C −= A·B with C, A, B in one buffer (37×23 · 23×41)', async () => {
    const [m, k, n] = [37, 23, 41];
    const mat = seededNormal(m * n + m * k + k * n + 5, 1);
    const g: GemmUpdate = {
      m, ncols: n, k,
      c: { offset: 0, rowStride: n },
      a: { offset: m * n, rowStride: k, colStride: 1 },
      b: { offset: m * n + m * k, rowStride: n, colStride: 1 },
      alpha: -1,
    };
    checkGemm(mat, await runGemm(mat, g), g);
  });

  gpuIt('C += A·Aᵀ through strides, lower triangle only, inside a larger matrix (SYRK-like)', async () => {
    // C = rows/cols 20…69 of a 70×70 matrix; A = rows 20…69, cols 3…19 of the same matrix (17 wide).
    const ld = 70;
    const mat = seededNormal(ld * ld, 2);
    const g: GemmUpdate = {
      m: 50, ncols: 50, k: 17,
      c: { offset: 20 * ld + 20, rowStride: ld },
      a: { offset: 20 * ld + 3, rowStride: ld, colStride: 1 },
      b: { offset: 20 * ld + 3, rowStride: 1, colStride: ld },
      alpha: 1,
      lowerOnly: true,
    };
    checkGemm(mat, await runGemm(mat, g), g);
  });
});

describe('radix-select (kthSmallestGpu)', () => {
  gpuIt('equals sort(values)[k] exactly, with ties, zeros and tiny values', async () => {
    const raw = seededNormal(5000, 3);
    const values = raw.map((v, i) => (i % 97 === 0 ? 0 : i % 31 === 0 ? 0.25 : i % 53 === 0 ? 1e-40 : v * v));
    const sorted = Float32Array.from(values).sort();
    for (const k of [0, 1, 57, 2500, 4242, 4999]) {
      expect(await kthSmallestGpu(ctx!, values, k), `k = ${k}`).toBe(sorted[k]);
    }
  });

  gpuIt('rejects ranks out of range and negative values', async () => {
    await expect(kthSmallestGpu(ctx!, new Float32Array(4), 4)).rejects.toThrow('selection rank must be in [0, 4), got 4');
    await expect(kthSmallestGpu(ctx!, new Float32Array([1, -2]), 0)).rejects.toThrow(ShapeError);
  });
});
