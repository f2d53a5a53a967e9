// AWQ on a weight with a bias (Qwen2's q/k/v carry one): dividing v_proj's rows by o_proj's
// scales divides v_proj's outputs, so its bias must be divided by the same scales or the model
// computes something else. A one-layer graph built in memory (norm → q/k/v, v with a bias → o),
// calibration statistics computed from random rows through that graph, activations with outlier
// channels so the scales are far from 1; 8-bit AWQ, so what remains is quantization noise: the
// compressed layer must compute the original's function, and the bias must be planned as folded.
import { describe, expect, it } from 'vitest';
import { dequantizeCompressed } from '../../quant/dequantize-compressed';
import { bytesSource } from '../../core/byte-source';
import { buildModel, type SyntheticGraph } from '../../formats/onnx/testing/synthetic-models';
import { CalibrationStats } from '../calibration/calibrate';
import { compressModel } from '../compress-model';
import { openModel } from '../open-model';
import { parseRecipe } from '../recipe/parse-recipe';
import { resolveRecipe } from '../recipe/resolve-recipe';
import type { InputStats } from './method';

const D = 32;
const N = 256;
const P = '/model/layers.0';

/** Deterministic values in [-1, 1). */
function noise(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** W[out][in] (row-major) as an ONNX MatMul B, stored [in][out]. */
const asMatMulB = (w: Float32Array) => Float32Array.from({ length: D * D }, (_, i) => w[(i % D) * D + Math.floor(i / D)]);

/** Rows x[N][D] times Wᵀ (+ b): y[n][r] = Σ_c W[r][c] x[n][c] + b[r]. */
function linear(x: Float32Array, w: Float32Array, b?: Float32Array): Float32Array {
  const y = new Float32Array(N * D);
  for (let n = 0; n < N; n++) {
    for (let r = 0; r < D; r++) {
      let acc = b ? b[r] : 0;
      for (let c = 0; c < D; c++) acc += w[r * D + c] * x[n * D + c];
      y[n * D + r] = acc;
    }
  }
  return y;
}

/** What calibration measures on an input: Σx² per channel and H = 2/n Σ xᵀx. */
function statsOf(x: Float32Array): InputStats {
  const sumSquares = new Float32Array(D);
  const hessian = new Float32Array(D * D);
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < D; i++) {
      sumSquares[i] += x[n * D + i] ** 2;
      for (let j = 0; j < D; j++) hessian[i * D + j] += (2 / N) * x[n * D + i] * x[n * D + j];
    }
  }
  return { sumSquares, hessian, tokens: N };
}

describe('AWQ folds its scales into the bias of the rows it divides', () => {
  const gamma = Float32Array.from(noise(D, 1), (v) => 1 + 0.2 * v);
  const w = Object.fromEntries(['q', 'k', 'v', 'o'].map((p, i) => [p, noise(D * D, 10 + i).map((v) => v * 0.3)]));
  const vBias = noise(D, 20); // as large as v's outputs: a missed fold shows
  const graph: SyntheticGraph = {
    nodes: [
      { name: `${P}/input_layernorm/Mul`, opType: 'Mul', inputs: ['x', 'model.layers.0.input_layernorm.weight'], outputs: ['h'] },
      ...['q', 'k', 'v'].map((p) => ({ name: `${P}/self_attn/${p}_proj/MatMul`, opType: 'MatMul', inputs: ['h', `model.layers.0.self_attn.${p}_proj.weight`], outputs: [`${p}0`] })),
      { name: `${P}/self_attn/v_proj/Add`, opType: 'Add', inputs: ['v0', 'model.layers.0.self_attn.v_proj.bias'], outputs: ['v'] },
      { name: `${P}/self_attn/o_proj/MatMul`, opType: 'MatMul', inputs: ['v', 'model.layers.0.self_attn.o_proj.weight'], outputs: ['y'] },
    ],
    initializers: [
      { name: 'model.layers.0.input_layernorm.weight', dims: [D], values: gamma },
      ...['q', 'k', 'v', 'o'].map((p) => ({ name: `model.layers.0.self_attn.${p}_proj.weight`, dims: [D, D], values: asMatMulB(w[p]) })),
      { name: 'model.layers.0.self_attn.v_proj.bias', dims: [D], values: vBias },
    ],
    inputs: [{ name: 'x', dims: ['n', D] }],
    outputs: [{ name: 'y', dims: ['n', D] }, { name: 'q0', dims: ['n', D] }, { name: 'k0', dims: ['n', D] }],
  };
  // Outlier input channels (every fourth ×8), and so outlier channels of v's output, which o reads.
  const x = Float32Array.from(noise(N * D, 7), (v, i) => (i % D) % 4 === 0 ? 8 * v : v);
  const h = Float32Array.from(x, (v, i) => v * gamma[i % D]);
  const v = linear(h, w.v, vBias);
  const y = linear(v, w.o);

  it('plans the bias as folded, and the compressed layer computes the original function', async () => {
    const model = await openModel([bytesSource(buildModel(graph), 'layer.onnx')]);
    const bias = model.index.tensors.find((t) => t.name === 'model.layers.0.self_attn.v_proj.bias')!;
    expect(bias.role).toBe('bias');
    const recipe = parseRecipe({
      recipe: 1,
      calibration: { text: 'builtin', windows: 1, sequential: false },
      rules: [{ match: 'proj', role: 'matmul-weight', quantize: { method: 'awq', bits: 8, group: 32, gridPoints: 10, clip: false } }],
    });
    const resolved = await resolveRecipe(model, recipe, 'onnx');
    expect(resolved.plan.awq!.find((g) => g.id.endsWith('o_proj input'))!.producer).toEqual({ name: 'model.layers.0.self_attn.v_proj.weight', kind: 'rows', bias: bias.name });
    const folded = resolved.plan.tensors.find((t) => t.name === bias.name)!;
    expect(folded.action).toEqual({ kind: 'fold' });
    expect(folded.notes).toEqual(['divided by the AWQ input scales of o_proj (the model computes the same; those weights carry the scales)']);

    const stats = new Map<string, InputStats>([
      ...['q', 'k', 'v'].map((p): [string, InputStats] => [`model.layers.0.self_attn.${p}_proj.weight`, statsOf(h)]),
      ['model.layers.0.self_attn.o_proj.weight', statsOf(v)],
    ]);
    const { results } = await compressModel(model, resolved, { keepResults: true, calibrate: async () => new CalibrationStats(stats, 1, N, 'builtin') });
    const values = (name: string) => dequantizeCompressed(results!.get(name)!);
    const vScales = resolved.plan.awq!.find((g) => g.id.endsWith('o_proj input'))!;
    expect(vScales.consumers).toEqual(['model.layers.0.self_attn.o_proj.weight']);
    const foldedBias = values(bias.name);
    // The scales are far from 1 (the fold does something), and the bias took the rows' scales.
    const ratios = Array.from(foldedBias, (b, i) => b / vBias[i]);
    expect(Math.max(...ratios) / Math.min(...ratios)).toBeGreaterThan(1.5);

    const hq = Float32Array.from(x, (xv, i) => xv * values('model.layers.0.input_layernorm.weight')[i % D]);
    const vq = linear(hq, values('model.layers.0.self_attn.v_proj.weight'), foldedBias);
    const yq = linear(vq, values('model.layers.0.self_attn.o_proj.weight'));
    const err = Math.hypot(...Array.from(yq, (q, i) => q - y[i])) / Math.hypot(...y);
    expect(err).toBeLessThan(0.01);
  });
});
