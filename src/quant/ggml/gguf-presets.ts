// llama-quantize's per-tensor type choice for the studio's GGUF presets (llama.cpp b10573,
// src/llama-quant.cpp: tensor_allows_quantization, llama_tensor_get_type_impl,
// tensor_type_fallback; docs/FORMATS.md §4.4c). Only the branches reachable for dense
// (non-MoE, non-Falcon) models and these ftypes are reproduced. Tensor names are GGUF names.
import type { GGUF_MIX_PRESETS } from '../../core/recipe';
import { ggmlScheme, type GgmlSchemeName } from './schemes';

/** The mixes reproduced here: the recipe's list (core/recipe.ts GGUF_MIX_PRESETS), one row each below. */
export type GgufPresetName = (typeof GGUF_MIX_PRESETS)[number];

export interface GgufPreset {
  name: GgufPresetName;
  /** `general.file_type` (llama_ftype) llama.cpp writes for it. */
  fileType: number;
  /** Type of every quantizable tensor the mix does not single out. */
  defaultType: GgmlSchemeName;
}

export const GGUF_PRESETS: Record<GgufPresetName, GgufPreset> = {
  Q8_0: { name: 'Q8_0', fileType: 7, defaultType: 'Q8_0' },
  Q6_K: { name: 'Q6_K', fileType: 18, defaultType: 'Q6_K' },
  Q5_K_M: { name: 'Q5_K_M', fileType: 17, defaultType: 'Q5_K' },
  Q4_K_M: { name: 'Q4_K_M', fileType: 15, defaultType: 'Q4_K' },
  Q4_0: { name: 'Q4_0', fileType: 2, defaultType: 'Q4_0' },
  Q3_K_M: { name: 'Q3_K_M', fileType: 12, defaultType: 'Q3_K' },
  Q2_K: { name: 'Q2_K', fileType: 10, defaultType: 'Q2_K' },
};

export interface PresetTensor {
  name: string;
  /** numpy order; the last axis is the row (ggml ne[0]). */
  shape: readonly number[];
}

export interface PresetModel {
  /** Transformer blocks (llama.block_count). */
  nLayer: number;
  nHead: number;
  nHeadKv: number;
}

export interface TensorTypeChoice {
  name: string;
  /** Type to write, or null: keep the tensor as it is (norms, 1-D tensors). */
  type: GgmlSchemeName | null;
  /** Set when the row length forced another type (llama.cpp counts and reports these). */
  fallback?: { from: GgmlSchemeName; message: string };
}

export interface PresetPlan {
  choices: TensorTypeChoice[];
  fallbackCount: number;
  /** llama.cpp's closing warning, when any tensor fell back. */
  summary?: string;
}

/** Does llama-quantize quantize this tensor at all? (A subset of upstream's name rules.) */
export function tensorAllowsQuantization(t: PresetTensor): boolean {
  const n = t.name;
  if (t.shape.length < 2 || !n.endsWith('weight')) return false;
  const excluded = ['_norm.weight', 'ffn_gate_inp.weight', 'ssm_conv1d', 'attn_rel_b.weight', 'altup', 'laurel', 'per_layer_model_proj', 'shortconv.conv.weight'];
  if (excluded.some((s) => n.includes(s))) return false;
  return n !== 'position_embd.weight' && n !== 'token_types.weight';
}

type Category = 'token_embd' | 'output' | 'attn_v' | 'attn_k' | 'attn_q' | 'attn_output' | 'attn_qkv' | 'ffn_up' | 'ffn_gate' | 'ffn_down' | 'other';

function category(name: string): Category {
  if (name === 'output.weight') return 'output';
  if (name === 'token_embd.weight' || name === 'per_layer_token_embd.weight') return 'token_embd';
  if (name.includes('attn_qkv.weight') || name.includes('attn_kv_b.weight')) return 'attn_qkv';
  if (name.includes('attn_v.weight')) return 'attn_v';
  if (name.includes('attn_k.weight')) return 'attn_k';
  if (name.includes('attn_q.weight')) return 'attn_q';
  if (name.includes('attn_output.weight')) return 'attn_output';
  if (name.includes('ffn_up')) return 'ffn_up';
  if (name.includes('ffn_gate')) return 'ffn_gate';
  if (name.includes('ffn_down')) return 'ffn_down';
  return 'other';
}

/** llama.cpp's use_more_bits(i, n): the first and last eighth of the layers, and every third between. */
export function useMoreBits(i: number, n: number): boolean {
  const e = Math.trunc(n / 8);
  return i < e || i >= Math.trunc((7 * n) / 8) || (i - e) % 3 === 2;
}

