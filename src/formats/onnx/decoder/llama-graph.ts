// The llama-family decoder (llama, mistral, qwen2) as an ONNX graph of standard opset-17 ops,
// with the interface onnxruntime-web and transformers.js expect of a causal-LM export:
// input_ids, attention_mask, position_ids, past_key_values.{i}.key|value → logits,
// present.{i}.key|value. The math is transformers' modeling_llama/mistral/qwen2 forward:
// RMSNorm, rotary embeddings (rotate_half), grouped-query attention with an additive causal
// (and sliding-window) mask, SiLU-gated MLP. Weights keep Hugging Face names; Linear weights are
// stored transposed ([in, out]) as torch.onnx exports them, so every consumer of ONNX files in the
// studio (index, quantizer, evaluator) reads a built graph exactly like an exported one.
// float16 graphs keep float32 inputs and outputs (logits, the cache) and compute RMSNorm, the
// rotary angles and the softmax in float32, as transformers does under torch_dtype=float16;
// weights and everything else are float16 (what transformers.js calls fp16, and q4f16 once the
// studio quantizes its MatMuls).
import { UnsupportedModelError } from '../../../core/errors';
import { f32ArrayToF16 } from '../../../core/float16';
import type { DecoderConfig } from '../../hf/decoder-config';
import { OnnxDataType } from '../onnx-model';
import { GraphBuilder } from './graph-builder';

/** The checkpoint side: Hugging Face tensor names → dims and float32 values. */
export interface DecoderWeights {
  /** Dims of tensor `name` as the checkpoint holds it, undefined when it has none by that name. */
  dims(name: string): number[] | undefined;
  /** Its values as float32 (read when the file is streamed). */
  floats(name: string): Promise<Float32Array>;
  /** A [rows, cols] tensor's values transposed to [cols, rows], as float32 (read when the file is streamed). */
  transposed(name: string, rows: number, cols: number): Promise<Float32Array>;
}

export interface DecoderGraphOptions {
  /** Weights and activations in float16 (inputs and outputs stay float32). Default float32. */
  float16?: boolean;
  /**
   * 'contrib': the fused onnxruntime ops onnxruntime-genai's model builder and Optimum emit
   * (SimplifiedLayerNormalization, SkipSimplifiedLayerNormalization, RotaryEmbedding,
   * GroupQueryAttention; com.microsoft domain), same inputs and outputs. Default 'standard'.
   */
  style?: 'standard' | 'contrib';
  /** An int64 scalar input `num_logits_to_keep`: only the last k positions' logits (0: all), as Optimum's exports have. */
  logitsToKeep?: boolean;
}

export const MS_DOMAIN = 'com.microsoft';

const FLOAT = OnnxDataType.FLOAT;
/** transformers' additive mask value: torch.finfo(float32).min (the mask is added in float32). */
const MASK_MIN = -3.4028234663852886e38;

/** Float32 bytes: a view of a Float32Array (weights arrive as fresh arrays: a copy would double the largest one), else a copy. */
const f32Bytes = (values: ArrayLike<number>): Uint8Array =>
  values instanceof Float32Array ? new Uint8Array(values.buffer, values.byteOffset, values.byteLength) : new Uint8Array(Float32Array.from(values).buffer);
const f16Bytes = (values: ArrayLike<number>): Uint8Array => new Uint8Array(f32ArrayToF16(values).buffer);

class LlamaGraph {
  readonly g = new GraphBuilder();
  /** The element type of weights and activations. */
  readonly T: number;
  readonly contrib: boolean;
  readonly logitsToKeep: boolean;
  private readonly bytesOf: (values: ArrayLike<number>) => Uint8Array;
  constructor(readonly c: DecoderConfig, readonly weights: DecoderWeights, options: DecoderGraphOptions) {
    this.T = options.float16 ? OnnxDataType.FLOAT16 : FLOAT;
    this.bytesOf = options.float16 ? f16Bytes : f32Bytes;
    this.contrib = options.style === 'contrib';
    this.logitsToKeep = options.logitsToKeep === true;
  }

