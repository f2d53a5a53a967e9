// Graphs in the style of onnxruntime-genai's model builder and Optimum (the builder's
// style 'contrib': SimplifiedLayerNormalization, SkipSimplifiedLayerNormalization,
// RotaryEmbedding, GroupQueryAttention, optionally num_logits_to_keep), since no such file can be
// downloaded here. On tiny-llama
// the contrib graph's logits match the PyTorch export with and without a cache (float32, and
// float16 weights with float32 I/O); the studio's index reads it with the layers and roles of the
// standard graph, its evaluator reproduces the reference perplexity, and its quantizer gives the
// same 4-bit result on it as on the standard graph. The mistral (sliding window) and qwen2
// (biases) cases hold it to the TypeScript reference decoder.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { blobSink, concatChunks } from '../core/byte-sink';
import { bytesSource } from '../core/byte-source';
import { describeWithFixtures, fixturePath, fixtureSource } from '../core/testing/fixtures';
import { createNodeLmSession } from '../eval/ort-node';
import { evaluatePerplexity } from '../eval/perplexity';
import { loadTokenizer } from '../eval/tokenizer';
import { readDecoderConfig } from '../formats/hf/decoder-config';
import type { DecoderGraphOptions } from '../formats/onnx/decoder/llama-graph';
import { referenceLogits } from '../formats/onnx/decoder/testing/reference-decoder';
import { syntheticCheckpoint } from '../formats/onnx/decoder/testing/synthetic-checkpoint';
import { compressModel } from './compress-model';
import { writeModelOnnx } from './decoder-onnx';
import { openModel, type OpenedModel } from './open-model';
import { parseRecipe } from './recipe/parse-recipe';
import { resolveRecipe } from './recipe/resolve-recipe';
import { forward, maxRelativeDiff } from './testing/decoder-forward';

const TINY = ['models', 'tiny-llama'];
const ids = (n: number, vocab: number) => Array.from({ length: n }, (_, i) => (i * 7919 + 13) % vocab);

async function build(model: OpenedModel, options: DecoderGraphOptions): Promise<Uint8Array> {
  const sink = blobSink();
  await writeModelOnnx(model, sink, options);
  return concatChunks(sink.chunks);
}

const session = (bytes: Uint8Array) => ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });

/** Logits of `tokens` in one call and in two (a cache between), concatenated. */
async function wholeAndCached(s: ort.InferenceSession, tokens: number[]): Promise<[Float32Array, Float32Array]> {
  const whole = await forward(s, tokens);
  const first = await forward(s, tokens.slice(0, 25));
  const rest = await forward(s, tokens.slice(25), first.present, 25);
  return [whole.logits, new Float32Array([...first.logits, ...rest.logits])];
}

