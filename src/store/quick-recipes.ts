// The recipes the compress form offers in one click, per output format (issue: "quick presets"):
// uniform 4-bit, keep the output head, the 8-bit attention v/o + MLP down mix, the
// llama.cpp presets for GGUF, float conversions, and a GPTQ-packed 4-bit checkpoint for safetensors. Each is plain recipe data the editor then
// shows rule by rule.
import type { OutputFormat } from '../core/compression-plan';
import { GGUF_MIX_PRESETS, RECIPE_VERSION, type Recipe, type RecipeRule, type RtnQuantize } from '../core/recipe';
import { OUTPUT_HEAD_PATTERN } from '../core/tensor-selection';

export interface QuickRecipe {
  id: string;
  label: string;
  format: OutputFormat;
  recipe: Recipe;
}

const rtn = (bits: RtnQuantize['bits'], group: RtnQuantize['group'], symmetric: boolean): RtnQuantize => ({ method: 'rtn', bits, group, symmetric });
const FOUR_BIT = rtn(4, 32, false);

/** Rules that come before a catch-all: the specific part of a quick recipe (also a sweep's base). */
export const KEEP_HEAD_RULES: RecipeRule[] = [{ match: OUTPUT_HEAD_PATTERN, keep: true }];
export const ATTENTION_DOWN_8BIT_RULES: RecipeRule[] = [
  { match: 'lm_head|embed', keep: true },
  { match: 'self_attn\\.(v|o)_proj|mlp\\.down_proj', quantize: rtn(8, 'per-channel', true) },
];

const recipe = (rules: RecipeRule[], extra: Partial<Recipe> = {}): Recipe => ({ recipe: RECIPE_VERSION, ...extra, rules });

export const QUICK_RECIPES: readonly QuickRecipe[] = [
  { id: 'uniform', label: 'Uniform: every matmul weight 4-bit / 32', format: 'onnx', recipe: recipe([{ match: '.*', role: 'matmul-weight', quantize: FOUR_BIT }]) },
  { id: 'keep-head', label: 'Keep the output head, 4-bit elsewhere', format: 'onnx', recipe: recipe([...KEEP_HEAD_RULES, { match: '.*', role: 'matmul-weight', quantize: FOUR_BIT }]) },
  { id: 'attention-down-8bit', label: '8-bit attention v/o and MLP down, 4-bit elsewhere', format: 'onnx', recipe: recipe([...ATTENTION_DOWN_8BIT_RULES, { match: '.*', quantize: FOUR_BIT }], { name: 'q8-attn-vo-down-q4' }) },
  ...GGUF_MIX_PRESETS.map((p): QuickRecipe => ({ id: `gguf-${p}`, label: `llama.cpp ${p}`, format: 'gguf', recipe: recipe([], { preset: p }) })),
  { id: 'gguf-f16', label: 'F16 (no quantization)', format: 'gguf', recipe: recipe([], { dtype: 'f16' }) },
  { id: 'safetensors-stored', label: 'As stored (no change)', format: 'safetensors', recipe: recipe([]) },
  { id: 'safetensors-bf16', label: 'bfloat16', format: 'safetensors', recipe: recipe([], { dtype: 'bf16' }) },
  // Symmetric: GPTQ's v1 layout cannot hold a zero point of 0, which asymmetric groups can have.
  { id: 'safetensors-gptq-4bit', label: 'GPTQ-packed 4-bit / 128 symmetric (output head kept), float16', format: 'safetensors', recipe: recipe([...KEEP_HEAD_RULES, { match: '.*', role: 'matmul-weight', quantize: rtn(4, 128, true) }], { dtype: 'f16' }) },
  { id: 'safetensors-f16', label: 'float16', format: 'safetensors', recipe: recipe([], { dtype: 'f16' }) },
];

/** The quick recipe a format starts with. */
export function defaultQuickRecipe(format: OutputFormat): QuickRecipe {
  const id = format === 'onnx' ? 'uniform' : format === 'gguf' ? 'gguf-Q8_0' : 'safetensors-stored';
  return QUICK_RECIPES.find((q) => q.id === id)!;
}

/** Base rules a sweep's points can start with. */
export const SWEEP_BASES: readonly { id: string; label: string; rules: RecipeRule[] }[] = [
  { id: 'none', label: 'Nothing (the axes decide every tensor)', rules: [] },
  { id: 'keep-head', label: 'Keep the output head', rules: KEEP_HEAD_RULES },
  { id: 'attention-down-8bit', label: 'Keep head and embedding, 8-bit attention v/o and MLP down', rules: ATTENTION_DOWN_8BIT_RULES },
];
