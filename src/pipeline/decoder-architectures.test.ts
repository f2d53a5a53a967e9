// The graph builder beyond the fixtures: qwen2 (q/k/v biases, tied head, rope θ 1e6), mistral
// (sliding window shorter than the sequence, head_dim ≠ hidden/heads, one kv head) and Llama-3
// (llama3 rope scaling, attention and MLP biases) checkpoints built here with seeded random
// weights in each architecture's layout (testing/synthetic-checkpoint.ts). Their graphs, run in
// onnxruntime-node, match the plain TypeScript forward pass written from transformers' modeling
// code (testing/reference-decoder.ts) within 1e-4 relative, with and without a KV cache; that
// reference itself is held to tiny-llama's PyTorch export first. Bad configs are refused by field.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { blobSink, concatChunks } from '../core/byte-sink';
import { describeWithFixtures, fixturePath, fixtureSource } from '../core/testing/fixtures';
import { readDecoderConfig } from '../formats/hf/decoder-config';
import { referenceLogits, type WeightMap } from '../formats/onnx/decoder/testing/reference-decoder';
import { syntheticCheckpoint } from '../formats/onnx/decoder/testing/synthetic-checkpoint';
import { writeModelOnnx } from './decoder-onnx';
import { openModel } from './open-model';
import { forward, maxRelativeDiff } from './testing/decoder-forward';
import { hfWeightSource } from './weights/hf-weights';

const flat = (rows: Float64Array[]) => Float32Array.from(rows.flatMap((r) => [...r]));
const ids = (n: number, vocab: number) => Array.from({ length: n }, (_, i) => (i * 7919 + 13) % vocab);

async function builtSession(files: Parameters<typeof openModel>[0]): Promise<ort.InferenceSession> {
  const sink = blobSink();
  await writeModelOnnx(await openModel(files), sink);
  return ort.InferenceSession.create(concatChunks(sink.chunks), { executionProviders: ['cpu'] });
}

