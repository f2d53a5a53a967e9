// What every pruning method shares: its target — a sparsity in [0, 1) or an N:M pattern along the
// input dimension — parsed from a rule with messages naming the rule and the field, checked
// against a tensor's rows, and turned into the kernels' pattern.
import { RecipeError } from '../../core/errors';
import type { TensorInfo } from '../../core/model-index';
import { PRUNE_PATTERNS, type PrunePatternName } from '../../core/recipe';

export interface ParsedTarget {
  sparsity?: number;
  pattern?: PrunePatternName;
}

export function parsePruneTarget(raw: Record<string, unknown>, rule: number): ParsedTarget {
  const hasSparsity = raw.sparsity !== undefined;
  const hasPattern = raw.pattern !== undefined;
  if (hasSparsity === hasPattern) {
    throw new RecipeError(`rule ${rule}: prune needs exactly one of "sparsity" (e.g. 0.5) or "pattern" (${PRUNE_PATTERNS.map((p) => `"${p}"`).join(', ')})`, { rule, field: hasSparsity ? 'prune.pattern' : 'prune.sparsity' });
  }
  if (hasPattern) {
    if (!(PRUNE_PATTERNS as readonly unknown[]).includes(raw.pattern)) {
      throw new RecipeError(`rule ${rule}: prune.pattern must be ${PRUNE_PATTERNS.map((p) => `"${p}"`).join(' or ')} (N nonzeros in every M inputs); got ${JSON.stringify(raw.pattern)}`, { rule, field: 'prune.pattern' });
    }
    return { pattern: raw.pattern as PrunePatternName };
  }
  const s = raw.sparsity;
  if (typeof s !== 'number' || !Number.isFinite(s) || s < 0 || s >= 1) {
    throw new RecipeError(`rule ${rule}: prune.sparsity must be a number in [0, 1) (the fraction of weights set to zero); got ${JSON.stringify(s)}`, { rule, field: 'prune.sparsity' });
  }
  return { sparsity: s };
}

/** [n, m] of an N:M pattern name. */
export function patternParts(pattern: PrunePatternName): [n: number, m: number] {
  const [n, m] = pattern.split(':').map(Number);
  return [n, m];
}

/** Why the pattern cannot apply to a tensor (its rows are not whole groups of M). */
export function patternProblem(target: ParsedTarget, tensor: TensorInfo): string | undefined {
  if (!target.pattern) return undefined;
  const [, m] = patternParts(target.pattern);
  const cols = tensor.layout!.cols;
  return cols % m === 0 ? undefined : `its rows of ${cols} inputs are not a whole number of ${target.pattern} groups of ${m}`;
}
