// Benchmark models of real shape, made on the spot (not a test; nothing is downloaded): a Hugging
// Face checkpoint folder (config.json + model.safetensors, sharded above 5 GB) with random weights
// in the exact shapes of Llama-3.2-1B, Qwen2.5-0.5B or Llama-3.1-8B, so anyone can reproduce
// the real-size figures. Weights are Gaussian (std 0.02, as initialised transformers are) with
// outliers like trained ones: a few input columns per matrix scaled ×20 (the activation-outlier
// channels AWQ and SmoothQuant are about) and a sprinkle of single large weights; norms are
// ≈ 1. One tensor is in memory at a time. For an ONNX copy: `npx studio convert DIR -o DIR/model.onnx`.
// Run: npm run bench:make-model -- --shape llama-3.2-1b -o /tmp/llama-1b [--layers N] [--dtype bf16|f16|f32] [--seed S]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { f32ToBf16Bits, f32ToF16Bits } from '../src/core/float16';
import { fileSink } from '../src/cli/node-files';
import { writeShardedSafetensors, type SafetensorsTensorToWrite } from '../src/formats/safetensors/safetensors-writer';

interface Shape {
  architecture: 'LlamaForCausalLM' | 'Qwen2ForCausalLM';
  modelType: 'llama' | 'qwen2';
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  kvHeads: number;
  vocab: number;
  tied: boolean;
  qkvBias: boolean;
  config: Record<string, unknown>;
}

const LLAMA3_ROPE = (factor: number) => ({ rope_type: 'llama3', factor, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 });

/** Dimensions from each model's published config.json. */
const SHAPES: Record<string, Shape> = {
  'llama-3.2-1b': { architecture: 'LlamaForCausalLM', modelType: 'llama', hidden: 2048, intermediate: 8192, layers: 16, heads: 32, kvHeads: 8, vocab: 128256, tied: true, qkvBias: false, config: { rope_theta: 500000, rope_scaling: LLAMA3_ROPE(32), rms_norm_eps: 1e-5, max_position_embeddings: 131072, bos_token_id: 128000, eos_token_id: 128001 } },
  'qwen2.5-0.5b': { architecture: 'Qwen2ForCausalLM', modelType: 'qwen2', hidden: 896, intermediate: 4864, layers: 24, heads: 14, kvHeads: 2, vocab: 151936, tied: true, qkvBias: true, config: { rope_theta: 1000000, rms_norm_eps: 1e-6, max_position_embeddings: 32768, sliding_window: 32768, use_sliding_window: false, bos_token_id: 151643, eos_token_id: 151643 } },
  'llama-3.1-8b': { architecture: 'LlamaForCausalLM', modelType: 'llama', hidden: 4096, intermediate: 14336, layers: 32, heads: 32, kvHeads: 8, vocab: 128256, tied: false, qkvBias: false, config: { rope_theta: 500000, rope_scaling: LLAMA3_ROPE(8), rms_norm_eps: 1e-5, max_position_embeddings: 131072, bos_token_id: 128000, eos_token_id: 128001 } },
};

const opts = { shape: 'llama-3.2-1b', out: '', layers: 0, dtype: 'bf16' as 'bf16' | 'f16' | 'f32', seed: 1 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--shape') opts.shape = argv[++i];
  else if (a === '-o' || a === '--out') opts.out = argv[++i];
  else if (a === '--layers') opts.layers = Number(argv[++i]);
  else if (a === '--dtype') opts.dtype = argv[++i] as typeof opts.dtype;
  else if (a === '--seed') opts.seed = Number(argv[++i]);
  else throw new Error(`unknown argument ${a} (use --shape ${Object.keys(SHAPES).join('|')}, -o DIR, --layers N, --dtype bf16|f16|f32, --seed S)`);
}
const shape = SHAPES[opts.shape];
if (!shape) throw new Error(`--shape must be one of ${Object.keys(SHAPES).join(', ')}`);
if (!opts.out) throw new Error('-o DIR is required');
if (!['bf16', 'f16', 'f32'].includes(opts.dtype)) throw new Error('--dtype must be bf16, f16 or f32');
const layers = opts.layers || shape.layers;

