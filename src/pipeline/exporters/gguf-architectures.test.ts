// GGUF conversion beyond llama, checked in llama.cpp (node-llama-cpp): qwen2 (its own
// architecture: q/k/v biases, tied output, rows not permuted), mistral (the llama architecture,
// head_dim ≠ hidden/heads written as key_length), Llama-3's llama3 rope scaling (the rope_freqs
// tensor; the 256-token windows run far past its original 32 positions) and llama with attention
// biases (q/k biases permuted like the weights). The checkpoints are built here with seeded random weights in each
// architecture's layout and tiny-llama's tokenizer (testing/synthetic-checkpoint.ts), converted
// with `studio convert … --type F32`; llama.cpp's perplexity over two windows equals the one the
// studio measures on the same checkpoint's built ONNX graph.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { blobSink, concatChunks } from '../../core/byte-sink';
import { describeWithFixtures, fixturePath } from '../../core/testing/fixtures';
import { createNodeLmSession } from '../../eval/ort-node';
import { evaluatePerplexity } from '../../eval/perplexity';
import { loadTokenizer } from '../../eval/tokenizer';
import { openGguf } from '../../formats/gguf/gguf-reader';
import { syntheticCheckpoint } from '../../formats/onnx/decoder/testing/synthetic-checkpoint';
import { runCli } from '../../cli/run-cli';
import { blobSource } from '../../core/byte-source';
import { writeModelOnnx } from '../decoder-onnx';
import { openModel } from '../open-model';
import { llamaCppNll, openLlama, type Llama } from './testing/llama-cpp';
import { openAsBlob } from 'node:fs';

const TINY = ['models', 'tiny-llama'];
const tmp = mkdtempSync(join(tmpdir(), 'studio-gguf-arch-'));
const BASE = { hidden_act: 'silu', max_position_embeddings: 512, vocab_size: 4096, num_hidden_layers: 2, hidden_size: 64, bos_token_id: 0, eos_token_id: 0 };
/** The regex splits of Qwen2's and Llama 3's tokenizer.json (digits one at a time, or up to three). */
const SPLITS: Record<string, string> = {
  qwen2: String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
  'llama-bpe': String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
};

/** tiny-llama's tokenizer.json with the pre-tokenizer of Qwen2 or Llama 3 (vocabulary and merges unchanged). */
function withSplit(split: string): Record<string, unknown> {
  const t = JSON.parse(readFileSync(fixturePath(...TINY, 'tokenizer.json'), 'utf8'));
  t.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: SPLITS[split] }, behavior: 'Isolated', invert: false }, { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false }] };
  return t;
}

const CASES: { name: string; arch: string; config: Record<string, unknown>; split?: string }[] = [
  {
    name: 'qwen2 (Qwen2\'s pre-tokenizer)', arch: 'qwen2', split: 'qwen2',
    config: { ...BASE, architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', intermediate_size: 128, num_attention_heads: 4, num_key_value_heads: 2, rms_norm_eps: 1e-6, rope_theta: 1_000_000, tie_word_embeddings: true, use_sliding_window: false },
  },
  {
    name: 'mistral', arch: 'llama',
    config: { ...BASE, architectures: ['MistralForCausalLM'], model_type: 'mistral', intermediate_size: 96, num_attention_heads: 4, num_key_value_heads: 1, head_dim: 24, rms_norm_eps: 1e-5, rope_theta: 10000, sliding_window: null, tie_word_embeddings: false },
  },
  {
    name: 'Llama-3 (llama3 rope scaling: rope_freqs; Llama 3\'s pre-tokenizer)', arch: 'llama', split: 'llama-bpe',
    config: {
      ...BASE, architectures: ['LlamaForCausalLM'], model_type: 'llama', intermediate_size: 128, num_attention_heads: 4, num_key_value_heads: 2, rms_norm_eps: 1e-5, rope_theta: 500000, tie_word_embeddings: false,
      rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 32 },
    },
  },
  {
    name: 'llama with attention biases', arch: 'llama',
    config: { ...BASE, architectures: ['LlamaForCausalLM'], model_type: 'llama', intermediate_size: 128, num_attention_heads: 4, num_key_value_heads: 2, rms_norm_eps: 1e-5, rope_theta: 10000, attention_bias: true, tie_word_embeddings: false },
  },
];

describeWithFixtures('GGUF conversion of qwen2, mistral and biased llama checkpoints, run in llama.cpp', [[...TINY, 'tokenizer.json']], () => {
  let llama: Llama;
  let ids: Int32Array;
  beforeAll(async () => {
    llama = await openLlama();
    const text = readFileSync(resolve(import.meta.dirname, '../../../public/eval/wikitext-2-test-excerpt.txt'), 'utf8');
    ids = loadTokenizer(readFileSync(fixturePath(...TINY, 'tokenizer.json'))).encode(text);
  }, 120_000);
  afterAll(async () => llama?.dispose());

  for (const c of CASES) {
    it(`${c.name}: llama.cpp's perplexity of the GGUF is the studio's of the checkpoint`, async () => {
      const dir = mkdtempSync(join(tmp, `${c.name.replace(/\W+/g, '-')}-`));
      const checkpoint = await syntheticCheckpoint(c.config, 11);
      writeFileSync(join(dir, 'model.safetensors'), await checkpoint.files[0].read(0, checkpoint.files[0].byteLength));
      writeFileSync(join(dir, 'config.json'), JSON.stringify(c.config));
      for (const f of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(fixturePath(...TINY, f), join(dir, f));
      if (c.split) writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(withSplit(c.split)));
      const out = join(dir, 'model-f32.gguf');
      const r = await runCli(['convert', join(dir, 'model.safetensors'), '-o', out, '--type', 'F32']);
      expect(r.code, r.stderr).toBe(0);
      const gguf = await openGguf(blobSource(await openAsBlob(out), out));
      expect(gguf.metadata.get('general.architecture')?.value).toBe(c.arch);
      if (c.split) {
        // llama.cpp's own pre-tokenizer for that split tokenizes like the tokenizer.json.
        expect(gguf.metadata.get('tokenizer.ggml.pre')?.value).toBe(c.split);
        const text = readFileSync(resolve(import.meta.dirname, '../../../public/eval/wikitext-2-test-excerpt.txt'), 'utf8').slice(0, 20_000) + " It's 1234567 o'clock, DON'T\n\n  go";
        const ours = Array.from(loadTokenizer(readFileSync(join(dir, 'tokenizer.json'))).encode(text));
        const loaded = await llama.loadModel({ modelPath: out });
        const theirs = Array.from(loaded.tokenize(text)).map(Number);
        await loaded.dispose();
        expect(theirs.length).toBe(ours.length);
        expect(theirs).toEqual(ours);
      }

      const sink = blobSink();
      await writeModelOnnx(await openModel(checkpoint.files), sink);
      const session = await createNodeLmSession(concatChunks(sink.chunks));
      const studio = (await evaluatePerplexity(session, ids, { windows: 2 })).ppl;
      await session.release();
      const theirs = Math.exp(await llamaCppNll(llama, out, ids, 2));
      console.log(`${c.name}: llama.cpp ${theirs.toFixed(4)}, studio ${studio.toFixed(4)} (2 windows, random weights)`);
      expect(Math.abs(theirs / studio - 1)).toBeLessThan(1e-3);
    }, 120_000);
  }
});
