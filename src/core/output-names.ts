// The one place output files are named (page downloads, sweep points, the CLI's defaults):
// `<model stem>-<what the recipe does>.<format>`. A uniform rtn recipe reads as its setting
// (`model-q4-b32-asym.onnx`, pruned `model-wanda50-q4-b32-asym.onnx`), a llama.cpp preset as its type (`model-Q4_K_M.gguf`), a float
// conversion as its dtype; a recipe with a name uses it; anything else is `mixed` plus a short
// recipe id, so two different recipes never share a name.
import type { OutputFormat } from './compression-plan';
import { canonicalRecipe, recipeId } from './recipe-id';
import { presetIsPure, type PruneSpec, type QuantizeSpec, type Recipe, type RecipeRule } from './recipe';
import { selectionRules, type RuleBody, type TensorSelection } from './tensor-selection';

const EXTENSION: Record<OutputFormat, string> = { onnx: '.onnx', gguf: '.gguf', safetensors: '.safetensors' };

/** "dir/My Model.onnx" → "My_Model" (the name without folders, model extensions or odd characters). */
export function modelStem(sourceName: string): string {
  const base = sourceName.split(/[\\/]/).pop() ?? '';
  return base.replace(/\.(onnx|gguf|safetensors\.index\.json|safetensors)$/i, '').replace(/[^\w.-]+/g, '_') || 'model';
}

function specTag(q: QuantizeSpec): string {
  if (q.method === 'ggml') return `${q.type}${q.imatrix ? '-imatrix' : ''}`;
  if (q.method === 'awq' && q.type !== undefined) return `awq-${q.type}`;
  if (q.method === 'hqq') return `hqq-q${q.bits}-${q.group === 'per-channel' ? 'pc' : `b${q.group}`}${q.zeroPoint === 'integer' ? '-intzp' : ''}`;
  const grid = `q${q.bits}-${q.group === 'per-channel' ? 'pc' : `b${q.group}`}-${q.symmetric ? 'sym' : 'asym'}`;
  if (q.method === 'awq') return `awq-${grid}${q.clip ? '' : '-noclip'}`;
  return q.method === 'gptq' ? `gptq-${grid}${q.actOrder ? '-act' : ''}` : grid;
}

function pruneTag(p: PruneSpec): string {
  return `${p.method}${p.pattern ? p.pattern.replace(':', 'of') : Math.round((p.sparsity ?? 0) * 100)}`;
}

function bodyTag(b: RuleBody): string {
  return [b.prune ? pruneTag(b.prune) : '', b.quantize ? specTag(b.quantize) : ''].filter(Boolean).join('-');
}

const SELECTIONS: TensorSelection[] = [{ kind: 'all-matmuls' }, { kind: 'all-but-head' }];
const canonicalRules = (rules: RecipeRule[]) => JSON.stringify(canonicalRecipe({ recipe: 1, rules }).rules);
const sameRules = (a: RecipeRule[], b: RecipeRule[]) => canonicalRules(a) === canonicalRules(b);

/** What the recipe does, as a file-name part. */
export function recipeTag(recipe: Recipe, format: OutputFormat): string {
  if (recipe.name) return recipe.name.replace(/[^\w.-]+/g, '_');
  if (recipe.preset) {
    const tag = `${recipe.preset}${presetIsPure(recipe) ? '-pure' : ''}${recipe.imatrix ? '-imatrix' : ''}`;
    return recipe.rules.length ? `${tag}-custom-${recipeId(recipe).slice(2, 8)}` : tag;
  }
  if (recipe.rules.length === 0) {
    if (!recipe.dtype) return 'converted';
    return format === 'gguf' ? recipe.dtype.toUpperCase() : recipe.dtype;
  }
  const { prune, quantize } = recipe.rules[recipe.rules.length - 1];
  const last: RuleBody = { ...(prune ? { prune } : {}), ...(quantize ? { quantize } : {}) };
  if (prune || quantize) {
    for (const s of SELECTIONS) {
      if (sameRules(recipe.rules, selectionRules(s, last))) return s.kind === 'all-matmuls' ? bodyTag(last) : `${bodyTag(last)}-${s.kind}`;
    }
  }
  return `mixed-${recipeId(recipe).slice(2, 10)}`;
}

export function outputFileName(sourceName: string, format: OutputFormat, recipe: Recipe): string {
  return `${modelStem(sourceName)}-${recipeTag(recipe, format)}${EXTENSION[format]}`;
}

/** "<model stem>-sweep.<ext>" (sweep tables and charts). */
export function sweepFileName(sourceName: string, ext: string): string {
  return `${modelStem(sourceName)}-sweep.${ext}`;
}

/** "<model stem>-imatrix.gguf": an importance matrix measured on the model (llama.cpp's GGUF form). */
export function imatrixFileName(sourceName: string): string {
  return `${modelStem(sourceName)}-imatrix.gguf`;
}
