// Pruned exports judged by their bytes: a rule that prunes 2:4 (or 50 %) and then quantizes keeps
// every pruned weight exactly zero in every format — MatMulNBits with asymmetric zero points
// (decoded from the file by an independent reader of docs/FORMATS.md §2.1), GGUF Q4_0/Q8_0 and
// float (read back and decoded), safetensors (dequantized floats) — and every group of 4
// consecutive inputs of every pruned tensor in the file holds at least 2 zeros.
import { expect, it } from 'vitest';
import type { OutputFormat } from '../../core/compression-plan';
import { decodeFloats } from '../../core/dtypes';
import { RECIPE_VERSION, type PruneSpec, type QuantizeSpec, type Recipe } from '../../core/recipe';
import { toRowMajor } from '../../core/weight-layout';
import { describeWithFixtures } from '../../core/testing/fixtures';
import { OUTPUT_HEAD_PATTERN } from '../../core/tensor-selection';
import { openOnnx } from '../../formats/onnx/onnx-reader';
import { decodeMatMulNBits } from '../../formats/onnx/testing/matmul-nbits-decode';
import { openModel } from '../open-model';
import { readWeight } from '../weights/read-weight';
import { bytesSource } from '../../core/byte-source';
import { dequantizeCompressed } from '../../quant/dequantize-compressed';
import { compressFixture, exportedBytes, exportFixture } from './testing/export-fixtures';

const TWO_FOUR: PruneSpec = { method: 'magnitude', pattern: '2:4', scope: 'tensor' };
const HALF: PruneSpec = { method: 'magnitude', sparsity: 0.5, scope: 'tensor' };

function recipe(prune: PruneSpec, quantize?: QuantizeSpec): Recipe {
  return { recipe: RECIPE_VERSION, rules: [{ match: OUTPUT_HEAD_PATTERN, keep: true }, { match: '.*', role: 'matmul-weight', prune, ...(quantize ? { quantize } : {}) }] };
}

/** Groups of 4 consecutive inputs of row-major W[rows][cols] with fewer than 2 zeros. */
function badGroups(values: Float32Array, rows: number, cols: number): number {
  let bad = 0;
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < cols; g += 4) {
      let zeros = 0;
      for (let j = g; j < g + 4; j++) if (values[r * cols + j] === 0) zeros++;
      if (zeros < 2) bad++;
    }
  }
  return bad;
}

const zerosOf = (v: Float32Array) => v.reduce((n, x) => n + (x === 0 ? 1 : 0), 0);

/** Every pruned weight of an exported GGUF or safetensors file, read back as W[rows][cols]. */
async function prunedWeights(files: Awaited<ReturnType<typeof exportFixture>>['files']): Promise<{ layer: string; rows: number; cols: number; values: Float32Array }[]> {
  const model = await openModel(files);
  const out = [];
  for (const t of model.index.tensors.filter((x) => x.role === 'matmul-weight' && x.layer !== 'lm_head')) {
    const w = await readWeight(model, t);
    out.push({ layer: t.layer, rows: w.layout.rows, cols: w.layout.cols, values: toRowMajor(decodeFloats(w.bytes, w.dtype), w.layout) });
  }
  return out;
}

describeWithFixtures('pruned weights stay exactly zero in the exported bytes (tiny-llama)', [['models', 'tiny-llama', 'onnx', 'model.onnx']], () => {
  it.each([
    ['2:4 then rtn 4-bit/32 asymmetric', TWO_FOUR, { method: 'rtn', bits: 4, group: 32, symmetric: false }],
    ['50 % then rtn 8-bit per channel asymmetric', HALF, { method: 'rtn', bits: 8, group: 'per-channel', symmetric: false }],
    ['2:4 then rtn 3-bit/16 symmetric', TWO_FOUR, { method: 'rtn', bits: 3, group: 16, symmetric: true }],
  ] as const)('ONNX MatMulNBits: %s', async (_, prune, quantize) => {
    const c = await compressFixture('tiny-llama', 'onnx/model.onnx', recipe(prune, quantize), 'onnx');
    const onnx = await openOnnx([bytesSource(await exportedBytes(c), 'exported.onnx')]);
    const nodes = onnx.graph.nodes.filter((n) => n.opType === 'MatMulNBits');
    expect(nodes).toHaveLength(28); // every matmul weight but the head
    for (const node of nodes) {
      const w = await decodeMatMulNBits(onnx, node);
      // The file decodes to exactly what the studio computed (so the reader is not trivially zero)…
      const source = c.resolved.plan.tensors.find((t) => c.results.has(t.name) && node.inputs[1].replace(/_Q\d$/, '') === t.name)!;
      expect(source, node.name).toBeDefined();
      expect(w.values).toEqual(dequantizeCompressed(c.results.get(source.name)!));
      // …and holds the zeros pruning made.
      if (prune.pattern) expect(badGroups(w.values, w.rows, w.cols), node.name).toBe(0);
      expect(zerosOf(w.values), node.name).toBeGreaterThanOrEqual(Math.floor((w.rows * w.cols) / 2));
    }
  });

  it.each([
    ['float (pruned only)', undefined],
    ['Q8_0', { method: 'ggml', type: 'Q8_0' }],
    ['Q4_0', { method: 'ggml', type: 'Q4_0' }],
  ] as const)('GGUF %s: 2:4 read back from the file', async (_, quantize) => {
    const exported = await exportFixture('tiny-llama', 'onnx/model.onnx', recipe(TWO_FOUR, quantize), 'gguf');
    const weights = await prunedWeights(exported.files);
    expect(weights).toHaveLength(28);
    for (const w of weights) expect(badGroups(w.values, w.rows, w.cols), w.layer).toBe(0);
  });

  it.each(['onnx', 'safetensors'] as OutputFormat[])('%s pruned only, and safetensors after rtn: 2:4 read back from the file', async (format) => {
    for (const quantize of format === 'onnx' ? [undefined] : [undefined, { method: 'rtn', bits: 4, group: 32, symmetric: false } as const]) {
      const exported = await exportFixture('tiny-llama', 'onnx/model.onnx', recipe(TWO_FOUR, quantize), format);
      const weights = await prunedWeights(exported.files);
      expect(weights).toHaveLength(28);
      for (const w of weights) expect(badGroups(w.values, w.rows, w.cols), `${format} ${w.layer}`).toBe(0);
      expect(exported.report.sparsity!.pruned).toBeGreaterThanOrEqual(0.5);
    }
  });
});
