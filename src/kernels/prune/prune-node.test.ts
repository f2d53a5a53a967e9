// The CLI path: pruneGpu on Dawn through the `webgpu` package (SwiftShader here, via the node
// project's VK_ICD_FILENAMES) against pruneRef, one small weight per pattern and score: identical
// mask, values and zero count. The full comparison runs in the browser (prune.gpu.test.ts).
import { afterAll, expect, it } from 'vitest';
import { f16ArrayToF32, f32ArrayToF16 } from '../../core/float16';
import { toRowMajor } from '../../core/weight-layout';
import { acquireNodeGpu } from '../../gpu/node-gpu';
import { gpuForTests } from '../../gpu/testing';
import { packMaskRef, type PrunePattern, pruneRef } from '../../quant/prune/prune-select';
import { seededWeights } from '../quant/rtn-compare';
import { pruneGpu } from './prune';

const { ctx, skipReason } = await gpuForTests(() => acquireNodeGpu());
if (!ctx) console.warn(skipReason);
afterAll(() => ctx?.destroy());

const PATTERNS: PrunePattern[] = [
  { kind: 'unstructured', sparsity: 0.5, scope: 'tensor' },
  { kind: 'unstructured', sparsity: 0.6, scope: 'row' },
  { kind: 'n:m', n: 2, m: 4 },
];

(ctx ? it : it.skip).each(['f32', 'f16'] as const)('prunes a %s [K, N]-stored weight like the reference', async (dtype) => {
  const [rows, cols] = [24, 152];
  const layout = { rows, cols, rowStride: 1, colStride: rows };
  const stored = seededWeights(rows * cols, 42).map((v) => Math.round(v * 32) / 32);
  const halves = f32ArrayToF16(stored);
  const bytes = dtype === 'f32' ? new Uint8Array(stored.buffer) : new Uint8Array(halves.buffer);
  const values = toRowMajor(dtype === 'f32' ? stored : f16ArrayToF32(halves), layout);
  const sumSquares = Float32Array.from({ length: cols }, (_, j) => (j % 7) * 1.5);
  for (const pattern of PATTERNS) {
    for (const score of ['magnitude', 'wanda'] as const) {
      const opts = { score, pattern, sumSquares: score === 'wanda' ? sumSquares : undefined };
      const gpu = await pruneGpu(ctx!, { bytes, dtype, layout }, opts);
      const ref = pruneRef({ values, rows, cols }, opts);
      const label = `${score} ${JSON.stringify(pattern)}`;
      expect([...gpu.mask], label).toEqual([...packMaskRef(ref.mask)]);
      expect([...new Uint32Array(gpu.values.buffer)], label).toEqual([...new Uint32Array(ref.values.buffer)]);
      expect(gpu.zeros, label).toBe(ref.zeros);
    }
  }
});
