// GPTQ-packed safetensors through the seam (tiny-llama ONNX, a mixed recipe: 4-bit/32 asym,
// 8-bit per-channel symmetric down_proj, one 3-bit q_proj the layout cannot hold): the plan's
// encodings, notes and size (= the file's); the four tensors per Linear with AutoGPTQ's shapes and
// dtypes; config.json's quantization_config with GPTQModel's `dynamic` overrides; and the round
// trip — the studio's own reader opens the file and reads every weight back as (q − zero)·scale
// with the scale in float16, exactly, and the 3-bit weight as the floats it was stored as.
import { beforeAll, expect, it } from 'vitest';
import { bytesSource } from '../../core/byte-source';
import { roundToF16 } from '../../core/float16';
import type { IntGroupTensor } from '../../core/compressed-tensor';
import { RECIPE_VERSION, type Recipe } from '../../core/recipe';
import { OUTPUT_HEAD_PATTERN } from '../../core/tensor-selection';
import { describeWithFixtures } from '../../core/testing/fixtures';
import { fixtureSource } from '../../formats/gguf/testing/fixtures';
import { openSafetensors } from '../../formats/safetensors/safetensors-reader';
import { codeAt } from '../../quant/rtn';
import { dequantizeCompressed } from '../../quant/dequantize-compressed';
import { openModel, type OpenedModel } from '../open-model';
import { parseRecipe } from '../recipe/parse-recipe';
import { readWeight } from '../weights/read-weight';
import { hfWeightSource } from '../weights/hf-weights';
import { checkpointConfig } from './safetensors-config';
import { compressFixture, exportedBytes, type CompressedFixture } from './testing/export-fixtures';

const RECIPE: Recipe = parseRecipe({
  recipe: RECIPE_VERSION,
  rules: [
    { match: OUTPUT_HEAD_PATTERN, keep: true },
    { match: 'layers\\.0\\.self_attn\\.q_proj', quantize: { method: 'rtn', bits: 3, group: 32 } },
    { match: 'mlp\\.down_proj', quantize: { method: 'rtn', bits: 8, group: 'per-channel', symmetric: true } },
    { match: '.*', role: 'matmul-weight', quantize: { method: 'rtn', bits: 4, group: 32, symmetric: false } },
  ],
});

/** What a GPTQ reader computes: (q − zero)·scale, the scale as the file stores it (float16). */
function gptqValues(t: IntGroupTensor): Float32Array {
  const groups = Math.ceil(t.cols / t.groupSize);
  return Float32Array.from({ length: t.rows * t.cols }, (_, i) => {
    const r = Math.floor(i / t.cols);
    const g = Math.floor((i % t.cols) / t.groupSize);
    return roundToF16(t.scales[r * groups + g]) * (codeAt(t, r, i % t.cols) - t.zeroPoints[r * groups + g]);
  });
}

