// Llama-family tensor names in both conventions (docs/FORMATS.md §4.6): Hugging Face
// (`model.layers.0.self_attn.q_proj.weight`) ↔ GGUF (`blk.0.attn_q.weight`), the readable layer
// name every ModelIndex uses (the HF module path, e.g. `model.layers.0.self_attn.q_proj`,
// `lm_head`), and the Q/K row permutation llama.cpp's converter applies.
import { ShapeError } from '../core/errors';

/** Per-block modules: GGUF stem ↔ HF module path below `model.layers.N.`. */
const BLOCK_NAMES: readonly (readonly [gguf: string, hf: string])[] = [
  ['attn_norm', 'input_layernorm'],
  ['attn_q', 'self_attn.q_proj'],
  ['attn_k', 'self_attn.k_proj'],
  ['attn_v', 'self_attn.v_proj'],
  ['attn_output', 'self_attn.o_proj'],
  ['ffn_norm', 'post_attention_layernorm'],
  ['ffn_gate', 'mlp.gate_proj'],
  ['ffn_up', 'mlp.up_proj'],
  ['ffn_down', 'mlp.down_proj'],
  ['attn_q_norm', 'self_attn.q_norm'],
  ['attn_k_norm', 'self_attn.k_norm'],
];

/** Model-level tensors: GGUF stem ↔ HF module path. */
const TOP_NAMES: readonly (readonly [gguf: string, hf: string])[] = [
  ['token_embd', 'model.embed_tokens'],
  ['output_norm', 'model.norm'],
  ['output', 'lm_head'],
  ['rope_freqs', 'rope_freqs'],
];

const GGUF_TO_HF_BLOCK = new Map(BLOCK_NAMES);
const HF_TO_GGUF_BLOCK = new Map(BLOCK_NAMES.map(([g, h]) => [h, g]));
const GGUF_TO_HF_TOP = new Map(TOP_NAMES);
const HF_TO_GGUF_TOP = new Map(TOP_NAMES.map(([g, h]) => [h, g]));

function splitSuffix(name: string): [stem: string, suffix: string] {
  const m = /^(.*)\.(weight|bias)$/.exec(name);
  return m ? [m[1], `.${m[2]}`] : [name, ''];
}

/** `blk.3.attn_q.weight` → `model.layers.3.self_attn.q_proj.weight`; undefined if not a llama name. */
export function ggufToHfName(ggufName: string): string | undefined {
  const [stem, suffix] = splitSuffix(ggufName);
  const top = GGUF_TO_HF_TOP.get(stem);
  if (top) return top + suffix;
  const m = /^blk\.(\d+)\.(.+)$/.exec(stem);
  const hf = m && GGUF_TO_HF_BLOCK.get(m[2]);
  return m && hf ? `model.layers.${m[1]}.${hf}${suffix}` : undefined;
}

/** `model.layers.3.self_attn.q_proj.weight` → `blk.3.attn_q.weight`; undefined if not a llama name. */
export function hfToGgufName(hfName: string): string | undefined {
  const [stem, suffix] = splitSuffix(hfName);
  const top = HF_TO_GGUF_TOP.get(stem);
  if (top) return top + suffix;
  const m = /^model\.layers\.(\d+)\.(.+)$/.exec(stem);
  const g = m && HF_TO_GGUF_BLOCK.get(m[2]);
  return m && g ? `blk.${m[1]}.${g}${suffix}` : undefined;
}

/** Readable layer name for an HF tensor name: the module path (`….q_proj`, `lm_head`). */
export function layerNameOfHf(hfName: string): string {
  return splitSuffix(hfName)[0];
}

/** Readable layer name for a GGUF tensor name (HF module path where known, else the GGUF stem). */
export function layerNameOfGguf(ggufName: string): string {
  const hf = ggufToHfName(ggufName);
  return hf ? layerNameOfHf(hf) : splitSuffix(ggufName)[0];
}

/** Block index of a GGUF name (`blk.N.…`), or −1 for model-level tensors. */
export function ggufBlockIndex(ggufName: string): number {
  const m = /^blk\.(\d+)\./.exec(ggufName);
  return m ? Number(m[1]) : -1;
}

/**
 * llama.cpp's `LlamaModel.permute` for q_proj/k_proj rows (FORMATS §4.6): within each of the
 * `nHead` heads of `hd` rows, new row `2i + a` ← old row `a·hd/2 + i`. `values` is a row-major
 * [rows, cols] matrix (or a [rows] bias with cols = 1). Returns a new array.
 */
export function permuteQkRows<T extends Float32Array | Uint16Array | Uint8Array>(values: T, rows: number, cols: number, nHead: number): T {
  return moveRows(values, rows, cols, nHead, false);
}

/** Inverse of permuteQkRows (GGUF → HF order). */
export function unpermuteQkRows<T extends Float32Array | Uint16Array | Uint8Array>(values: T, rows: number, cols: number, nHead: number): T {
  return moveRows(values, rows, cols, nHead, true);
}

function moveRows<T extends Float32Array | Uint16Array | Uint8Array>(values: T, rows: number, cols: number, nHead: number, inverse: boolean): T {
  if (values.length !== rows * cols) throw new ShapeError(`expected ${rows}×${cols} values, got ${values.length}`);
  if (nHead <= 0 || rows % (2 * nHead) !== 0) {
    throw new ShapeError(`cannot permute ${rows} rows for ${nHead} heads: rows must be a multiple of 2·heads`, { rows, nHead });
  }
  const hd = rows / nHead;
  const half = hd / 2;
  const out = new (values.constructor as new (n: number) => T)(values.length);
  for (let h = 0; h < nHead; h++) {
    for (let i = 0; i < half; i++) {
      for (let a = 0; a < 2; a++) {
        const permuted = h * hd + 2 * i + a;
        const original = h * hd + a * half + i;
        const [to, from] = inverse ? [original, permuted] : [permuted, original];
        out.set(values.subarray(from * cols, (from + 1) * cols), to * cols);
      }
    }
  }
  return out;
}
