// The llama-family forward pass in plain TypeScript, written from transformers'
// modeling_llama / modeling_mistral / modeling_qwen2 line by line (float64 accumulation): the
// reference the graph builder is held to on architectures with no exported fixture. Checked
// itself against the fixtures' PyTorch export (reference-decoder.test.ts). Test harness only.
import type { DecoderConfig } from '../../../hf/decoder-config';

export type WeightMap = Map<string, Float32Array>;

function get(w: WeightMap, name: string): Float32Array {
  const t = w.get(name);
  if (!t) throw new Error(`reference decoder: no tensor ${name}`);
  return t;
}

/** y[s, out] = x[s, in] · W[out, in]ᵀ (+ b). */
function linear(x: Float64Array[], w: Float32Array, out: number, b?: Float32Array): Float64Array[] {
  const inn = w.length / out;
  return x.map((row) => {
    const y = new Float64Array(out);
    for (let o = 0; o < out; o++) {
      let acc = b ? b[o] : 0;
      for (let i = 0; i < inn; i++) acc += row[i] * w[o * inn + i];
      y[o] = acc;
    }
    return y;
  });
}

function rmsNorm(x: Float64Array[], weight: Float32Array, eps: number): Float64Array[] {
  return x.map((row) => {
    let ms = 0;
    for (const v of row) ms += v * v;
    const inv = 1 / Math.sqrt(ms / row.length + eps);
    return row.map((v, i) => v * inv * weight[i]);
  });
}

/** rotate_half rotary embedding of one head's vector at `position`. */
function rotate(v: Float64Array, position: number, invFreq: Float64Array): Float64Array {
  const half = v.length / 2;
  const out = new Float64Array(v.length);
  for (let i = 0; i < half; i++) {
    const angle = Math.fround(position * Math.fround(invFreq[i]));
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    out[i] = v[i] * cos - v[i + half] * sin;
    out[i + half] = v[i + half] * cos + v[i] * sin;
  }
  return out;
}

/** Logits [seq, vocab] of one unpadded sequence at positions 0 … seq − 1. */
export function referenceLogits(c: DecoderConfig, w: WeightMap, tokens: number[]): Float64Array[] {
  const S = tokens.length;
  const D = c.headDim;
  const table = get(w, 'model.embed_tokens.weight');
  let x = tokens.map((t) => Float64Array.from(table.subarray(t * c.hidden, (t + 1) * c.hidden)));
  const opt = (name: string, present: boolean) => (present ? get(w, name) : undefined);
  for (let l = 0; l < c.layers; l++) {
    const p = `model.layers.${l}`;
    const h = rmsNorm(x, get(w, `${p}.input_layernorm.weight`), c.rmsEps);
    const proj = (name: string, out: number) => linear(h, get(w, `${p}.self_attn.${name}.weight`), out, opt(`${p}.self_attn.${name}.bias`, c.qkvBias));
    const q = proj('q_proj', c.heads * D);
    const k = proj('k_proj', c.kvHeads * D);
    const v = proj('v_proj', c.kvHeads * D);
    const head = (rows: Float64Array[], hd: number, s: number) => rows[s].subarray(hd * D, (hd + 1) * D);
    const context = Array.from({ length: S }, () => new Float64Array(c.heads * D));
    for (let hd = 0; hd < c.heads; hd++) {
      const kv = Math.floor(hd / (c.heads / c.kvHeads));
      const keys = Array.from({ length: S }, (_, j) => rotate(head(k, kv, j), j, c.rope.invFreq));
      for (let i = 0; i < S; i++) {
        const qi = rotate(head(q, hd, i), i, c.rope.invFreq);
        const visible = (j: number) => j <= i && (c.slidingWindow === undefined || j > i - c.slidingWindow);
        const scores = keys.map((kj, j) => (visible(j) ? kj.reduce((a, kv2, d) => a + kv2 * qi[d], 0) / Math.sqrt(D) : -Infinity));
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const sum = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j < S; j++) {
          if (e[j] === 0) continue;
          const vj = head(v, kv, j);
          for (let d = 0; d < D; d++) context[i][hd * D + d] += (e[j] / sum) * vj[d];
        }
      }
    }
    const o = linear(context, get(w, `${p}.self_attn.o_proj.weight`), c.hidden, opt(`${p}.self_attn.o_proj.bias`, c.oBias));
    x = x.map((row, s) => row.map((val, i) => val + o[s][i]));
    const h2 = rmsNorm(x, get(w, `${p}.post_attention_layernorm.weight`), c.rmsEps);
    const mlp = (name: string, out: number, input: Float64Array[]) => linear(input, get(w, `${p}.mlp.${name}.weight`), out, opt(`${p}.mlp.${name}.bias`, c.mlpBias));
    const gate = mlp('gate_proj', c.intermediate, h2);
    const up = mlp('up_proj', c.intermediate, h2);
    const act = gate.map((row, s) => row.map((g, i) => (g / (1 + Math.exp(-g))) * up[s][i]));
    const down = mlp('down_proj', c.hidden, act);
    x = x.map((row, s) => row.map((val, i) => val + down[s][i]));
  }
  const normed = rmsNorm(x, get(w, 'model.norm.weight'), c.rmsEps);
  return linear(normed, get(w, c.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight'), c.vocab);
}
