// A recipe's identity: its canonical JSON (fixed key order, defaults filled by the parser) and a
// short SHA-256 of it. Sweep points are named by it, so the page and the CLI name the same point
// the same way; the display name does not count (two names for one recipe are one point).
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { PruneSpec, QuantizeSpec, Recipe, RecipeRule } from './recipe';

function canonicalQuantize(q: QuantizeSpec): QuantizeSpec {
  if (q.method === 'rtn') return { method: 'rtn', bits: q.bits, group: q.group, symmetric: q.symmetric };
  if (q.method === 'gptq') {
    if (q.type !== undefined) return { method: 'gptq', type: q.type, damping: q.damping, blocksize: q.blocksize, actOrder: q.actOrder };
    return { method: 'gptq', bits: q.bits, group: q.group, symmetric: q.symmetric, damping: q.damping, blocksize: q.blocksize, actOrder: q.actOrder };
  }
  if (q.method === 'hqq') {
    return { method: 'hqq', bits: q.bits, group: q.group, symmetric: false, zeroPoint: q.zeroPoint, iterations: q.iterations, lpNorm: q.lpNorm, beta: q.beta, kappa: q.kappa };
  }
  if (q.method === 'awq') {
    if (q.type !== undefined) return { method: 'awq', type: q.type, gridPoints: q.gridPoints };
    return { method: 'awq', bits: q.bits, group: q.group, symmetric: q.symmetric, gridPoints: q.gridPoints, clip: q.clip };
  }
  return { method: 'ggml', type: q.type, ...(q.imatrix ? { imatrix: true } : {}) };
}

function canonicalPrune(p: PruneSpec): PruneSpec {
  if (p.method === 'channels') return { method: 'channels', sparsity: p.sparsity };
  const target = p.pattern !== undefined ? { pattern: p.pattern } : { sparsity: p.sparsity };
  if (p.method === 'magnitude') return { method: 'magnitude', ...target, scope: p.scope };
  if (p.method === 'wanda') return { method: 'wanda', ...target };
  return { method: 'sparsegpt', ...target, damping: p.damping, blocksize: p.blocksize };
}

function canonicalRule(r: RecipeRule): RecipeRule {
  const out: RecipeRule = { match: r.match };
  if (r.role) out.role = r.role;
  if (r.keep) out.keep = true;
  if (r.prune) out.prune = canonicalPrune(r.prune);
  if (r.quantize) out.quantize = canonicalQuantize(r.quantize);
  return out;
}

/** The recipe with its keys in schema order (name first when present); JSON.stringify of it is canonical. */
export function canonicalRecipe(recipe: Recipe): Recipe {
  // Built key by key: `rules` last, so the short fields read first when a recipe is printed.
  const out = { recipe: recipe.recipe } as Recipe;
  if (recipe.name !== undefined) out.name = recipe.name;
  if (recipe.preset !== undefined) out.preset = recipe.preset;
  if (recipe.pure !== undefined) out.pure = recipe.pure;
  if (recipe.imatrix) out.imatrix = true;
  if (recipe.dtype !== undefined) out.dtype = recipe.dtype;
  if (recipe.calibration !== undefined) {
    const c = recipe.calibration;
    out.calibration = { text: c.text, windows: c.windows, sequential: c.sequential, ...(c.imatrix !== undefined ? { imatrix: c.imatrix } : {}) };
  }
  out.rules = recipe.rules.map(canonicalRule);
  return out;
}

/** "r-" + the first 16 hex digits of SHA-256 over the canonical JSON without the name. */
export function recipeId(recipe: Recipe): string {
  const { name: _name, ...rest } = canonicalRecipe(recipe);
  const digest = sha256(new TextEncoder().encode(JSON.stringify(rest)));
  return `r-${bytesToHex(digest).slice(0, 16)}`;
}
