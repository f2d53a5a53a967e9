// Which rule takes which tensor (DESIGN "The compression seam"): rules see only matmul weights and
// embeddings; they are tried in order and the first whose pattern matches the layer name or the
// tensor name (unanchored JavaScript RegExp), and whose role if given fits, decides. Shared by the
// plan resolver and the page's live counts, so both always agree.
import { RecipeError } from './errors';
import type { TensorInfo } from './model-index';
import type { RecipeRule } from './recipe';

export interface RuleMatcher {
  re: RegExp;
  role?: string;
}

/** Compiles a rule's pattern as the resolver uses it; RecipeError naming the rule when it is not a RegExp. */
export function compileMatch(pattern: string, rule: number): RegExp {
  try {
    return new RegExp(pattern);
  } catch (e) {
    throw new RecipeError(`rule ${rule}: "match" is not a valid regular expression: ${(e as Error).message}`, { rule, field: 'match' });
  }
}

export function ruleMatchers(rules: readonly Pick<RecipeRule, 'match' | 'role'>[]): RuleMatcher[] {
  return rules.map((r, i) => ({ re: compileMatch(r.match, i), role: r.role }));
}

/** The tensors rules see: matmul weights and embeddings with a known [out, in] layout. */
export function compressibleTensors<T extends Pick<TensorInfo, 'layout' | 'role'>>(tensors: readonly T[]): T[] {
  return tensors.filter((t) => t.layout && (t.role === 'matmul-weight' || t.role === 'embedding'));
}

/** Index of the first rule that takes `t`, or null. */
export function firstMatch(matchers: readonly RuleMatcher[], t: Pick<TensorInfo, 'name' | 'layer' | 'role'>): number | null {
  for (let i = 0; i < matchers.length; i++) {
    const m = matchers[i];
    if (m.role && m.role !== t.role) continue;
    if (m.re.test(t.layer) || m.re.test(t.name)) return i;
  }
  return null;
}
