// Resolving recipes against the fixture models, without reading a weight: the first matching rule
// decides (keep, role limits, unmatched tensors kept), presets expand to llama.cpp's per-tensor
// choices and print as an equivalent recipe, and what cannot run is refused before any work with
// a message naming the rule and the tensor.
import { describe, expect, it } from 'vitest';
import type { CompressionPlan, OutputFormat } from '../../core/compression-plan';
import { reportOf } from '../../core/compression-report';
import { RecipeError } from '../../core/errors';
import { describeWithFixtures } from '../../core/testing/fixtures';
import { fixtureContext, openFixture, type FixtureModel } from '../exporters/testing/export-fixtures';
import type { OpenedModel } from '../open-model';
import { parseRecipe } from './parse-recipe';
import { firstMatch } from '../../core/rule-match';
import { resolveRecipe } from './resolve-recipe';
import type { TensorInfo } from '../../core/model-index';
import { patternProblem } from '../methods/prune-target';
import { ISSUE_RECIPE } from './testing/recipes';

async function plan(model: FixtureModel, file: string, recipe: unknown, format: OutputFormat, opened?: OpenedModel): Promise<CompressionPlan> {
  const m = opened ?? (await openFixture(model, file));
  return (await resolveRecipe(m, parseRecipe(recipe), format, await fixtureContext(m, model))).plan;
}

async function refusal(run: Promise<unknown>): Promise<RecipeError> {
  const e = await run.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(RecipeError);
  return e as RecipeError;
}

describe('patternProblem', () => {
  it('says when an N:M group does not divide the rows of a tensor', () => {
    const t = { name: 'w', layer: 'model.layers.0.mlp.up_proj', layout: { rows: 8, cols: 30, rowStride: 30, colStride: 1 } } as TensorInfo;
    expect(patternProblem({ pattern: '4:8' }, t)).toBe('its rows of 30 inputs are not a whole number of 4:8 groups of 8');
    expect(patternProblem({ pattern: '2:4' }, { ...t, layout: { ...t.layout!, cols: 32 } })).toBeUndefined();
    expect(patternProblem({ sparsity: 0.5 }, t)).toBeUndefined();
  });
});

describe('firstMatch', () => {
  const m = (match: string, role?: string) => ({ re: new RegExp(match), role });
  const t = { name: 'onnx::MatMul_7', layer: 'model.layers.0.mlp.down_proj', role: 'matmul-weight' as const };
  it('tries rules in order, unanchored, against the layer and the tensor name, honouring the role', () => {
    expect(firstMatch([m('up_proj'), m('mlp'), m('.*')], t)).toBe(1);
    expect(firstMatch([m('MatMul_7')], t)).toBe(0);
    expect(firstMatch([m('.*', 'embedding'), m('down')], t)).toBe(1);
    expect(firstMatch([m('^mlp')], t)).toBeNull();
  });
});

