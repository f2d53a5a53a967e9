// llama metadata and byte-level BPE vocabulary keys from HF JSON (FORMATS §4.6): value types,
// padding of the token list, token types, merge encoding, special ids, and the typed errors.
// (The fixtures' full comparison with llama.cpp's converter is in src/pipeline/convert.)
import { describe, expect, it } from 'vitest';
import { UnsupportedModelError } from '../../core/errors';
import { ggufVocabMetadata, TOKEN_TYPE } from './gguf-vocab';
import { llamaHparams, llamaMetadata, ropeFreqFactors } from './llama-metadata';

const CONFIG = {
  model_type: 'llama', hidden_size: 64, num_attention_heads: 4, num_key_value_heads: 2, num_hidden_layers: 2,
  intermediate_size: 128, max_position_embeddings: 256, rms_norm_eps: 1e-6, vocab_size: 8, rope_theta: 500000,
};

const TOKENIZER = {
  added_tokens: [{ id: 0, content: '<s>', special: true }, { id: 5, content: 'hello\u2581world', special: false }],
  pre_tokenizer: { type: 'ByteLevel', use_regex: true },
  model: { type: 'BPE', vocab: { '<s>': 0, a: 1, b: 2, 'a b': 3, ab: 4 }, merges: [['a', 'b'], ['a b', 'b']] },
};

describe('llamaMetadata', () => {
  it('writes UINT32 counts, FLOAT32 eps/freq and derives the head size', () => {
    const m = llamaMetadata(CONFIG, { name: 'x', fileType: 0 });
    expect(m.get('llama.attention.head_count_kv')).toEqual({ type: 'u32', value: 2 });
    expect(m.get('llama.rope.freq_base')).toEqual({ type: 'f32', value: 500000 });
    expect(m.get('llama.attention.layer_norm_rms_epsilon')).toEqual({ type: 'f32', value: 1e-6 });
    expect(m.get('llama.rope.dimension_count')).toEqual({ type: 'u32', value: 16 });
    expect(m.has('llama.attention.key_length')).toBe(false);
    const linear = llamaMetadata({ ...CONFIG, rope_scaling: { type: 'linear', factor: 2 } }, { name: 'x', fileType: 1 });
    expect(linear.get('llama.rope.scaling.type')).toEqual({ type: 'string', value: 'linear' });
    expect(linear.get('llama.rope.scaling.factor')).toEqual({ type: 'f32', value: 2 });
  });

  it('llama3 rope scaling writes no keys: its factors are the rope_freqs tensor, long wavelengths divided by the factor', () => {
    const llama3 = { ...CONFIG, rope_theta: 500000, rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 } };
    const m = llamaMetadata(llama3, { name: 'x', fileType: 0 });
    expect([...m.keys()].filter((k) => k.includes('scaling'))).toEqual([]);
    const factors = ropeFreqFactors(llama3)!;
    expect(factors.length).toBe(8); // head_dim 16 in CONFIG
    expect(factors[0]).toBeCloseTo(1, 6); // the shortest wavelengths are kept
    expect(factors[factors.length - 1]).toBeCloseTo(8, 4); // the longest are divided by the factor
    expect(ropeFreqFactors(CONFIG)).toBeUndefined();
  });

  it('rejects other architectures, other rope types and bad fields', () => {
    expect(() => llamaHparams({ ...CONFIG, model_type: 'gpt2' })).toThrow(/model_type "gpt2" is not a llama-family model \(llama, mistral, qwen2\)/);
    expect(() => llamaMetadata({ ...CONFIG, rope_scaling: { rope_type: 'longrope' } }, { name: 'x', fileType: 0 })).toThrow(/rope type "longrope" is not supported yet/);
    expect(() => llamaHparams({ ...CONFIG, hidden_size: '64' })).toThrow(/"hidden_size" must be a positive integer/);
    expect(() => llamaHparams({ ...CONFIG, rms_norm_eps: undefined })).toThrow(UnsupportedModelError);
  });
});

describe('ggufVocabMetadata', () => {
  it('pads to vocab_size, types tokens, encodes merges and finds special ids', () => {
    const m = ggufVocabMetadata({ tokenizer: TOKENIZER, tokenizerConfig: { bos_token: '<s>', add_bos_token: true }, config: { vocab_size: 8, eos_token_id: 0 } });
    expect(m.get('tokenizer.ggml.tokens')?.value).toEqual(['<s>', 'a', 'b', 'a b', 'ab', 'hello world', '[PAD6]', '[PAD7]']);
    expect(Array.from(m.get('tokenizer.ggml.token_type')!.value as Int32Array)).toEqual([
      TOKEN_TYPE.control, 1, 1, 1, 1, TOKEN_TYPE.userDefined, TOKEN_TYPE.unused, TOKEN_TYPE.unused,
    ]);
    expect(m.get('tokenizer.ggml.merges')?.value).toEqual(['a b', 'a\u0120b b']);
    expect(m.get('tokenizer.ggml.bos_token_id')).toEqual({ type: 'u32', value: 0 });
    expect(m.get('tokenizer.ggml.eos_token_id')).toEqual({ type: 'u32', value: 0 });
    expect(m.has('tokenizer.ggml.unknown_token_id')).toBe(false);
    expect(m.get('tokenizer.ggml.add_bos_token')).toEqual({ type: 'bool', value: true });
  });

  it('rejects tokenizers llama.cpp would need another vocab type for', () => {
    expect(() => ggufVocabMetadata({ tokenizer: {} })).toThrow(/has no "model" object/);
    expect(() => ggufVocabMetadata({ tokenizer: { ...TOKENIZER, model: { ...TOKENIZER.model, type: 'Unigram' } } })).toThrow(/model type "Unigram" is not supported yet/);
    expect(() => ggufVocabMetadata({ tokenizer: { ...TOKENIZER, pre_tokenizer: { type: 'Metaspace' } } })).toThrow(/pre-tokenizer "Metaspace" is not one llama.cpp.s converter names here/);
    expect(() => ggufVocabMetadata({ tokenizer: { ...TOKENIZER, model: { ...TOKENIZER.model, merges: [1] } } })).toThrow(/merge 0 is neither/);
  });
});
