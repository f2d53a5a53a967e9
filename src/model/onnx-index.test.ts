// ONNX index: roles, [out, in] layouts, layer names and architecture on the fixtures, on their
// float16-weight variant (Cast before each consumer), and on a synthetic Gemm/Transpose graph.
import { describe, expect, it } from 'vitest';
import { describeWithFixtures, fixtureSource } from '../core/testing/fixtures';
import { openOnnx } from '../formats/onnx/onnx-reader';
import { float16Weights } from '../formats/onnx/testing/derived-models';
import { llmFeeds, runLogits } from '../formats/onnx/testing/run-llm';
import { syntheticSource } from '../formats/onnx/testing/synthetic-models';
import { indexOnnx } from './onnx-index';

describe('indexOnnx on a synthetic graph', () => {
  it('finds Gemm transB, Transpose→MatMul, Gather, norm and bias roles with their layouts', async () => {
    const idx = indexOnnx(await openOnnx([syntheticSource()]));
    const by = Object.fromEntries(idx.tensors.map((t) => [t.name, t]));
    expect(by['fc1.weight']).toMatchObject({ role: 'matmul-weight', layer: 'enc.fc1', layout: { rows: 32, cols: 16, rowStride: 16, colStride: 1 } });
    expect(by['fc2.weight']).toMatchObject({ role: 'matmul-weight', layer: 'enc.fc2', layout: { rows: 8, cols: 32, rowStride: 32, colStride: 1 } });
    expect(by['embed.weight']).toMatchObject({ role: 'embedding', layer: 'enc.embed', layout: { rows: 10, cols: 16, rowStride: 16, colStride: 1 } });
    expect(by['norm.weight']).toMatchObject({ role: 'norm', layer: 'enc.norm' });
    expect(by['fc2.bias']).toMatchObject({ role: 'bias', layer: 'enc.fc2' });
    expect(by.shape).toMatchObject({ role: 'other', layer: 'shape', dtype: 'i64' });
    expect(idx.architecture).toBe('unknown');
    expect(idx.paramCount).toBe(160 + 16 + 512 + 256 + 8 + 2);
    expect(idx.bytesByRole['matmul-weight']).toBe((512 + 256) * 4);
  });
});

describeWithFixtures('indexOnnx on the fixtures', [['models', 'tiny-llama', 'onnx'], ['models', 'small-llama', 'onnx']], () => {
  it('tiny-llama: llama, 29 matmul weights, 1 embedding, 9 norms, readable layer names', async () => {
    const idx = indexOnnx(await openOnnx([await fixtureSource('models', 'tiny-llama', 'onnx', 'model.onnx')]));
    expect(idx.architecture).toBe('llama');
    const count = (role: string) => idx.tensors.filter((t) => t.role === role).length;
    expect([count('matmul-weight'), count('embedding'), count('norm'), count('other')]).toEqual([29, 1, 9, 0]);
    expect(idx.paramCount).toBe(1836160);
    const layer = (l: string) => idx.tensors.find((t) => t.layer === l)!;
    expect(layer('model.layers.0.self_attn.k_proj')).toMatchObject({ name: 'onnx::MatMul_1223', shape: [128, 64], layout: { rows: 64, cols: 128, rowStride: 1, colStride: 64 } });
    expect(layer('lm_head')).toMatchObject({ role: 'matmul-weight', layout: { rows: 4096, cols: 128, rowStride: 1, colStride: 4096 } });
    expect(layer('model.embed_tokens')).toMatchObject({ role: 'embedding', layout: { rows: 4096, cols: 128, rowStride: 128, colStride: 1 } });
    expect(layer('model.norm').role).toBe('norm');
    expect(idx.bytesByRole).toMatchObject({ 'matmul-weight': 5242880, embedding: 2097152, norm: 4608 });
  });

  it('small-llama: llama with every layer weight found', async () => {
    const idx = indexOnnx(await openOnnx([await fixtureSource('models', 'small-llama', 'onnx', 'model.onnx')]));
    expect(idx.architecture).toBe('llama');
    expect(idx.tensors.filter((t) => t.role === 'other')).toEqual([]);
    expect(idx.paramsByRole['matmul-weight'] + idx.paramsByRole.embedding + idx.paramsByRole.norm).toBe(idx.paramCount);
  });

  it('float16 weights behind a Cast: same roles, layouts and layers, half the bytes, and it runs', async () => {
    const base = await openOnnx([await fixtureSource('models', 'tiny-llama', 'onnx', 'model.onnx')]);
    const f16Source = await float16Weights(base);
    const half = indexOnnx(await openOnnx([f16Source]));
    const full = indexOnnx(base);
    expect(half.architecture).toBe('llama');
    const strip = (n: string) => n.replace(/_f16$/, '');
    expect(half.tensors.map((t) => [strip(t.name), t.role, t.layer, t.layout])).toEqual(full.tensors.map((t) => [t.name, t.role, t.layer, t.layout]));
    expect(half.tensors.filter((t) => t.dtype === 'f16').length).toBe(30);
    expect(half.bytesByRole['matmul-weight']).toBe(full.bytesByRole['matmul-weight'] / 2);
    const logits = await runLogits(await f16Source.read(0, f16Source.byteLength), llmFeeds(base, 4096));
    const ref = await runLogits(await base.file.read(0, base.file.byteLength), llmFeeds(base, 4096));
    let maxDiff = 0;
    for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref[i] - logits[i]));
    expect(maxDiff).toBeGreaterThan(0); // the weights really are rounded to f16
    expect(maxDiff).toBeLessThan(0.05);
  });
});