  /** `x` as element type `to` (no node when it already is). */
  private cast(x: string, from: number, to: number, scope: string, output?: string): string {
    return from === to && !output ? x : this.g.op(from === to ? 'Identity' : 'Cast', [x], scope, from === to ? undefined : { to }, output);
  }

  /** A scalar constant of the activation type. */
  private scalar(name: string, value: number): string {
    return this.g.floats(name, this.T, [], this.bytesOf([value]));
  }

  private need(name: string, dims: number[]): void {
    const got = this.weights.dims(name);
    if (!got) throw new UnsupportedModelError(`the checkpoint has no tensor "${name}", which a ${this.c.architecture} model with this config.json needs`, { tensor: name });
    if (got.join(',') !== dims.join(',')) {
      throw new UnsupportedModelError(`tensor "${name}" is [${got.join(', ')}]; config.json implies [${dims.join(', ')}]`, { tensor: name });
    }
  }

  /** A weight stored as the checkpoint holds it. */
  private plain(name: string, dims: number[]): string {
    this.need(name, dims);
    const byteLength = dims.reduce((a, b) => a * b, 1) * (this.T === FLOAT ? 4 : 2);
    return this.g.weight({ name, dataType: this.T, dims, byteLength, load: async () => this.bytesOf(await this.weights.floats(name)) });
  }

  /** A Linear weight [out, in] stored transposed, [in, out], as the right operand of MatMul (named `as`, default its own name). */
  private transposed(name: string, out: number, inn: number, as = name): string {
    this.need(name, [out, inn]);
    return this.g.weight({
      name: as,
      dataType: this.T,
      dims: [inn, out],
      byteLength: out * inn * (this.T === FLOAT ? 4 : 2),
      load: async () => this.bytesOf(await this.weights.transposed(name, out, inn)),
    });
  }

  linear(x: string, module: string, scope: string, out: number, inn: number, bias: boolean): string {
    const y = this.g.op('MatMul', [x, this.transposed(`${module}.weight`, out, inn)], scope);
    return bias ? this.g.op('Add', [y, this.plain(`${module}.bias`, [out])], scope) : y;
  }

