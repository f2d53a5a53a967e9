// The one orchestration on a real model with the CPU references: progress in order and honest
// bits per weight, selections as rules, cancellation between tensors, tensors named in errors,
// and streaming (the exporter pulls each tensor once, in plan order).
import { describe, expect, it } from 'vitest';
import { blobSink } from '../core/byte-sink';
import { bytesSource } from '../core/byte-source';
import type { CompressProgress } from '../core/compression-report';
import { CancelledError } from '../core/errors';
import { outputFileName } from '../core/output-names';
import { RECIPE_VERSION, type RtnQuantize } from '../core/recipe';
import { describeWithFixtures, fixtureSource } from '../core/testing/fixtures';
import { selectionRules, type TensorSelection } from '../core/tensor-selection';
import { compressModel } from './compress-model';
import { openModel } from './open-model';
import { resolveRecipe } from './recipe/resolve-recipe';

const TINY = ['models', 'tiny-llama', 'onnx', 'model.onnx'];
const rtn = (bits: RtnQuantize['bits'], group: RtnQuantize['group'] = 32, symmetric = false): RtnQuantize => ({ method: 'rtn', bits, group, symmetric });
const recipeOf = (selection: TensorSelection, spec: RtnQuantize) => ({ recipe: RECIPE_VERSION, rules: selectionRules(selection, { quantize: spec }) });

describeWithFixtures('compressModel (tiny-llama, CPU references)', [TINY], () => {
  const open = async () => openModel([await fixtureSource(...TINY)]);

  it('quantizes every matmul weight, reports progress in order, and counts bits honestly', async () => {
    const model = await open();
    const recipe = recipeOf({ kind: 'all-matmuls' }, rtn(4));
    const resolved = await resolveRecipe(model, recipe, 'onnx');
    const seen: CompressProgress[] = [];
    const { report } = await compressModel(model, resolved, { onProgress: (p) => seen.push(p) });
    expect(report.tensors.filter((t) => t.method === 'rtn')).toHaveLength(29);
    expect(seen[0].tensorsDone).toBe(0);
    expect(seen.at(-1)).toMatchObject({ tensorsDone: 29, tensorsTotal: 29 });
    expect(seen.at(-1)!.bytesDone).toBe(seen.at(-1)!.bytesTotal);
    const dones = [...new Set(seen.map((p) => p.tensorsDone))];
    expect(dones).toEqual(Array.from({ length: 30 }, (_, i) => i));
    // 4-bit codes + a float32 scale and a 4-bit zero point per 32 weights.
    expect(report.bitsPerWeight).toBeCloseTo(4 + 32 / 32 + 4 / 32, 10);
    expect(report.device).toBe('CPU reference');
    expect(outputFileName(model.index.fileName, 'onnx', recipe)).toBe('model-q4-b32-asym.onnx');
  });

  it('keeps the output head out with all-but-head and honours include/exclude', async () => {
    const model = await open();
    const run = async (selection: TensorSelection) => (await compressModel(model, await resolveRecipe(model, recipeOf(selection, rtn(8, 'per-channel', true)), 'onnx'))).report.tensors.filter((t) => t.method === 'rtn');
    const noHead = await run({ kind: 'all-but-head' });
    expect(noHead.map((t) => t.layer)).not.toContain('lm_head');
    expect(noHead).toHaveLength(28);
    const attn = await run({ kind: 'custom', include: 'self_attn', exclude: 'layers\\.0\\.' });
    expect(attn).toHaveLength(12);
    expect(attn.every((t) => /self_attn/.test(t.layer) && !/layers\.0\./.test(t.layer))).toBe(true);
  });

  it('stops between tensors when cancelled', async () => {
    const model = await open();
    const controller = new AbortController();
    const resolved = await resolveRecipe(model, recipeOf({ kind: 'all-matmuls' }, rtn(4)), 'onnx');
    const run = compressModel(model, resolved, { signal: controller.signal, onProgress: (p) => p.tensorsDone === 3 && controller.abort() });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
  });

  it('streams: the exporter pulls every quantized tensor once, in plan order, and the sink gets the planned bytes', async () => {
    const model = await open();
    const resolved = await resolveRecipe(model, recipeOf({ kind: 'all-matmuls' }, rtn(4)), 'onnx');
    const current: string[] = [];
    const sink = blobSink();
    const { written, results } = await compressModel(model, resolved, { output: async () => sink, onProgress: (p) => current.push(p.currentTensor) });
    expect(results).toBeUndefined(); // nothing kept: memory holds one tensor at a time
    expect(written).toEqual({ files: [null], bytes: resolved.plan.outputBytes });
    expect(sink.bytesWritten).toBe(resolved.plan.outputBytes);
    const layers = new Map(model.index.tensors.map((t) => [t.name, t.layer]));
    expect([...new Set(current)]).toEqual(resolved.plan.order.map((n) => layers.get(n)));
  });
});

describe('errors name the tensor', () => {
  it('a NaN weight: the layer and tensor are in the message', async () => {
    const { mixedGraph, syntheticSource } = await import('../formats/onnx/testing/synthetic-models');
    const graph = mixedGraph();
    const fc2 = graph.initializers.find((t) => t.name === 'fc2.weight')!;
    fc2.values = new Float32Array(8 * 32).map((_, i) => (i === 5 ? NaN : Math.sin(i)));
    const model = await openModel([syntheticSource(graph)]);
    const resolved = await resolveRecipe(model, { recipe: RECIPE_VERSION, rules: [{ match: 'fc2', quantize: rtn(4, 16) }] }, 'onnx');
    await expect(compressModel(model, resolved)).rejects.toThrow(/^enc\.fc2 \(fc2\.weight\): weight has a non-finite value \(NaN\) at stored element 5; cannot quantize$/);
  });
});

describe('openModel', () => {
  it('asks for a model file when only JSON files are given', async () => {
    await expect(openModel([bytesSource(new TextEncoder().encode('{}'), 'tokenizer.json')])).rejects.toThrow(/no model file among tokenizer\.json/);
  });
});