const TINY = ['models', 'tiny-llama'];
describeWithFixtures('the TypeScript reference decoder', [[...TINY, 'model.safetensors'], [...TINY, 'onnx', 'model.onnx']], () => {
  it("reproduces tiny-llama's PyTorch export within 1e-5 relative", async () => {
    const model = await openModel([await fixtureSource(...TINY, 'model.safetensors')]);
    const source = hfWeightSource(model);
    const weights: WeightMap = new Map();
    for (const t of source.tensors) weights.set(t.name, await source.readFloats(t.name));
    const config = readDecoderConfig(JSON.parse(readFileSync(fixturePath(...TINY, 'config.json'), 'utf8')));
    const tokens = ids(20, config.vocab);
    const exported = await ort.InferenceSession.create(fixturePath(...TINY, 'onnx', 'model.onnx'), { executionProviders: ['cpu'] });
    const diff = maxRelativeDiff(flat(referenceLogits(config, weights, tokens)), (await forward(exported, tokens)).logits);
    console.log(`reference vs tiny-llama export: ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-5);
  }, 60_000);
});

const BASE = { hidden_act: 'silu', max_position_embeddings: 256, vocab_size: 256, num_hidden_layers: 2, hidden_size: 64 };
const CASES: { name: string; config: Record<string, unknown> }[] = [
  {
    name: 'qwen2 (q/k/v biases, tied embeddings, GQA 4/2, θ = 1e6)',
    config: {
      ...BASE, architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', intermediate_size: 128, num_attention_heads: 4, num_key_value_heads: 2,
      rms_norm_eps: 1e-6, rope_theta: 1_000_000, tie_word_embeddings: true, use_sliding_window: false, sliding_window: 8,
    },
  },
  {
    name: 'mistral (sliding window 8 < 24 tokens, head_dim 24, one kv head)',
    config: {
      ...BASE, architectures: ['MistralForCausalLM'], model_type: 'mistral', intermediate_size: 96, num_attention_heads: 4, num_key_value_heads: 1,
      head_dim: 24, rms_norm_eps: 1e-5, rope_theta: 10000, sliding_window: 8, tie_word_embeddings: false,
    },
  },
  {
    name: 'Llama-3 (llama3 rope scaling, attention and MLP biases)',
    config: {
      ...BASE, architectures: ['LlamaForCausalLM'], model_type: 'llama', intermediate_size: 128, num_attention_heads: 4, num_key_value_heads: 4,
      rms_norm_eps: 1e-5, rope_theta: 500000, attention_bias: true, mlp_bias: true, tie_word_embeddings: false,
      rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 32 },
    },
  },
];

describe('built graphs of architectures without a fixture', () => {
  for (const { name, config } of CASES) {
    it(`${name}: logits match the reference, with and without a cache`, async () => {
      const checkpoint = await syntheticCheckpoint(config, 7);
      const session = await builtSession(checkpoint.files);
      const tokens = ids(24, 256);
      const reference = flat(referenceLogits(readDecoderConfig(config), checkpoint.weights, tokens));
      const whole = await forward(session, tokens);
      const prefill = await forward(session, tokens.slice(0, 10));
      const rest = await forward(session, tokens.slice(10), prefill.present, 10);
      const cached = new Float32Array([...prefill.logits, ...rest.logits]);
      console.log(`${name}: built vs reference ${maxRelativeDiff(whole.logits, reference).toExponential(2)}, cached ${maxRelativeDiff(cached, reference).toExponential(2)}`);
      expect(maxRelativeDiff(whole.logits, reference)).toBeLessThan(1e-4);
      expect(maxRelativeDiff(cached, reference)).toBeLessThan(1e-4);
    });
  }

  it('the sliding window and the llama3 scaling change the logits (those cases test something)', async () => {
    const tokens = ids(24, 256);
    const effect = async (config: Record<string, unknown>, without: Record<string, unknown>) => {
      const { weights } = await syntheticCheckpoint(config, 7);
      const a = flat(referenceLogits(readDecoderConfig(config), weights, tokens));
      return maxRelativeDiff(flat(referenceLogits(readDecoderConfig({ ...config, ...without }), weights, tokens)), a);
    };
    expect(await effect(CASES[1].config, { sliding_window: null })).toBeGreaterThan(1e-2);
    expect(await effect(CASES[2].config, { rope_scaling: undefined })).toBeGreaterThan(1e-2);
  });
});

describe('configs and checkpoints the builder refuses, by field', () => {
  const llama = CASES[2].config;
  it.each([
    [{ ...llama, model_type: 'gpt2', architectures: ['GPT2LMHeadModel'] }, 'model_type "gpt2" is not an architecture the studio builds (llama, mistral, qwen2)'],
    [{ ...llama, num_key_value_heads: 3 }, '"num_key_value_heads" must be a divisor of num_attention_heads (4), got 3'],
    [{ ...llama, hidden_size: 66 }, '"num_attention_heads" must be a divisor of hidden_size (66) when head_dim is not given, got 4'],
    [{ ...llama, rope_theta: undefined, rope_scaling: undefined }, 'no rope_theta (nor rope_parameters.rope_theta)'],
    [{ ...llama, rope_scaling: { rope_type: 'yarn', factor: 4 } }, 'rope type "yarn" is not supported by the graph builder yet'],
    [{ ...llama, rope_scaling: { rope_type: 'llama3', factor: 8 } }, '"rope_scaling.low_freq_factor" must be a positive number'],
    [{ ...llama, rms_norm_eps: undefined }, '"rms_norm_eps" must be a positive number'],
    [{ ...llama, hidden_act: 'gelu' }, '"hidden_act" must be "silu"'],
  ])('%#: %s', (config, message) => {
    expect(() => readDecoderConfig(config as Record<string, unknown>)).toThrow(message);
  });

  it('names a tensor the config needs that the checkpoint lacks, and one of the wrong shape', async () => {
    const checkpoint = await syntheticCheckpoint(CASES[0].config, 7);
    const untied = { ...CASES[0].config, tie_word_embeddings: false };
    await expect(builtSession([checkpoint.files[0], jsonSource(untied)])).rejects.toThrow('the checkpoint has no tensor "lm_head.weight", which a qwen2 model with this config.json needs');
    const wider = { ...CASES[0].config, intermediate_size: 256 };
    await expect(builtSession([checkpoint.files[0], jsonSource(wider)])).rejects.toThrow(
      'tensor "model.layers.0.mlp.gate_proj.weight" is [128, 64]; config.json implies [256, 64]',
    );
  });
});

function jsonSource(config: Record<string, unknown>) {
  const bytes = new TextEncoder().encode(JSON.stringify(config));
  return { name: 'config.json', byteLength: bytes.byteLength, read: async (o: number, n: number) => bytes.subarray(o, o + n) };
}
