// `general.file_type` (llama_ftype) of a GGUF the studio writes: the preset's own, else the
// type that holds most of the 2-D weights (llama.cpp reads it only to describe the file).
import type { GgufPresetName } from '../../core/recipe';
import { presetFileType } from '../recipe/preset-rules';

/** The llama_ftype llama-quantize writes when every tensor has this type ("pure"). */
const FTYPE_OF_TYPE: Record<string, number> = {
  F32: 0, F16: 1, Q4_0: 2, Q4_1: 3, Q8_0: 7, Q5_0: 8, Q5_1: 9, Q2_K: 10, Q3_K: 11, Q4_K: 14, Q5_K: 16, Q6_K: 18, BF16: 32,
};

export function ggufFileType(preset: GgufPresetName | undefined, tensors: readonly { type: string; shape: readonly number[] }[]): number {
  if (preset) return presetFileType(preset);
  const elements = new Map<string, number>();
  for (const t of tensors) {
    if (t.shape.length < 2) continue;
    elements.set(t.type, (elements.get(t.type) ?? 0) + t.shape.reduce((a, b) => a * b, 1));
  }
  let best: string | undefined;
  for (const [type, n] of elements) if (best === undefined || n > elements.get(best)!) best = type;
  return FTYPE_OF_TYPE[best ?? 'F32'] ?? 0;
}