/** The order llama-quantize visits tensors (its weights_map): model-level first, then by block, then by name. */
function visitOrder(a: string, b: string): number {
  const layer = (s: string) => {
    const m = /^blk\.(\d+)\./.exec(s);
    return m ? Number(m[1]) : -1;
  };
  return layer(a) - layer(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** tensor_type_fallback: rows a block does not divide get a 32-block type, or F16. */
function withFallback(t: PresetTensor, type: GgmlSchemeName): TensorTypeChoice {
  const ncols = t.shape[t.shape.length - 1];
  const block = ggmlScheme(type)?.blockSize ?? 1;
  if (ncols % block === 0) return { name: t.name, type };
  const FALLBACK: Partial<Record<GgmlSchemeName, GgmlSchemeName>> = { Q2_K: 'Q4_0', Q3_K: 'Q4_0', Q4_K: 'Q5_0', Q5_K: 'Q5_1', Q6_K: 'Q8_0' };
  let to: GgmlSchemeName = FALLBACK[type] ?? 'F16';
  let unusual = '';
  if (ncols % (ggmlScheme(to)?.blockSize ?? 1) !== 0) {
    to = 'F16';
    unusual = ' (must use F16 due to unusual shape)';
  }
  const message = `${t.name} - ncols ${ncols} not divisible by ${block} (required for type ${type})${unusual} -> falling back to ${to}`;
  return { name: t.name, type: to, fallback: { from: type, message } };
}

/**
 * Chooses the ggml type of every tensor for a preset, as llama-quantize would without an
 * importance matrix. `pure` gives every quantizable tensor the default type (llama-quantize
 * --pure). Choices come back in the input order.
 */
export function planGgufPreset(presetName: GgufPresetName, tensors: readonly PresetTensor[], model: PresetModel, pure = false): PresetPlan {
  const preset = GGUF_PRESETS[presetName];
  const ftype = preset.name;
  const nGqa = model.nHead / model.nHeadKv;
  const tied = !tensors.some((t) => t.name === 'output.weight');
  const nAttnV = tensors.filter((t) => category(t.name) === 'attn_v' || category(t.name) === 'attn_qkv').length;
  let iAttnV = 0;
  let iFfnDown = 0;
  const byName = new Map<string, TensorTypeChoice>();
  const order = [...tensors].sort((a, b) => visitOrder(a.name, b.name));

  for (const t of order) {
    if (!tensorAllowsQuantization(t)) {
      byName.set(t.name, { name: t.name, type: null });
      continue;
    }
    let type: GgmlSchemeName = preset.defaultType;
    const cat = category(t.name);
    if (!pure) {
      if (cat === 'output' || (tied && cat === 'token_embd')) {
        const nx = t.shape[t.shape.length - 1];
        const block = ggmlScheme(type)?.blockSize ?? 1;
        if (nx % block !== 0) type = 'Q8_0';
        else if (type !== 'Q8_0') type = 'Q6_K';
      } else if (cat === 'token_embd') {
        // The low-bit IQ/TQ mixes change it; none of the studio's presets do.
      } else if (cat === 'attn_v' || cat === 'attn_qkv') {
        if (cat === 'attn_qkv') {
          if (ftype === 'Q3_K_M') type = 'Q4_K';
          else if (ftype === 'Q4_K_M') type = 'Q5_K';
          else if (ftype === 'Q5_K_M') type = 'Q6_K';
        } else if (ftype === 'Q2_K') type = nGqa >= 4 ? 'Q4_K' : 'Q3_K';
        else if (ftype === 'Q3_K_M') type = iAttnV < 2 ? 'Q5_K' : 'Q4_K';
        else if ((ftype === 'Q4_K_M' || ftype === 'Q5_K_M') && useMoreBits(iAttnV, nAttnV)) type = 'Q6_K';
        iAttnV++;
      } else if (cat === 'ffn_down') {
        const i = iFfnDown;
        const n = model.nLayer;
        if (ftype === 'Q2_K') type = 'Q3_K';
        else if (ftype === 'Q3_K_M') type = i < Math.trunc(n / 16) ? 'Q5_K' : 'Q4_K';
        else if ((ftype === 'Q4_K_M' || ftype === 'Q5_K_M') && useMoreBits(i, n)) type = 'Q6_K';
        iFfnDown++;
      } else if (cat === 'attn_output') {
        if (ftype === 'Q2_K') type = 'Q3_K';
        else if (ftype === 'Q3_K_M') type = 'Q4_K';
      }
    }
    byName.set(t.name, withFallback(t, type));
  }
  const choices = tensors.map((t) => byName.get(t.name) as TensorTypeChoice);
  const fallbackCount = choices.filter((c) => c.fallback).length;
  return {
    choices,
    fallbackCount,
    summary: fallbackCount ? `WARNING: ${fallbackCount} of ${tensors.length} tensor(s) required fallback quantization` : undefined,
  };
}
