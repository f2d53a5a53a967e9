// Preset type choices against llama-quantize's own: small-llama's model-Q4_K_M.gguf fixes the
// Q4_K_M mix tensor by tensor; the pure fixtures fix the default types; tiny-llama's 128-wide
// rows exercise the fallbacks (FORMATS §4.4c).
import { describe, expect, it } from 'vitest';
import { openGguf } from '../../formats/gguf/gguf-reader';
import { fixtureSource, itWithFixtures } from '../../formats/gguf/testing/fixtures';
import { GGUF_PRESETS, planGgufPreset, useMoreBits, type GgufPresetName } from './gguf-presets';

const SMALL = 'models/small-llama/gguf/model-f16.gguf';
const SMALL_Q4_K_M = 'models/small-llama/gguf/llama.cpp-quantized/model-Q4_K_M.gguf';
const TINY = 'models/tiny-llama/gguf/model-f32.gguf';

async function tensorsOf(path: string) {
  const g = await openGguf(await fixtureSource(path));
  const u32 = (k: string) => g.metadata.get(k)?.value as number;
  const model = { nLayer: u32('llama.block_count'), nHead: u32('llama.attention.head_count'), nHeadKv: u32('llama.attention.head_count_kv') };
  return { g, model, tensors: g.tensors.map((t) => ({ name: t.name, shape: t.shape })) };
}

