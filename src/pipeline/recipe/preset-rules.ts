// A recipe's "preset" (a llama-quantize mix or pure type) as rules: llama.cpp's type choice for
// every tensor of this model (src/quant/ggml/gguf-presets.ts, llama.cpp b10573 rules, fallbacks
// for short rows included), written as one exact-name rule per type, and the file type
// llama-quantize records for it. The choice needs the GGUF view of the model (names, shapes,
// layer and head counts): the GGUF layout the exporters build.
import { escapeRegExp } from '../../core/regexp';
import { presetIsPure, type GgmlQuantType, type GgufPresetName, type Recipe, type RecipeRule } from '../../core/recipe';
import { GGUF_PRESETS, planGgufPreset, tensorAllowsQuantization, type PresetModel, type PresetTensor, type TensorTypeChoice } from '../../quant/ggml/gguf-presets';
import { ggmlScheme, type GgmlSchemeName } from '../../quant/ggml/schemes';

/** Pure types without a mix of their own, with the llama_ftype llama-quantize writes; k-quants plan through the mix with the same default type. */
const PURE_ONLY: Record<string, { type: GgmlSchemeName; fileType: number; via?: keyof typeof GGUF_PRESETS }> = {
  Q4_1: { type: 'Q4_1', fileType: 3 },
  Q5_0: { type: 'Q5_0', fileType: 8 },
  Q5_1: { type: 'Q5_1', fileType: 9 },
  Q3_K_S: { type: 'Q3_K', fileType: 11, via: 'Q3_K_M' },
  Q4_K_S: { type: 'Q4_K', fileType: 14, via: 'Q4_K_M' },
  Q5_K_S: { type: 'Q5_K', fileType: 16, via: 'Q5_K_M' },
};

/** `general.file_type` (llama_ftype) llama-quantize writes for a preset. */
export function presetFileType(preset: GgufPresetName): number {
  return preset in GGUF_PRESETS ? GGUF_PRESETS[preset as keyof typeof GGUF_PRESETS].fileType : PURE_ONLY[preset].fileType;
}

/** llama.cpp's tensor_type_fallback for the 32-block pure types: F16 when 32 does not divide the row. */
function pureChoice(t: PresetTensor, type: GgmlSchemeName): TensorTypeChoice {
  const ncols = t.shape[t.shape.length - 1];
  const block = ggmlScheme(type)!.blockSize;
  if (ncols % block === 0) return { name: t.name, type };
  const message = `${t.name} - ncols ${ncols} not divisible by ${block} (required for type ${type}) (must use F16 due to unusual shape) -> falling back to F16`;
  return { name: t.name, type: 'F16', fallback: { from: type, message } };
}

function presetChoices(recipe: Recipe, tensors: readonly PresetTensor[], model: PresetModel): { choices: TensorTypeChoice[]; summary?: string } {
  const preset = recipe.preset!;
  const pure = presetIsPure(recipe);
  const p = PURE_ONLY[preset];
  if (!p) return planGgufPreset(preset as keyof typeof GGUF_PRESETS, tensors, model, pure);
  if (p.via) return planGgufPreset(p.via, tensors, model, true);
  const choices = tensors.map((t) => (tensorAllowsQuantization(t) ? pureChoice(t, p.type) : { name: t.name, type: null }));
  const n = choices.filter((c) => c.fallback).length;
  return { choices, summary: n ? `WARNING: ${n} of ${tensors.length} tensor(s) required fallback quantization` : undefined };
}

/** One GGUF tensor the preset sees, and the source tensor (ModelIndex name and layer) it comes from, if rules can see it. */
export interface PresetCandidate extends PresetTensor {
  source?: { name: string; layer: string };
}

export interface PresetExpansion {
  rules: RecipeRule[];
  /** Source tensor name → llama.cpp's fallback (the type it wanted, the type it took, its message). */
  fallbacks: Map<string, { from: string; to: string; message: string }>;
  /** llama.cpp's closing warning when any tensor fell back. */
  summary?: string;
}

/** The preset's rules for this model: one `^(layer|…)$` rule per ggml type, in the order llama.cpp first picks each type. */
export function presetRules(recipe: Recipe, candidates: readonly PresetCandidate[], model: PresetModel): PresetExpansion {
  const { choices, summary } = presetChoices(recipe, candidates, model);
  const byType = new Map<string, string[]>();
  const fallbacks = new Map<string, { from: string; to: string; message: string }>();
  choices.forEach((c, i) => {
    const source = candidates[i].source;
    if (!source || !c.type) return;
    byType.set(c.type, [...(byType.get(c.type) ?? []), source.layer]);
    if (c.fallback) fallbacks.set(source.name, { from: c.fallback.from, to: c.type, message: c.fallback.message });
  });
  const rules: RecipeRule[] = [...byType].map(([type, layers]) => ({
    match: `^(?:${layers.map(escapeRegExp).join('|')})$`,
    quantize: { method: 'ggml', type: type as GgmlQuantType, ...(recipe.imatrix ? { imatrix: true } : {}) },
  }));
  return { rules, fallbacks, summary };
}
