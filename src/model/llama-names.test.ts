// HF ↔ GGUF llama names and the Q/K permutation, checked against the fixture pair llama.cpp's
// converter produced: tiny-llama's model.safetensors (F32) and gguf/model-f32.gguf.
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../core/errors';
import { openGguf, readGgufTensor } from '../formats/gguf/gguf-reader';
import { fixtureSource, itWithFixtures } from '../formats/gguf/testing/fixtures';
import { openSafetensors, readSafetensorsTensor } from '../formats/safetensors/safetensors-reader';
import { ggufBlockIndex, ggufToHfName, hfToGgufName, layerNameOfGguf, permuteQkRows, unpermuteQkRows } from './llama-names';

const ST = 'models/tiny-llama/model.safetensors';
const GG = 'models/tiny-llama/gguf/model-f32.gguf';

describe('llama names', () => {
  it('maps names both ways', () => {
    expect(ggufToHfName('blk.12.attn_output.weight')).toBe('model.layers.12.self_attn.o_proj.weight');
    expect(ggufToHfName('output.weight')).toBe('lm_head.weight');
    expect(ggufToHfName('blk.0.attn_q.bias')).toBe('model.layers.0.self_attn.q_proj.bias');
    expect(ggufToHfName('blk.0.mystery.weight')).toBeUndefined();
    expect(hfToGgufName('model.layers.3.post_attention_layernorm.weight')).toBe('blk.3.ffn_norm.weight');
    expect(hfToGgufName('model.embed_tokens.weight')).toBe('token_embd.weight');
    expect(hfToGgufName('vision.tower.weight')).toBeUndefined();
    expect(layerNameOfGguf('blk.1.ffn_gate.weight')).toBe('model.layers.1.mlp.gate_proj');
    expect(layerNameOfGguf('blk.1.mystery.weight')).toBe('blk.1.mystery');
    expect([ggufBlockIndex('blk.7.attn_v.weight'), ggufBlockIndex('output.weight')]).toEqual([7, -1]);
  });

  it('permutes rows within heads: new row 2i + a ← old row a·hd/2 + i; unpermute inverts it', () => {
    // 2 heads of 4 rows, 1 column: rows 0..7.
    const rows = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(permuteQkRows(rows, 8, 1, 2))).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
    const m = Float32Array.from({ length: 24 * 3 }, (_, i) => i);
    expect(Array.from(unpermuteQkRows(permuteQkRows(m, 24, 3, 3), 24, 3, 3))).toEqual(Array.from(m));
    expect(() => permuteQkRows(new Float32Array(6), 6, 1, 2)).toThrow(ShapeError);
  });

  itWithFixtures([ST, GG], 'tiny-llama: every HF tensor maps to its GGUF twin; q/k differ exactly by the permutation', async () => {
    const st = await openSafetensors(await fixtureSource(ST));
    const gg = await openGguf(await fixtureSource(GG));
    const nHead = gg.metadata.get('llama.attention.head_count')?.value as number;
    const nHeadKv = gg.metadata.get('llama.attention.head_count_kv')?.value as number;
    expect(st.tensors.length).toBe(gg.tensors.length);
    for (const t of st.tensors) {
      const name = hfToGgufName(t.name)!;
      const g = gg.tensors.find((x) => x.name === name);
      expect(g, t.name).toBeDefined();
      expect(g!.shape).toEqual(t.shape);
      expect(ggufToHfName(name)).toBe(t.name);
      let hf = new Float32Array((await readSafetensorsTensor(st, t)).slice().buffer);
      if (name.includes('attn_q.')) hf = permuteQkRows(hf, t.shape[0], t.shape[1], nHead);
      if (name.includes('attn_k.')) hf = permuteQkRows(hf, t.shape[0], t.shape[1], nHeadKv);
      const ours = new Uint8Array(hf.buffer);
      expect(Buffer.compare(ours, await readGgufTensor(gg, g!)), name).toBe(0);
    }
  });
});
