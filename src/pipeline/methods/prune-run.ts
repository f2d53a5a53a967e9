// What the pruning methods share when they run: the recipe target as the kernels' pattern, the
// input statistics a calibrated method needs (a clear message when calibration did not run), and
// the dense result with its error against the original weight.
import type { DenseTensor } from '../../core/compressed-tensor';
import { decodeFloats } from '../../core/dtypes';
import { UsageError } from '../../core/errors';
import type { PrunePatternName } from '../../core/recipe';
import { toRowMajor } from '../../core/weight-layout';
import { relativeError } from '../../quant/metrics';
import type { InputStats, WeightInput } from './method';
import { patternParts } from './prune-target';

export type KernelPattern = { kind: 'unstructured'; sparsity: number; scope: 'tensor' | 'row' } | { kind: 'n:m'; n: number; m: number };

export function kernelPattern(target: { sparsity?: number; pattern?: PrunePatternName }, scope: 'tensor' | 'row'): KernelPattern {
  if (target.pattern) {
    const [n, m] = patternParts(target.pattern);
    return { kind: 'n:m', n, m };
  }
  return { kind: 'unstructured', sparsity: target.sparsity ?? 0, scope };
}

/** The calibration statistics of a weight's input; a usage error when the run has none. */
export function requireStats(input: WeightInput, method: string, hessian: boolean): InputStats {
  const s = input.stats;
  if (!s || (hessian && !s.hessian)) {
    throw new UsageError(`${method} needs calibration statistics of ${input.info.layer}'s input (${hessian ? 'the Hessian XᵀX' : 'per-input sums of squares'}), and this run has none`);
  }
  return s;
}

/** The original weight, logical row-major float32. */
export function originalValues(input: WeightInput): Float32Array {
  return toRowMajor(decodeFloats(input.bytes, input.dtype), input.layout);
}

export function pruneResult(input: WeightInput, values: Float32Array): DenseTensor {
  const { rows, cols } = input.layout;
  return { kind: 'dense', rows, cols, values, relError: relativeError(originalValues(input), values) };
}