describe('GGUF presets', () => {
  it('useMoreBits matches llama.cpp for 8 and 32 layers', () => {
    expect([...Array(8).keys()].filter((i) => useMoreBits(i, 8))).toEqual([0, 3, 6, 7]);
    expect([...Array(32).keys()].filter((i) => useMoreBits(i, 32))).toEqual([0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31]);
  });

  itWithFixtures([SMALL, SMALL_Q4_K_M], 'Q4_K_M picks the type llama-quantize picked for every small-llama tensor', async () => {
    const { g, model, tensors } = await tensorsOf(SMALL);
    const ref = await openGguf(await fixtureSource(SMALL_Q4_K_M));
    const plan = planGgufPreset('Q4_K_M', tensors, model);
    const ours = new Map(plan.choices.map((c) => [c.name, c.type]));
    const sourceType = new Map(g.tensors.map((t) => [t.name, t.type.name]));
    const mismatches: string[] = [];
    for (const t of ref.tensors) {
      // null = kept as stored in the source (the F32 norms).
      const chosen = ours.get(t.name) ?? sourceType.get(t.name);
      if (chosen !== t.type.name) mismatches.push(`${t.name}: ours ${chosen}, llama.cpp ${t.type.name}`);
    }
    expect(mismatches).toEqual([]);
    expect(ref.tensors.length).toBe(tensors.length);
    expect(plan.fallbackCount).toBe(0);
    expect(ref.metadata.get('general.file_type')?.value).toBe(GGUF_PRESETS.Q4_K_M.fileType);
    // The mix the fixture README describes: tied token embedding in Q6_K, some attn_v/ffn_down in Q6_K.
    const q6 = plan.choices.filter((c) => c.type === 'Q6_K').map((c) => c.name);
    expect(q6).toContain('token_embd.weight');
    expect(q6.filter((n) => n.includes('attn_v'))).toEqual(['blk.0.attn_v.weight', 'blk.3.attn_v.weight', 'blk.6.attn_v.weight', 'blk.7.attn_v.weight']);
  });

  for (const [file, preset] of [['Q8_0', 'Q8_0'], ['Q4_0', 'Q4_0'], ['Q6_K', 'Q6_K'], ['Q2_K', 'Q2_K']] as const) {
    const ref = `models/small-llama/gguf/llama.cpp-quantized/model-${file}-pure.gguf`;
    itWithFixtures([SMALL, ref], `--pure ${preset} gives every quantized small-llama tensor the type in ${file}-pure`, async () => {
      const { model, tensors } = await tensorsOf(SMALL);
      const r = await openGguf(await fixtureSource(ref));
      const plan = planGgufPreset(preset as GgufPresetName, tensors, model, true);
      for (const c of plan.choices) {
        const stored = r.tensors.find((t) => t.name === c.name)?.type.name;
        expect(c.type ?? 'F32', c.name).toBe(stored);
      }
    });
  }

  itWithFixtures([TINY], 'tiny-llama: 128-wide rows fall back as in FORMATS §4.4c and are reported', async () => {
    const { model, tensors } = await tensorsOf(TINY);
    const plan = planGgufPreset('Q4_K_M', tensors, model);
    const type = (n: string) => plan.choices.find((c) => c.name === n)?.type;
    expect(type('blk.1.attn_q.weight')).toBe('Q5_0'); // Q4_K → Q5_0
    expect(type('blk.0.attn_v.weight')).toBe('Q5_0'); // use_more_bits(0, 4) is false: Q4_K → Q5_0
    expect(type('blk.3.attn_v.weight')).toBe('Q8_0'); // use_more_bits(3, 4): Q6_K → Q8_0
    expect(type('blk.1.ffn_down.weight')).toBe('Q5_0'); // ffn_down rows are 384 = 1.5 blocks
    expect(type('output.weight')).toBe('Q8_0'); // output: 128 % 256 ≠ 0 → Q8_0 directly, no fallback
    expect(type('token_embd.weight')).toBe('Q5_0'); // not tied: default type, then fallback
    expect(type('blk.0.attn_norm.weight')).toBeNull();
    expect(plan.choices.find((c) => c.name === 'blk.1.attn_q.weight')?.fallback?.message)
      .toBe('blk.1.attn_q.weight - ncols 128 not divisible by 256 (required for type Q4_K) -> falling back to Q5_0');
    expect(plan.fallbackCount).toBe(4 * 7 + 1);
    expect(plan.summary).toBe(`WARNING: 29 of ${tensors.length} tensor(s) required fallback quantization`);
  });

  it('Q2_K and Q3_K_M single out attn_v, attn_output and ffn_down like llama.cpp', () => {
    const names = ['token_embd.weight', 'output.weight'];
    for (let i = 0; i < 16; i++) for (const s of ['attn_q', 'attn_v', 'attn_output', 'ffn_down', 'ffn_up']) names.push(`blk.${i}.${s}.weight`);
    const tensors = names.map((name) => ({ name, shape: [512, 512] }));
    const model = { nLayer: 16, nHead: 8, nHeadKv: 8 };
    const q2 = new Map(planGgufPreset('Q2_K', tensors, model).choices.map((c) => [c.name, c.type]));
    expect([q2.get('blk.5.attn_v.weight'), q2.get('blk.5.attn_output.weight'), q2.get('blk.5.ffn_down.weight'), q2.get('blk.5.attn_q.weight')])
      .toEqual(['Q3_K', 'Q3_K', 'Q3_K', 'Q2_K']);
    expect(q2.get('output.weight')).toBe('Q6_K');
    expect(q2.get('token_embd.weight')).toBe('Q2_K'); // untied: default type
    const gqa = new Map(planGgufPreset('Q2_K', tensors, { ...model, nHeadKv: 2 }).choices.map((c) => [c.name, c.type]));
    expect(gqa.get('blk.5.attn_v.weight')).toBe('Q4_K');
    const q3 = new Map(planGgufPreset('Q3_K_M', tensors, model).choices.map((c) => [c.name, c.type]));
    expect([q3.get('blk.0.attn_v.weight'), q3.get('blk.1.attn_v.weight'), q3.get('blk.2.attn_v.weight')]).toEqual(['Q5_K', 'Q5_K', 'Q4_K']);
    expect([q3.get('blk.0.ffn_down.weight'), q3.get('blk.1.ffn_down.weight'), q3.get('blk.5.attn_output.weight')]).toEqual(['Q5_K', 'Q4_K', 'Q4_K']);
    const q8 = new Map(planGgufPreset('Q8_0', tensors, model).choices.map((c) => [c.name, c.type]));
    expect(new Set(q8.values())).toEqual(new Set(['Q8_0']));
  });
});