describeWithFixtures('GPTQ-packed safetensors (tiny-llama ONNX)', [['models', 'tiny-llama', 'onnx', 'model.onnx'], ['models', 'tiny-llama', 'config.json']], () => {
  let c: CompressedFixture;
  let bytes: Uint8Array;
  let reopened: OpenedModel;
  let config: Record<string, unknown>;
  beforeAll(async () => {
    c = await compressFixture('tiny-llama', 'onnx/model.onnx', RECIPE, 'safetensors');
    bytes = await exportedBytes(c);
    const configSource = await fixtureSource('models/tiny-llama/config.json');
    config = JSON.parse(new TextDecoder().decode(await configSource.read(0, configSource.byteLength)));
    reopened = await openModel([bytesSource(bytes, 'model.safetensors'), configSource]);
  }, 120_000);

  const layerOf = (name: string) => c.resolved.plan.tensors.find((t) => t.name === name)!.layer;
  const planned = (layer: string) => c.resolved.plan.tensors.find((t) => t.layer === layer)!;

  it('plans GPTQ packing where the layout holds the weight and says why not elsewhere; the size is the file\'s', () => {
    const plan = c.resolved.plan;
    expect(planned('model.layers.1.self_attn.q_proj').encoding).toMatchObject({ kind: 'gptq-packed', bits: 4, groupSize: 32, symmetric: false });
    expect(planned('model.layers.0.mlp.down_proj').encoding).toMatchObject({ kind: 'gptq-packed', bits: 8, symmetric: true });
    expect(planned('model.layers.0.self_attn.q_proj').encoding).toEqual({ kind: 'float', dtype: 'F32', dequantized: true });
    expect(planned('lm_head').encoding).toEqual({ kind: 'float', dtype: 'F32', dequantized: false });
    expect(plan.notes).toContain("27 quantized Linear weights are stored GPTQ-packed (qweight/qzeros/scales/g_idx, AutoGPTQ's v1 layout, float16 scales); config.json's quantization_config tells AutoGPTQ, GPTQModel and transformers how to load them");
    expect(plan.notes).toContain('1 quantized weight (model.layers.0.self_attn.q_proj) is stored dequantized as floats, at float size (the file shows exactly what the recipe did): 3-bit codes have no GPTQ packing the studio writes (2, 4 and 8 bits)');
    expect(plan.outputBytes).toBe(bytes.byteLength);
  });

  it('writes qweight/qzeros/scales/g_idx with AutoGPTQ\'s shapes and dtypes, and no .weight for them', async () => {
    const file = await openSafetensors(bytesSource(bytes, 'model.safetensors'));
    const header = (name: string) => {
      const t = file.tensors.find((x) => x.name === name);
      return t && [t.dtype, t.shape];
    };
    // q_proj: K = N = 128; 4-bit, groups of 32 → 4 groups.
    expect(['qweight', 'qzeros', 'scales', 'g_idx'].map((p) => header(`model.layers.1.self_attn.q_proj.${p}`))).toEqual([['I32', [16, 128]], ['I32', [4, 16]], ['F16', [4, 128]], ['I32', [128]]]);
    // down_proj: 8-bit per channel: one group over K.
    const down = c.resolved.plan.tensors.find((t) => t.layer === 'model.layers.0.mlp.down_proj')!;
    expect(header('model.layers.0.mlp.down_proj.qweight')).toEqual(['I32', [down.cols / 4, down.rows]]);
    expect(header('model.layers.0.mlp.down_proj.scales')).toEqual(['F16', [1, down.rows]]);
    expect(header('model.layers.1.self_attn.q_proj.weight')).toBeUndefined();
    expect(header('model.layers.0.self_attn.q_proj.weight')).toEqual(['F32', [128, 128]]);
  });

  it('config.json says how: the common setting, dynamic overrides for the rest, unquantized Linear skipped', () => {
    const q = checkpointConfig(config, c.resolved.plan).quantization_config as Record<string, unknown>;
    const dynamic: Record<string, unknown> = { '-:^model\\.layers\\.0\\.self_attn\\.q_proj$': {} };
    for (let l = 0; l < 4; l++) dynamic[`+:^model\\.layers\\.${l}\\.mlp\\.down_proj$`] = { bits: 8, group_size: -1, sym: true };
    expect(q).toEqual({
      quant_method: 'gptq', checkpoint_format: 'gptq', bits: 4, group_size: 32, sym: false, desc_act: false, static_groups: false, true_sequential: false,
      dynamic, meta: { quantizer: ['compression-studio'] },
    });
  });

  it('the studio reads it back: every weight as a GPTQ reader computes it, the 3-bit one as stored', async () => {
    expect(reopened.index.format).toBe('safetensors');
    const hf = hfWeightSource(reopened);
    for (const [name, result] of c.results) {
      if (result.kind !== 'int-groups') continue;
      const layer = layerOf(name);
      const info = reopened.index.tensors.find((t) => t.name === `${layer}.weight`)!;
      // The 3-bit weight was stored as floats (dequantized), the others packed.
      const stored = result.bits === 3 ? 'f32' : `gptq${result.bits}`;
      expect(info, layer).toMatchObject({ role: 'matmul-weight', dtype: stored, layout: { rows: result.rows, cols: result.cols } });
      const read = await readWeight(reopened, info);
      const values = new Float32Array(read.bytes.slice().buffer);
      const want = result.bits === 3 ? dequantizeCompressed(result) : gptqValues(result);
      expect(Buffer.compare(Buffer.from(values.buffer), Buffer.from(want.buffer)), layer).toBe(0);
      if (layer.endsWith('layers.2.mlp.up_proj')) expect(await hf.readFloats(`${layer}.weight`)).toEqual(want);
    }
    // Packed weights take a fifth of their float32 bytes or less (4-bit: 0.5 byte + a float16 scale and a zero per 32),
    // and the file is smaller than the float checkpoint by about that (the kept embedding and head dominate tiny-llama).
    const packed = c.resolved.plan.tensors.filter((t) => t.encoding.kind === 'gptq-packed');
    const before = packed.reduce((n, t) => n + t.bytesBefore, 0);
    expect(packed.reduce((n, t) => n + t.bytesAfter, 0) / before).toBeLessThan(0.2);
    expect(bytes.byteLength).toBeLessThan((await fixtureSource('models/tiny-llama/model.safetensors')).byteLength - 0.8 * before);
  });
});