describeWithFixtures('resolveRecipe (tiny-llama, small-llama)', [['models', 'tiny-llama', 'onnx', 'model.onnx'], ['models', 'small-llama', 'onnx', 'model.onnx']], () => {
  it('the issue\'s mixed recipe on tiny-llama ONNX: first match wins, per-rule settings, exact bytes', async () => {
    const p = await plan('tiny-llama', 'onnx/model.onnx', ISSUE_RECIPE, 'onnx');
    const byRule = (r: number | null) => p.tensors.filter((t) => t.rule === r).map((t) => t.layer);
    expect(byRule(0).sort()).toEqual(['lm_head', 'model.embed_tokens']);
    expect(byRule(1)).toHaveLength(12);
    expect(byRule(1).every((l) => /(v|o)_proj|down_proj/.test(l))).toBe(true);
    expect(byRule(2)).toHaveLength(16);
    expect(byRule(null)).toEqual([]);
    const v = p.tensors.find((t) => t.layer === 'model.layers.0.self_attn.v_proj')!;
    expect(v.encoding).toEqual({ kind: 'matmul-nbits', bits: 8, storedBits: 8, symmetric: true, groupSize: 128, packBlock: 128 });
    // 8-bit codes, one float32 scale per row and no zero points (symmetric 8-bit).
    expect(v.bytesAfter).toBe(v.rows * v.cols + v.rows * 4);
    const q = p.tensors.find((t) => t.layer === 'model.layers.0.self_attn.q_proj')!;
    expect(q.encoding).toMatchObject({ kind: 'matmul-nbits', bits: 4, groupSize: 32, symmetric: false });
    expect(q.bytesAfter).toBe((q.rows * q.cols) / 2 + (q.rows * q.cols * 4) / 32 + (q.rows * q.cols) / 32 / 2);
    expect(p.tensors.find((t) => t.layer === 'lm_head')!.encoding).toEqual({ kind: 'copy' });
    expect(p.order).toHaveLength(28);
    expect(p.outputBytes).toBeGreaterThan(0);
    expect(p.outputBytes).toBeLessThan(p.inputBytes);
  });

  it('unmatched tensors are kept; a role limits a catch-all; nothing matched is a plain copy', async () => {
    const m = await openFixture('tiny-llama', 'onnx/model.onnx');
    const embedOnly = await plan('tiny-llama', '', { recipe: 1, rules: [{ match: '.*', role: 'embedding', quantize: { method: 'rtn', bits: 8 } }] }, 'onnx', m);
    expect(embedOnly.tensors.filter((t) => t.action.kind === 'quantize').map((t) => t.layer)).toEqual(['model.embed_tokens']);
    expect(embedOnly.tensors.find((t) => t.role === 'embedding')!.encoding.kind).toBe('gather-block-quantized');
    const none = await plan('tiny-llama', '', { recipe: 1, rules: [] }, 'onnx', m);
    expect(none.tensors.every((t) => t.rule === null && t.encoding.kind === 'copy')).toBe(true);
    expect(none.order).toEqual([]);
  });

  it('3-bit and padded blocks say what they cost', async () => {
    const p = await plan('tiny-llama', 'onnx/model.onnx', { recipe: 1, rules: [{ match: 'q_proj', quantize: { method: 'rtn', bits: 3, group: 256 } }] }, 'onnx');
    const q = p.tensors.find((t) => t.layer === 'model.layers.0.self_attn.q_proj')!;
    expect(q.notes).toEqual([
      'rows of 128 are padded to 256 for blocks of 256 (MatMulNBits stores whole blocks)',
      '3-bit codes are stored in 4-bit containers (MatMulNBits has no 3-bit packing)',
    ]);
  });

  it('a preset expands to llama.cpp\'s per-tensor types, and its printed expansion plans the same', async () => {
    const m = await openFixture('small-llama', 'onnx/model.onnx');
    const preset = await plan('small-llama', '', { recipe: 1, preset: 'Q4_K_M', rules: [] }, 'gguf', m);
    const types = new Map(preset.tensors.map((t) => [t.layer, t.encoding.kind === 'ggml' ? t.encoding.type : t.encoding.kind]));
    // llama.cpp's Q4_K_M on 8 layers: attn_v and ffn_down of layers 0, 3, 6, 7 in Q6_K (use_more_bits), the tied embedding Q6_K.
    expect(types.get('model.embed_tokens')).toBe('Q6_K');
    expect(types.get('lm_head')).toBe('tied');
    for (const i of [0, 3, 6, 7]) expect([types.get(`model.layers.${i}.self_attn.v_proj`), types.get(`model.layers.${i}.mlp.down_proj`)]).toEqual(['Q6_K', 'Q6_K']);
    for (const i of [1, 2, 4, 5]) expect([types.get(`model.layers.${i}.self_attn.v_proj`), types.get(`model.layers.${i}.mlp.down_proj`)]).toEqual(['Q4_K', 'Q4_K']);
    expect(types.get('model.layers.0.self_attn.q_proj')).toBe('Q4_K');
    expect(preset.ruleSources.every((s) => s === 'preset Q4_K_M')).toBe(true);
    const expanded = await plan('small-llama', '', { recipe: 1, rules: preset.rules }, 'gguf', m);
    expect(expanded.tensors.map((t) => [t.name, t.encoding, t.bytesAfter])).toEqual(preset.tensors.map((t) => [t.name, t.encoding, t.bytesAfter]));
    // Same tensors; the headers differ only by the embedded recipe's length (up to the 32-byte alignment).
    const recipeBytes = (p: CompressionPlan) => JSON.stringify(p.recipe).length;
    expect(Math.abs(expanded.outputBytes - preset.outputBytes - (recipeBytes(expanded) - recipeBytes(preset)))).toBeLessThan(32);
  });

  it('a recipe rule comes before the preset (llama-quantize --tensor-type style)', async () => {
    const p = await plan('small-llama', 'onnx/model.onnx', { recipe: 1, preset: 'Q4_K_M', rules: [{ match: 'embed', quantize: { method: 'ggml', type: 'Q8_0' } }] }, 'gguf');
    expect(p.tensors.find((t) => t.layer === 'model.embed_tokens')).toMatchObject({ rule: 0, encoding: { kind: 'ggml', type: 'Q8_0' } });
    expect(p.ruleSources[0]).toBe('recipe');
  });

  it('refuses what the output format cannot hold, naming the rule', async () => {
    const m = await openFixture('tiny-llama', 'onnx/model.onnx');
    const ggmlIntoOnnx = await refusal(plan('tiny-llama', '', { recipe: 1, rules: [{ match: 'x', keep: true }, { match: '.*', quantize: { method: 'ggml', type: 'Q8_0' } }] }, 'onnx', m));
    expect(ggmlIntoOnnx.message).toBe('rule 1 (ggml Q8_0) cannot be written to ONNX: llama.cpp block types are for GGUF output; use method "rtn" or "gptq" for ONNX');
    expect(ggmlIntoOnnx.details).toMatchObject({ rule: 1, field: 'quantize.method' });
    const rtnIntoGguf = await refusal(plan('tiny-llama', '', { recipe: 1, rules: [{ match: '.*', quantize: { method: 'rtn', bits: 4 } }] }, 'gguf', m));
    expect(rtnIntoGguf.message).toBe('rule 0 (rtn 4-bit/32 asym) cannot be written to GGUF: GGUF holds llama.cpp block types; use method "ggml" with a type such as Q4_0 or Q4_K (or "gptq" / "awq" with a "type" to solve on it), or a "preset"');
    const presetIntoOnnx = await refusal(plan('tiny-llama', '', { recipe: 1, preset: 'Q4_K_M', rules: [] }, 'onnx', m));
    expect(presetIntoOnnx.message).toBe('"preset" Q4_K_M is a llama.cpp mix for GGUF output; ONNX output takes rtn rules');
    const presetIntoSafetensors = await refusal(plan('tiny-llama', '', { recipe: 1, preset: 'Q8_0', rules: [] }, 'safetensors', m));
    expect(presetIntoSafetensors.message).toBe('"preset" Q8_0 is a llama.cpp mix, for GGUF output; safetensors output takes rules');
    const dtypeIntoOnnx = await refusal(plan('tiny-llama', '', { recipe: 1, dtype: 'f16', rules: [] }, 'onnx', m));
    expect(dtypeIntoOnnx.message).toBe('"dtype" is for GGUF and safetensors output; ONNX output keeps the graph\'s own float types');
  });

  it('refuses a rule that cannot apply to a tensor it matches, naming the tensor', async () => {
    const m = await openFixture('tiny-llama', 'onnx/model.onnx');
    const kquant = await refusal(plan('tiny-llama', '', { recipe: 1, rules: [{ match: 'q_proj', quantize: { method: 'ggml', type: 'Q4_K' } }] }, 'gguf', m));
    expect(kquant.message).toMatch(/^rule 0 \(ggml Q4_K\) cannot quantize model\.layers\.0\.self_attn\.q_proj \(onnx::MatMul_\d+\): its rows of 128 are not a multiple of the Q4_K block of 256$/);
    expect(kquant.details.tensor).toMatch(/^onnx::MatMul_/);
    const embedding = await refusal(plan('tiny-llama', '', { recipe: 1, rules: [{ match: 'embed', quantize: { method: 'rtn', bits: 2 } }] }, 'onnx', m));
    expect(embedding.message).toMatch(/^rule 0 \(rtn 2-bit\/32 asym\) cannot quantize the embedding model\.embed_tokens \(.+\) for ONNX: GatherBlockQuantized needs 4 or 8 bits/);
  });

  it('plans pruning: what each tensor needs from calibration, the calibration itself, and that zeros alone do not shrink a file', async () => {
    const m = await openFixture('tiny-llama', 'onnx/model.onnx');
    const rules = [{ match: 'lm_head', keep: true }, { match: 'mlp', prune: { method: 'sparsegpt', sparsity: 0.5 } }, { match: '.*', role: 'matmul-weight', prune: { method: 'wanda', pattern: '2:4' }, quantize: { method: 'rtn', bits: 4 } }];
    const p = await plan('tiny-llama', '', { recipe: 1, rules }, 'onnx', m);
    expect(p.calibration).toEqual({ text: 'builtin', windows: 128, sequential: true });
    expect(p.tensors.filter((t) => t.needs === 'hessian').map((t) => t.layer.split('.').pop())).toEqual(Array(4).fill(['gate_proj', 'up_proj', 'down_proj']).flat());
    expect(p.tensors.filter((t) => t.needs === 'input-stats')).toHaveLength(16);
    expect(p.notes).toContain('pruned weights that are not quantized are stored dense: zeros do not make a file smaller by themselves (the report gives the compressed size)');
    // Magnitude needs no calibration, so the plan has none.
    expect((await plan('tiny-llama', '', { recipe: 1, rules: [{ match: '.*', prune: { method: 'magnitude', sparsity: 0.5 } }] }, 'onnx', m)).calibration).toBeUndefined();
  });

  it('refuses pruning that cannot run, naming the rule and the tensor', async () => {
    const m = await openFixture('tiny-llama', 'onnx/model.onnx');
    const embedding = await refusal(plan('tiny-llama', '', { recipe: 1, rules: [{ match: 'embed', prune: { method: 'wanda', sparsity: 0.5 } }] }, 'onnx', m));
    expect(embedding.message).toMatch(/^rule 0 \(wanda 50%\) cannot prune the embedding model\.embed_tokens \(.+\): it has no input activations to calibrate on/);
    const minimum = await refusal(plan('tiny-llama', '', { recipe: 1, rules: [{ match: 'mlp', prune: { method: 'magnitude', pattern: '2:4' }, quantize: { method: 'ggml', type: 'Q4_1' } }] }, 'gguf', m));
    expect(minimum.message).toContain('rule 0 prunes and quantizes to Q4_1, whose blocks have a minimum and cannot store exact zeros');
    const hqqFloat = await refusal(plan('tiny-llama', '', { recipe: 1, rules: [{ match: 'mlp', prune: { method: 'magnitude', pattern: '2:4' }, quantize: { method: 'hqq', bits: 4 } }] }, 'onnx', m));
    expect(hqqFloat.message).toContain('rule 0 prunes and quantizes with HQQ\'s float zero points, which cannot store exact zeros');
    // Integer zero points hold exact zeros (code z dequantizes to 0).
    await plan('tiny-llama', '', { recipe: 1, rules: [{ match: 'mlp', prune: { method: 'magnitude', pattern: '2:4' }, quantize: { method: 'hqq', bits: 4, zeroPoint: 'integer' } }] }, 'onnx', m);
    const gguf = await openFixture('tiny-llama', 'gguf/model-f32.gguf');
    const noGraph = await refusal(plan('tiny-llama', '', { recipe: 1, rules: [{ match: 'mlp', prune: { method: 'sparsegpt', sparsity: 0.5 } }] }, 'gguf', gguf));
    expect(noGraph.message).toBe('rule 0 (sparsegpt 50%) needs calibration, which runs the model\'s ONNX graph; this model has none (use method "magnitude")');
  });

  it('gptq calibrates (Hessians of its weights) and exports as MatMulNBits; it refuses what it cannot run', async () => {
    const m = await openFixture('tiny-llama', 'onnx/model.onnx');
    const gptq = { method: 'gptq', bits: 3, group: 128 };
    const p = await plan('tiny-llama', '', { recipe: 1, rules: [{ match: 'lm_head', keep: true }, { match: '.*', role: 'matmul-weight', quantize: gptq }] }, 'onnx', m);
    expect(p.calibration).toEqual({ text: 'builtin', windows: 128, sequential: true });
    const quantized = p.tensors.filter((t) => t.action.kind === 'quantize');
    expect(quantized).toHaveLength(28);
    expect(quantized.every((t) => t.needs === 'hessian' && t.encoding.kind === 'matmul-nbits')).toBe(true);
    // Same grid, same tensor bytes as rtn (the file also carries the recipe, longer for gptq).
    const rtn = await plan('tiny-llama', '', { recipe: 1, rules: [{ match: 'lm_head', keep: true }, { match: '.*', role: 'matmul-weight', quantize: { method: 'rtn', bits: 3, group: 128 } }] }, 'onnx', m);
    expect(p.tensors.map((t) => t.bytesAfter)).toEqual(rtn.tensors.map((t) => t.bytesAfter));
    expect(p.notes.filter((n) => n.startsWith('calibration sees'))).toEqual([]); // 128 windows: 32,768 tokens for inputs of up to 384
    // What a method says while running (damping raised, dead inputs) joins the tensor's plan notes in the report.
    const first = quantized[0];
    const report = reportOf(p, new Map([[first.name, { relError: 0.1, notes: ['2 of 128 inputs were never active'] }]]), 0, 'CPU reference');
    expect(report.tensors.find((t) => t.name === first.name)!.notes).toEqual([...first.notes, '2 of 128 inputs were never active']);
    const short = await plan('tiny-llama', '', { recipe: 1, calibration: { text: 'builtin', windows: 2 }, rules: [{ match: '.*', role: 'matmul-weight', quantize: gptq }] }, 'onnx', m);
    expect(short.notes).toContain('calibration sees 512 tokens, fewer than 4 × the widest input a Hessian method measures (384): its Hessians are poorly estimated and the result may be worse than round-to-nearest; 6 windows or more are advised');
    const embedding = await refusal(plan('tiny-llama', '', { recipe: 1, rules: [{ match: 'embed', quantize: { method: 'gptq', bits: 8 } }] }, 'onnx', m));
    expect(embedding.message).toMatch(/^rule 0 \(gptq 8-bit\/32 asym\) cannot quantize the embedding model\.embed_tokens \(.+\): it has no input activations to calibrate on \(use method "rtn", or keep it\)$/);
    const pruned = await refusal(plan('tiny-llama', '', { recipe: 1, rules: [{ match: 'mlp', prune: { method: 'magnitude', sparsity: 0.5 }, quantize: gptq }] }, 'onnx', m));
    expect(pruned.message).toBe('rule 0 prunes (magnitude 50%) and quantizes with gptq, which is not supported yet: quantize pruned weights with "rtn" or "ggml"');
    const gguf = await openFixture('tiny-llama', 'gguf/model-f32.gguf');
    const noGraph = await refusal(plan('tiny-llama', '', { recipe: 1, rules: [{ match: 'mlp', quantize: gptq }] }, 'safetensors', gguf));
    expect(noGraph.message).toBe('rule 0 (gptq 3-bit/128 asym) needs calibration, which runs the model\'s ONNX graph; this model has none (use method "rtn")');
  });

  it('importance-weighted llama.cpp types measure matmul inputs (not embeddings), from text or an imatrix file, which needs no graph', async () => {
    const onnx = await openFixture('tiny-llama', 'onnx/model.onnx');
    const p = await plan('tiny-llama', '', { recipe: 1, preset: 'Q4_K_M', imatrix: true, rules: [] }, 'gguf', onnx);
    expect(p.calibration).toEqual({ text: 'builtin', windows: 128, sequential: true });
    const byRole = (role: string) => p.tensors.filter((t) => t.role === role && t.action.kind === 'quantize');
    // Q5_0 (the fallback for rows of 128) takes importance; Q8_0 (Q6_K's fallback) ignores it, as in llama.cpp.
    const typeOf = (t: (typeof p.tensors)[number]) => (t.action.kind === 'quantize' && t.action.spec.method === 'ggml' ? t.action.spec.type : '');
    expect(byRole('matmul-weight').map((t) => [typeOf(t), t.needs]).filter(([type, needs]) => (type === 'Q8_0') !== (needs === 'nothing'))).toEqual([]);
    expect(byRole('matmul-weight').filter((t) => t.needs === 'input-stats')).toHaveLength(24);
    expect(byRole('embedding').every((t) => t.needs === 'nothing')).toBe(true);
    expect(p.rules.every((r) => !r.quantize || (r.quantize.method === 'ggml' && r.quantize.imatrix))).toBe(true);

    const gguf = await openFixture('tiny-llama', 'gguf/model-f32.gguf');
    const rule = { match: 'mlp', quantize: { method: 'ggml', type: 'Q4_0', imatrix: true } };
    const noGraph = await refusal(plan('tiny-llama', '', { recipe: 1, rules: [rule] }, 'gguf', gguf));
    expect(noGraph.message).toBe('rule 0 (ggml Q4_0 imatrix) needs calibration, which runs the model\'s ONNX graph; this model has none (use method "rtn", or give an importance matrix file as calibration.imatrix)');
    const fromFile = await plan('tiny-llama', '', { recipe: 1, calibration: { imatrix: 'imatrix.gguf' }, rules: [rule] }, 'gguf', gguf);
    expect(fromFile.calibration).toMatchObject({ imatrix: 'imatrix.gguf' });
    expect(fromFile.tensors.filter((t) => t.needs === 'input-stats').map((t) => t.layer)).toHaveLength(12);
    const hessian = await refusal(plan('tiny-llama', '', { recipe: 1, calibration: { imatrix: 'imatrix.gguf' }, rules: [{ match: 'mlp', quantize: { method: 'gptq', bits: 4 } }] }, 'onnx', onnx));
    expect(hessian.message).toMatch(/^rule 0 \(gptq 4-bit\/32 asym\) needs a Hessian of its input, which the importance matrix imatrix\.gguf \(per-column means only\) cannot give/);
  });

  it('channel pruning narrows each MLP as a whole, and says so; it refuses halves of an MLP and mixed widths where a format holds one', async () => {
    const m = await openFixture('tiny-llama', 'onnx/model.onnx');
    const channels = { method: 'channels', sparsity: 0.25 };
    const p = await plan('tiny-llama', '', { recipe: 1, rules: [{ match: 'mlp\\.(gate|up|down)_proj$', prune: channels, quantize: { method: 'rtn', bits: 4 } }] }, 'onnx', m);
    const gate = p.tensors.find((t) => t.layer === 'model.layers.0.mlp.gate_proj')!;
    const down = p.tensors.find((t) => t.layer === 'model.layers.0.mlp.down_proj')!;
    expect(p.mlpWidth).toEqual({ from: 384, to: 288 });
    expect([gate.rows, gate.cols, down.rows, down.cols]).toEqual([288, 128, 128, 288]);
    expect(gate.channels).toEqual({ kept: 288, of: 384, axis: 'rows' });
    expect(gate.needs).toBe('nothing');
    expect(down.needs).toBe('input-stats'); // the channels are ranked by down_proj's input
    expect(p.notes).toContain('channel pruning keeps 288 of 384 MLP channels in every layer: the model is smaller and faster, and its MLP says 288');
    const half = await refusal(plan('tiny-llama', '', { recipe: 1, rules: [{ match: 'mlp\\.gate_proj$', prune: channels }] }, 'onnx', m));
    expect(half.message).toBe('rule 0 (MLP channels −25%) removes whole MLP channels, so model.layers.0.mlp.up_proj must lose the same channels (the same method and sparsity); it is taken by no rule (kept)');
    const attention = await refusal(plan('tiny-llama', '', { recipe: 1, rules: [{ match: 'q_proj', prune: channels }] }, 'onnx', m));
    expect(attention.message).toMatch(/^rule 0 \(MLP channels −25%\) cannot prune model\.layers\.0\.self_attn\.q_proj \(.+\): channel pruning removes MLP intermediate channels: it applies to mlp\.gate_proj, mlp\.up_proj and mlp\.down_proj only$/);
    const firstLayer = { recipe: 1, rules: [{ match: 'layers\\.0\\.mlp\\.', prune: channels }] };
    expect((await plan('tiny-llama', '', firstLayer, 'onnx', m)).mlpWidth).toBeUndefined(); // ONNX holds any width per layer
    const mixed = await refusal(plan('tiny-llama', '', firstLayer, 'gguf', m));
    expect(mixed.message).toContain('GGUF (feed_forward_length) holds one MLP width for every layer');
  });

  it('GGUF output from ONNX needs config.json and tokenizer.json, before any work', async () => {
    const { openModel } = await import('../open-model');
    const { fixtureSource } = await import('../../core/testing/fixtures');
    const bare = await openModel([await fixtureSource('models', 'tiny-llama', 'onnx', 'model.onnx')]);
    await expect(resolveRecipe(bare, parseRecipe({ recipe: 1, preset: 'Q8_0', rules: [] }), 'gguf')).rejects.toThrow(
      'GGUF output from an ONNX model needs its config.json and tokenizer.json (config.json is missing): give them with the model',
    );
  });
});