describeWithFixtures('contrib-op graphs of tiny-llama', [[...TINY, 'model.safetensors'], [...TINY, 'onnx', 'model.onnx'], ['text', 'wikitext-2-test.txt']], () => {
  let model: OpenedModel;
  let contrib: Uint8Array;
  let exported: ort.InferenceSession;
  beforeAll(async () => {
    model = await openModel([await fixtureSource(...TINY, 'model.safetensors'), await fixtureSource(...TINY, 'config.json')]);
    contrib = await build(model, { style: 'contrib' });
    exported = await session(readFileSync(fixturePath(...TINY, 'onnx', 'model.onnx')));
  }, 120_000);

  it('uses the fused ops and matches the export within 1e-4, with and without a cache; float16 within 2e-2', async () => {
    const graph = await openModel([bytesSource(contrib, 'model.onnx')]);
    const ops = new Set(graph.onnx!.graph.nodes.map((n) => n.opType));
    for (const op of ['SimplifiedLayerNormalization', 'SkipSimplifiedLayerNormalization', 'RotaryEmbedding', 'GroupQueryAttention']) expect(ops.has(op), op).toBe(true);
    const tokens = ids(40, 4096);
    const reference = (await forward(exported, tokens)).logits;
    const [whole, cached] = await wholeAndCached(await session(contrib), tokens);
    console.log(`contrib vs export: ${maxRelativeDiff(whole, reference).toExponential(2)}, cached ${maxRelativeDiff(cached, reference).toExponential(2)}`);
    expect(maxRelativeDiff(whole, reference)).toBeLessThan(1e-4);
    expect(maxRelativeDiff(cached, reference)).toBeLessThan(1e-4);
    const [half] = await wholeAndCached(await session(await build(model, { style: 'contrib', float16: true })), tokens);
    console.log(`contrib float16 vs export: ${maxRelativeDiff(half, reference).toExponential(2)}`);
    expect(maxRelativeDiff(half, reference)).toBeLessThan(2e-2);
  });

  it('num_logits_to_keep: 1 gives the last position\'s logits, 0 all of them, and the evaluator fills it', async () => {
    const bytes = await build(model, { style: 'contrib', logitsToKeep: true });
    const s = await session(bytes);
    const tokens = ids(12, 4096);
    const all = await forward(s, tokens);
    const feeds = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(tokens.map(BigInt)), [1, 12]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(12).fill(1n), [1, 12]),
      position_ids: new ort.Tensor('int64', BigInt64Array.from({ length: 12 }, (_, i) => BigInt(i)), [1, 12]),
      num_logits_to_keep: new ort.Tensor('int64', new BigInt64Array([1n]), []),
      ...Object.fromEntries(s.inputNames.filter((n) => n.startsWith('past')).map((n) => [n, new ort.Tensor('float32', new Float32Array(0), [1, 2, 0, 32])])),
    };
    const last = (await s.run(feeds)).logits;
    expect(last.dims).toEqual([1, 1, 4096]);
    expect(maxRelativeDiff(last.data as Float32Array, all.logits.subarray(11 * 4096))).toBeLessThan(1e-6);
    const lm = await createNodeLmSession(bytes);
    const text = loadTokenizer(readFileSync(fixturePath(...TINY, 'tokenizer.json'))).encode(readFileSync(fixturePath('text', 'wikitext-2-test.txt'), 'utf8'));
    const ppl = (await evaluatePerplexity(lm, text, { windows: 4 })).ppl;
    await lm.release();
    const plain = await createNodeLmSession(contrib);
    expect(ppl).toBe((await evaluatePerplexity(plain, text, { windows: 4 })).ppl);
    await plain.release();
  }, 120_000);

  it('the index reads the layers and roles of the standard graph; the evaluator the reference perplexity', async () => {
    const summary = (m: OpenedModel) => m.index.tensors.filter((t) => t.role !== 'other').map((t) => `${t.layer} ${t.role} ${t.layout?.rows ?? ''}x${t.layout?.cols ?? ''}`).sort();
    const [fromContrib, fromStandard] = [await openModel([bytesSource(contrib, 'model.onnx')]), await openModel([bytesSource(await build(model, {}), 'model.onnx')])];
    expect(summary(fromContrib)).toEqual(summary(fromStandard));
    expect(fromContrib.index.architecture).toBe('llama');
    const lm = await createNodeLmSession(contrib);
    const tokens = loadTokenizer(readFileSync(fixturePath(...TINY, 'tokenizer.json'))).encode(readFileSync(fixturePath('text', 'wikitext-2-test.txt'), 'utf8'));
    const ppl = (await evaluatePerplexity(lm, tokens, { windows: 16 })).ppl;
    await lm.release();
    console.log(`contrib graph W=16 ppl ${ppl.toFixed(4)} (reference 57.9834)`);
    expect(Math.abs(ppl / 57.9834 - 1)).toBeLessThan(1e-3);
  }, 120_000);

  it('4-bit quantization of the contrib graph equals that of the standard graph', async () => {
    const recipe = parseRecipe({ recipe: 1, rules: [{ match: '.*', role: 'matmul-weight', quantize: { method: 'rtn', bits: 4, group: 32 } }] });
    const quantized = async (bytes: Uint8Array) => {
      const m = await openModel([bytesSource(bytes, 'model.onnx')]);
      const resolved = await resolveRecipe(m, recipe, 'onnx');
      const sink = blobSink();
      await compressModel(m, resolved, { output: async () => sink });
      return session(concatChunks(sink.chunks));
    };
    const tokens = ids(40, 4096);
    const [a, b] = [await forward(await quantized(contrib), tokens), await forward(await quantized(await build(model, {})), tokens)];
    const nbits = (await openModel([bytesSource(contrib, 'model.onnx')])).index.tensors.filter((t) => t.role === 'matmul-weight').length;
    expect(nbits).toBe(29);
    console.log(`4-bit contrib vs 4-bit standard: ${maxRelativeDiff(a.logits, b.logits).toExponential(2)}`);
    expect(maxRelativeDiff(a.logits, b.logits)).toBeLessThan(1e-4);
  }, 120_000);
});

describe('contrib-op graphs of architectures without a fixture', () => {
  const BASE = { hidden_act: 'silu', max_position_embeddings: 256, vocab_size: 256, num_hidden_layers: 2, hidden_size: 64 };
  const CASES: [string, Record<string, unknown>][] = [
    ['mistral (sliding window 8 → local_window_size)', { ...BASE, model_type: 'mistral', intermediate_size: 96, num_attention_heads: 4, num_key_value_heads: 1, head_dim: 24, rms_norm_eps: 1e-5, rope_theta: 10000, sliding_window: 8 }],
    ['qwen2 (q/k/v biases, tied head)', { ...BASE, model_type: 'qwen2', intermediate_size: 128, num_attention_heads: 4, num_key_value_heads: 2, rms_norm_eps: 1e-6, rope_theta: 1_000_000, tie_word_embeddings: true }],
  ];
  for (const [name, config] of CASES) {
    it(`${name}: logits match the reference decoder, with and without a cache`, async () => {
      const checkpoint = await syntheticCheckpoint(config, 7);
      const s = await session(await build(await openModel(checkpoint.files), { style: 'contrib' }));
      const tokens = ids(40, 256);
      const reference = Float32Array.from(referenceLogits(readDecoderConfig(config), checkpoint.weights, tokens).flatMap((r) => [...r]));
      const [whole, cached] = await wholeAndCached(s, tokens);
      console.log(`${name}: contrib vs reference ${maxRelativeDiff(whole, reference).toExponential(2)}, cached ${maxRelativeDiff(cached, reference).toExponential(2)}`);
      expect(maxRelativeDiff(whole, reference)).toBeLessThan(1e-4);
      expect(maxRelativeDiff(cached, reference)).toBeLessThan(1e-4);
    });
  }
});