/** mulberry32 → uniform (0, 1); Gaussians by Box–Muller. Seeded, so a shape and seed give the same file everywhere. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 2 ** 32;
  };
}

const DTYPE = { bf16: 'BF16', f16: 'F16', f32: 'F32' } as const;
const BYTES = { bf16: 2, f16: 2, f32: 4 } as const;

/** A [rows, cols] matrix (or a vector when rows = 1 and `norm`), encoded in opts.dtype. */
function tensor(name: string, shapeDims: number[], kind: 'matrix' | 'norm' | 'bias', seed: number): SafetensorsTensorToWrite {
  return {
    name,
    dtype: DTYPE[opts.dtype],
    shape: shapeDims,
    data: () => {
      const cols = shapeDims[shapeDims.length - 1];
      const rows = shapeDims.length === 2 ? shapeDims[0] : 1;
      const uniform = rng(seed);
      const out = new Uint8Array(rows * cols * BYTES[opts.dtype]);
      const view = new DataView(out.buffer);
      // Outlier input columns: about 1 in 256, ×20.
      const scale = new Float32Array(cols).fill(1);
      if (kind === 'matrix') for (let c = 0; c < cols; c++) if (uniform() < 1 / 256) scale[c] = 20;
      const put = (i: number, v: number) => {
        if (opts.dtype === 'f32') view.setFloat32(i * 4, v, true);
        else view.setUint16(i * 2, opts.dtype === 'bf16' ? f32ToBf16Bits(v) : f32ToF16Bits(v), true);
      };
      const n = rows * cols;
      const value = (k: number, g: number) => (kind === 'norm' ? 1 + 0.05 * g : kind === 'bias' ? 0.1 * g : 0.02 * g * scale[k % cols]);
      for (let i = 0; i < n; i += 2) {
        // Box–Muller: two Gaussians per pair of uniforms.
        const r = Math.sqrt(-2 * Math.log(uniform()));
        const t = 2 * Math.PI * uniform();
        put(i, value(i, r * Math.cos(t)));
        if (i + 1 < n) put(i + 1, value(i + 1, r * Math.sin(t)));
      }
      // Single large weights, about 1 in 100 000 (×40 of the spread).
      if (kind === 'matrix') for (let k = Math.floor(n * 1e-5); k > 0; k--) put(Math.floor(uniform() * n), (uniform() < 0.5 ? -1 : 1) * 0.8);
      return out;
    },
  };
}

const headDim = shape.hidden / shape.heads;
const tensors: SafetensorsTensorToWrite[] = [];
let seed = opts.seed * 1000;
tensors.push(tensor('model.embed_tokens.weight', [shape.vocab, shape.hidden], 'matrix', seed++));
for (let l = 0; l < layers; l++) {
  const p = `model.layers.${l}`;
  tensors.push(tensor(`${p}.input_layernorm.weight`, [shape.hidden], 'norm', seed++));
  tensors.push(tensor(`${p}.self_attn.q_proj.weight`, [shape.heads * headDim, shape.hidden], 'matrix', seed++));
  tensors.push(tensor(`${p}.self_attn.k_proj.weight`, [shape.kvHeads * headDim, shape.hidden], 'matrix', seed++));
  tensors.push(tensor(`${p}.self_attn.v_proj.weight`, [shape.kvHeads * headDim, shape.hidden], 'matrix', seed++));
  if (shape.qkvBias) {
    tensors.push(tensor(`${p}.self_attn.q_proj.bias`, [shape.heads * headDim], 'bias', seed++));
    tensors.push(tensor(`${p}.self_attn.k_proj.bias`, [shape.kvHeads * headDim], 'bias', seed++));
    tensors.push(tensor(`${p}.self_attn.v_proj.bias`, [shape.kvHeads * headDim], 'bias', seed++));
  }
  tensors.push(tensor(`${p}.self_attn.o_proj.weight`, [shape.hidden, shape.heads * headDim], 'matrix', seed++));
  tensors.push(tensor(`${p}.post_attention_layernorm.weight`, [shape.hidden], 'norm', seed++));
  tensors.push(tensor(`${p}.mlp.gate_proj.weight`, [shape.intermediate, shape.hidden], 'matrix', seed++));
  tensors.push(tensor(`${p}.mlp.up_proj.weight`, [shape.intermediate, shape.hidden], 'matrix', seed++));
  tensors.push(tensor(`${p}.mlp.down_proj.weight`, [shape.hidden, shape.intermediate], 'matrix', seed++));
}
tensors.push(tensor('model.norm.weight', [shape.hidden], 'norm', seed++));
if (!shape.tied) tensors.push(tensor('lm_head.weight', [shape.vocab, shape.hidden], 'matrix', seed++));

mkdirSync(opts.out, { recursive: true });
const config = {
  architectures: [shape.architecture],
  model_type: shape.modelType,
  hidden_size: shape.hidden,
  intermediate_size: shape.intermediate,
  num_hidden_layers: layers,
  num_attention_heads: shape.heads,
  num_key_value_heads: shape.kvHeads,
  head_dim: headDim,
  vocab_size: shape.vocab,
  tie_word_embeddings: shape.tied,
  hidden_act: 'silu',
  torch_dtype: { bf16: 'bfloat16', f16: 'float16', f32: 'float32' }[opts.dtype],
  ...shape.config,
};
writeFileSync(join(opts.out, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
const started = performance.now();
const params = tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
const files = await writeShardedSafetensors((name) => fileSink(join(opts.out, name)), tensors, { maxShardBytes: 5_000_000_000, metadata: { format: 'pt', made_by: `compression-studio bench/make-model.ts --shape ${opts.shape} --layers ${layers} --seed ${opts.seed}` } });
console.log(`${opts.out}: ${opts.shape}${layers !== shape.layers ? ` (${layers} layers)` : ''}, ${(params / 1e9).toFixed(3)} B parameters, ${opts.dtype}, ${files.join(', ')} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