  /** transformers' LlamaRMSNorm: in float32, then back to the activation type, times the weight. */
  rmsNorm(x: string, weightName: string, scope: string): string {
    const { g } = this;
    const x32 = this.cast(x, this.T, FLOAT, scope);
    const two = g.floats(`${scope}/two`, FLOAT, [], f32Bytes([2]));
    const sq = g.op('Pow', [x32, two], scope); // hidden.pow(2), as torch exports it (and the index recognizes RMS norm by)
    const mean = g.op('ReduceMean', [sq], scope, { axes: [-1], keepdims: 1 });
    const eps = g.floats(`${scope}/eps`, FLOAT, [], f32Bytes([this.c.rmsEps]));
    const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [mean, eps], scope)], scope)], scope);
    const normed = this.cast(g.op('Mul', [x32, inv], scope), FLOAT, this.T, scope);
    return g.op('Mul', [normed, this.plain(weightName, [this.c.hidden])], scope);
  }

  /** cos and sin of position × inv_freq, [batch, 1, seq, head_dim] (transformers' LlamaRotaryEmbedding). */
  rotary(positionIds: string): { cos: string; sin: string } {
    const { g, c } = this;
    const scope = '/model/rotary_emb';
    const invFreq = g.floats('model.rotary_emb.inv_freq', FLOAT, [c.headDim / 2], f32Bytes(c.rope.invFreq));
    const pos = g.op('Unsqueeze', [g.op('Cast', [positionIds], scope, { to: FLOAT }), g.int64([-1])], scope);
    const freqs = g.op('Mul', [pos, invFreq], scope);
    const emb = g.op('Concat', [freqs, freqs], scope, { axis: -1 });
    const heads = g.int64([1]);
    return {
      cos: this.cast(g.op('Unsqueeze', [g.op('Cos', [emb], scope), heads], scope), FLOAT, this.T, scope),
      sin: this.cast(g.op('Unsqueeze', [g.op('Sin', [emb], scope), heads], scope), FLOAT, this.T, scope),
    };
  }

  /** x·cos + rotate_half(x)·sin on [batch, heads, seq, head_dim]. */
  applyRotary(x: string, rope: { cos: string; sin: string }, scope: string): string {
    const { g } = this;
    const half = this.c.headDim / 2;
    const axis = g.int64([3]);
    const first = g.op('Slice', [x, g.int64([0]), g.int64([half]), axis], scope);
    const second = g.op('Slice', [x, g.int64([half]), g.int64([this.c.headDim]), axis], scope);
    const rotated = g.op('Concat', [g.op('Neg', [second], scope), first], scope, { axis: -1 });
    return g.op('Add', [g.op('Mul', [x, rope.cos], scope), g.op('Mul', [rotated, rope.sin], scope)], scope);
  }

  /**
   * Additive mask [batch, 1, 1, seq, total]: key j is visible to query i (at position past + i)
   * when j ≤ past + i, attention_mask[j] = 1, and (sliding window w) j > past + i − w.
   */
  mask(inputIds: string, attentionMask: string): string {
    const { g } = this;
    const scope = '/model/mask';
    const dim = (t: string, axis: number) => g.op('Gather', [g.op('Shape', [t], scope), g.int64([axis], true)], scope, { axis: 0 });
    const seq = dim(inputIds, 1);
    const total = dim(attentionMask, 1);
    const past = g.op('Sub', [total, seq], scope);
    const queries = g.op('Unsqueeze', [g.op('Range', [past, total, g.int64([1], true)], scope), g.int64([1])], scope);
    const keys = g.op('Unsqueeze', [g.op('Range', [g.int64([0], true), total, g.int64([1], true)], scope), g.int64([0])], scope);
    let allowed = g.op('LessOrEqual', [keys, queries], scope);
    if (this.c.slidingWindow !== undefined) {
      const oldest = g.op('Sub', [queries, g.int64([this.c.slidingWindow], true)], scope);
      allowed = g.op('And', [allowed, g.op('Greater', [keys, oldest], scope)], scope);
    }
    const padding = g.op('Unsqueeze', [g.op('Cast', [attentionMask], scope, { to: OnnxDataType.BOOL }), g.int64([1, 2, 3])], scope);
    const visible = g.op('And', [allowed, padding], scope);
    const zero = g.floats(`${scope}/zero`, FLOAT, [], f32Bytes([0]));
    const min = g.floats(`${scope}/min`, FLOAT, [], f32Bytes([MASK_MIN]));
    return g.op('Where', [visible, zero, min], scope);
  }

  attention(i: number, x: string, rope: { cos: string; sin: string }, mask: string): string {
    const { g, c } = this;
    const p = `model.layers.${i}.self_attn`;
    const scope = `/model/layers.${i}/self_attn`;
    const rep = c.heads / c.kvHeads;
    const heads = (t: string, n: number) =>
      g.op('Transpose', [g.op('Reshape', [t, g.int64([0, 0, n, c.headDim])], scope)], scope, { perm: [0, 2, 1, 3] });
    const q = heads(this.linear(x, `${p}.q_proj`, `${scope}/q_proj`, c.heads * c.headDim, c.hidden, c.qkvBias), c.heads);
    const k = heads(this.linear(x, `${p}.k_proj`, `${scope}/k_proj`, c.kvHeads * c.headDim, c.hidden, c.qkvBias), c.kvHeads);
    const v = heads(this.linear(x, `${p}.v_proj`, `${scope}/v_proj`, c.kvHeads * c.headDim, c.hidden, c.qkvBias), c.kvHeads);
    const cache = [`past_key_values.${i}.key`, `past_key_values.${i}.value`];
    const cacheDims = ['batch_size', c.kvHeads, 'past_sequence_length', c.headDim];
    for (const name of cache) g.input(name, FLOAT, cacheDims);
    const [pastKey, pastValue] = cache.map((name) => this.cast(name, FLOAT, this.T, scope));
    const f16 = this.T !== FLOAT;
    const presentKey = g.op('Concat', [pastKey, this.applyRotary(k, rope, scope)], scope, { axis: 2 }, f16 ? undefined : `present.${i}.key`);
    const presentValue = g.op('Concat', [pastValue, v], scope, { axis: 2 }, f16 ? undefined : `present.${i}.value`);
    const presentDims = ['batch_size', c.kvHeads, 'total_sequence_length', c.headDim];
    g.output(f16 ? this.cast(presentKey, this.T, FLOAT, scope, `present.${i}.key`) : presentKey, FLOAT, presentDims);
    g.output(f16 ? this.cast(presentValue, this.T, FLOAT, scope, `present.${i}.value`) : presentValue, FLOAT, presentDims);
    // Grouped-query attention without copying the cache: queries are grouped [b, kv, rep, s, d]
    // and broadcast against keys and values [b, kv, 1, t, d].
    const scale = this.scalar(`${scope}/scale`, 1 / Math.sqrt(c.headDim));
    const qRot = g.op('Mul', [this.applyRotary(q, rope, scope), scale], scope);
    const grouped = g.op('Reshape', [qRot, g.int64([0, c.kvHeads, rep, -1, c.headDim])], scope);
    const group = g.int64([2]);
    const keys = g.op('Transpose', [g.op('Unsqueeze', [presentKey, group], scope)], scope, { perm: [0, 1, 2, 4, 3] });
    // Scores, mask and softmax in float32 (transformers' eager attention), probabilities back to T.
    const scores = g.op('Add', [this.cast(g.op('MatMul', [grouped, keys], scope), this.T, FLOAT, scope), mask], scope);
    const probs = this.cast(g.op('Softmax', [scores], scope, { axis: -1 }), FLOAT, this.T, scope);
    const context = g.op('MatMul', [probs, g.op('Unsqueeze', [presentValue, group], scope)], scope);
    const perHead = g.op('Reshape', [context, g.int64([0, c.heads, -1, c.headDim])], scope);
    const merged = g.op('Reshape', [g.op('Transpose', [perHead], scope, { perm: [0, 2, 1, 3] }), g.int64([0, 0, c.heads * c.headDim])], scope);
    return this.linear(merged, `${p}.o_proj`, `${scope}/o_proj`, c.hidden, c.heads * c.headDim, c.oBias);
  }

  mlp(i: number, x: string): string {
    const { g, c } = this;
    const p = `model.layers.${i}.mlp`;
    const scope = `/model/layers.${i}/mlp`;
    const gate = this.linear(x, `${p}.gate_proj`, `${scope}/gate_proj`, c.intermediate, c.hidden, c.mlpBias);
    const up = this.linear(x, `${p}.up_proj`, `${scope}/up_proj`, c.intermediate, c.hidden, c.mlpBias);
    const act = g.op('Mul', [gate, g.op('Sigmoid', [gate], `${scope}/act_fn`)], `${scope}/act_fn`);
    return this.linear(g.op('Mul', [act, up], scope), `${p}.down_proj`, `${scope}/down_proj`, c.hidden, c.intermediate, c.mlpBias);
  }

  /** onnxruntime's fused RMSNorm; with `skip`, SkipSimplifiedLayerNormalization: normed(x + skip) and the sum (the next residual). */
  fusedNorm(x: string, skip: string | undefined, weightName: string, scope: string): { normed: string; sum: string } {
    const weight = this.plain(weightName, [this.c.hidden]);
    if (!skip) {
      const normed = this.g.op('SimplifiedLayerNormalization', [x, weight], scope, { axis: -1, epsilon: { float: this.c.rmsEps }, stash_type: 1 });
      return { normed, sum: x };
    }
    const [normed, , , sum] = this.g.opOutputs('SkipSimplifiedLayerNormalization', [x, skip, weight], scope, [true, false, false, true], { epsilon: { float: this.c.rmsEps } }, MS_DOMAIN);
    return { normed, sum };
  }

  /** cos/sin caches [max positions, head_dim / 2] for RotaryEmbedding, computed here in float64. */
  rotaryCaches(): { cos: string; sin: string } {
    const { c } = this;
    const half = c.headDim / 2;
    const cos = new Float64Array(c.maxPositions * half);
    const sin = new Float64Array(c.maxPositions * half);
    for (let p = 0; p < c.maxPositions; p++) {
      for (let i = 0; i < half; i++) {
        const angle = Math.fround(p * Math.fround(c.rope.invFreq[i]));
        cos[p * half + i] = Math.cos(angle);
        sin[p * half + i] = Math.sin(angle);
      }
    }
    const cache = (name: string, values: Float64Array) => this.g.weight({ name, dataType: this.T, dims: [c.maxPositions, half], byteLength: values.length * (this.T === FLOAT ? 4 : 2), bytes: this.bytesOf(values) });
    return { cos: cache('cos_cache', cos), sin: cache('sin_cache', sin) };
  }

  /** GroupQueryAttention's lengths: seqlens_k (int32 [batch], keys − 1 per row) and total_sequence_length (int32 scalar). */
  attentionLengths(attentionMask: string): { seqlens: string; total: string } {
    const { g } = this;
    const scope = '/model/attn_mask_reformat';
    const keys = g.op('ReduceSum', [attentionMask, g.int64([1])], scope, { keepdims: 0 });
    const seqlens = g.op('Cast', [g.op('Sub', [keys, g.int64([1], true)], scope)], scope, { to: OnnxDataType.INT32 });
    const total = g.op('Cast', [g.op('Gather', [g.op('Shape', [attentionMask], scope), g.int64([1], true)], scope, { axis: 0 })], scope, { to: OnnxDataType.INT32 });
    return { seqlens, total };
  }

  contribAttention(i: number, x: string, positionIds: string, caches: { cos: string; sin: string }, lengths: { seqlens: string; total: string }): string {
    const { g, c } = this;
    const p = `model.layers.${i}.self_attn`;
    const scope = `/model/layers.${i}/self_attn`;
    const rotary = (t: string, heads: number, what: string) =>
      g.op('RotaryEmbedding', [t, positionIds, caches.cos, caches.sin], `${scope}/${what}_rotary`, { interleaved: 0, num_heads: heads }, undefined, MS_DOMAIN);
    const q = rotary(this.linear(x, `${p}.q_proj`, `${scope}/q_proj`, c.heads * c.headDim, c.hidden, c.qkvBias), c.heads, 'q');
    const k = rotary(this.linear(x, `${p}.k_proj`, `${scope}/k_proj`, c.kvHeads * c.headDim, c.hidden, c.qkvBias), c.kvHeads, 'k');
    const v = this.linear(x, `${p}.v_proj`, `${scope}/v_proj`, c.kvHeads * c.headDim, c.hidden, c.qkvBias);
    const cache = [`past_key_values.${i}.key`, `past_key_values.${i}.value`];
    for (const name of cache) g.input(name, FLOAT, ['batch_size', c.kvHeads, 'past_sequence_length', c.headDim]);
    const [pastKey, pastValue] = cache.map((name) => this.cast(name, FLOAT, this.T, scope));
    const [out, presentKey, presentValue] = g.opOutputs(
      'GroupQueryAttention',
      [q, k, v, pastKey, pastValue, lengths.seqlens, lengths.total],
      `${scope}/GroupQueryAttention`,
      [true, true, true],
      { num_heads: c.heads, kv_num_heads: c.kvHeads, scale: { float: 1 / Math.sqrt(c.headDim) }, local_window_size: c.slidingWindow ?? -1 },
      MS_DOMAIN,
    );
    const presentDims = ['batch_size', c.kvHeads, 'total_sequence_length', c.headDim];
    g.output(this.cast(presentKey, this.T, FLOAT, scope, `present.${i}.key`), FLOAT, presentDims);
    g.output(this.cast(presentValue, this.T, FLOAT, scope, `present.${i}.value`), FLOAT, presentDims);
    return this.linear(out, `${p}.o_proj`, `${scope}/o_proj`, c.hidden, c.heads * c.headDim, c.oBias);
  }

  /** The decoder layers in the contrib style: the residual travels through SkipSimplifiedLayerNormalization. */
  contribLayers(x: string, positionIds: string, attentionMask: string): string {
    const { c } = this;
    const caches = this.rotaryCaches();
    const lengths = this.attentionLengths(attentionMask);
    let residual: string | undefined;
    let pending = x;
    for (let i = 0; i < c.layers; i++) {
      const scope = `/model/layers.${i}`;
      const first = this.fusedNorm(pending, residual, `model.layers.${i}.input_layernorm.weight`, `${scope}/input_layernorm`);
      const attn = this.contribAttention(i, first.normed, positionIds, caches, lengths);
      const second = this.fusedNorm(attn, first.sum, `model.layers.${i}.post_attention_layernorm.weight`, `${scope}/post_attention_layernorm`);
      pending = this.mlp(i, second.normed);
      residual = second.sum;
    }
    return this.fusedNorm(pending, residual, 'model.norm.weight', '/model/norm').normed;
  }

  build(): GraphBuilder {
    const { g, c } = this;
    const inputIds = g.input('input_ids', OnnxDataType.INT64, ['batch_size', 'sequence_length']);
    const attentionMask = g.input('attention_mask', OnnxDataType.INT64, ['batch_size', 'total_sequence_length']);
    const positionIds = g.input('position_ids', OnnxDataType.INT64, ['batch_size', 'sequence_length']);
    const table = this.plain('model.embed_tokens.weight', [c.vocab, c.hidden]);
    let x = g.op('Gather', [table, inputIds], '/model/embed_tokens', { axis: 0 });
    let normed: string;
    if (this.contrib) normed = this.contribLayers(x, positionIds, attentionMask);
    else {
      const rope = this.rotary(positionIds);
      const mask = this.mask(inputIds, attentionMask);
      for (let i = 0; i < c.layers; i++) {
        const scope = `/model/layers.${i}`;
        const attn = this.attention(i, this.rmsNorm(x, `model.layers.${i}.input_layernorm.weight`, `${scope}/input_layernorm`), rope, mask);
        x = g.op('Add', [x, attn], scope);
        const mlp = this.mlp(i, this.rmsNorm(x, `model.layers.${i}.post_attention_layernorm.weight`, `${scope}/post_attention_layernorm`));
        x = g.op('Add', [x, mlp], scope);
      }
      normed = this.rmsNorm(x, 'model.norm.weight', '/model/norm');
    }
    // A tied head gets its own transposed copy of the embedding, as torch.onnx exports it: the
    // index, quantizer and exporters then treat the Gather table and the head MatMul apart.
    const head = this.transposed(c.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight', c.vocab, c.hidden, 'lm_head.weight');
    if (this.logitsToKeep) {
      // The last k positions: a slice from −k (0 = from 0: every position).
      const keep = g.input('num_logits_to_keep', OnnxDataType.INT64, []);
      const start = g.op('Unsqueeze', [g.op('Neg', [keep], '/lm_head'), g.int64([0])], '/lm_head');
      normed = g.op('Slice', [normed, start, g.int64([Number.MAX_SAFE_INTEGER]), g.int64([1])], '/lm_head');
    }
    const logits = this.cast(g.op('MatMul', [normed, head], '/lm_head', undefined, this.T === FLOAT ? 'logits' : undefined), this.T, FLOAT, '/lm_head', this.T === FLOAT ? undefined : 'logits');
    g.output(logits, FLOAT, ['batch_size', 'sequence_length', c.vocab]);
    g.outputs.unshift(g.outputs.pop()!); // logits first, then the cache, as exporters list them
    return g;
  }
}

/** The graph of a llama-family decoder over `weights` (read only when the file is streamed). */
export function llamaGraph(config: DecoderConfig, weights: DecoderWeights, options: DecoderGraphOptions = {}): GraphBuilder {
  return new LlamaGraph(config, weights, options).build();
}
