// SparseGPT (Frantar & Alistarh 2023, "SparseGPT: Massive Language Models Can Be Accurately
// Pruned in One-Shot") as a registered method: from the calibration Hessian, the damped inverse
// Cholesky factor, then the blocked column solve that prunes (unstructured or N:M) and updates the
// remaining weights to compensate. Dead inputs (zero Hessian diagonal) are zeroed, as the
// reference does. GPU: src/kernels/linalg/; references: src/quant/linalg/.
import { RecipeError } from '../../core/errors';
import type { DenseTensor } from '../../core/compressed-tensor';
import type { SparseGptPrune } from '../../core/recipe';
import { dampedInverseCholeskyGpu } from '../../kernels/linalg/cholesky';
import { sparseGptGpu } from '../../kernels/linalg/sparsegpt';
import { dampedInverseCholeskyRef, hessianNotes } from '../../quant/linalg/cholesky';
import { sparseGptRef } from '../../quant/linalg/sparsegpt';
import { checkFields } from './check-fields';
import type { PruneMethod, WeightInput } from './method';
import { kernelPattern, originalValues, pruneResult, requireStats } from './prune-run';
import { parsePruneTarget, patternProblem } from './prune-target';

const FIELDS = ['sparsity', 'pattern', 'damping', 'blocksize'] as const;

/** Sparsity 0 asks for nothing: the reference solver would still prune one weight per block (upstream's threshold rule). */
const prunesNothing = (spec: SparseGptPrune) => !spec.pattern && spec.sparsity === 0;

function solverPattern(spec: SparseGptPrune) {
  const p = kernelPattern(spec, 'row');
  return p.kind === 'n:m' ? p : { kind: 'unstructured' as const, sparsity: p.sparsity };
}

const withNotes = (t: DenseTensor, notes: string[]): DenseTensor => (notes.length ? { ...t, notes } : t);

/** W with the dead input columns zeroed (they never reach the output). */
function withDeadZeroed(input: WeightInput, dead: readonly number[]): Float32Array {
  const w = originalValues(input).slice();
  const { rows, cols } = input.layout;
  for (const c of dead) for (let r = 0; r < rows; r++) w[r * cols + c] = 0;
  return w;
}

export const sparseGptMethod: PruneMethod<SparseGptPrune> = {
  id: 'sparsegpt',
  fields: FIELDS,
  parse(raw, rule) {
    checkFields(raw, 'sparsegpt', FIELDS, rule, 'prune');
    const target = parsePruneTarget(raw, rule);
    const damping = raw.damping ?? 0.01;
    if (typeof damping !== 'number' || !(damping > 0) || damping >= 1) throw new RecipeError(`rule ${rule}: prune.damping must be a number in (0, 1) (a fraction of the Hessian's mean diagonal); got ${JSON.stringify(damping)}`, { rule, field: 'prune.damping' });
    const blocksize = raw.blocksize ?? 128;
    if (typeof blocksize !== 'number' || !Number.isInteger(blocksize) || blocksize < 1) throw new RecipeError(`rule ${rule}: prune.blocksize must be a positive integer (columns per block); got ${JSON.stringify(blocksize)}`, { rule, field: 'prune.blocksize' });
    return { method: 'sparsegpt', ...target, damping, blocksize };
  },
  needs: () => 'hessian',
  problem: (spec, tensor) => patternProblem(spec, tensor),
  async runGpu(gpu, input, spec, signal) {
    if (prunesNothing(spec)) return pruneResult(input, originalValues(input));
    const { hessian } = requireStats(input, 'SparseGPT', true);
    const { rows, cols } = input.layout;
    const inv = await dampedInverseCholeskyGpu(gpu, hessian!, cols, { percdamp: spec.damping, signal });
    const r = await sparseGptGpu(gpu, withDeadZeroed(input, inv.dead), rows, cols, inv.u, solverPattern(spec), { blocksize: spec.blocksize, signal });
    return withNotes(pruneResult(input, r.values), hessianNotes(inv, spec.damping, cols));
  },
  async runRef(input, spec) {
    if (prunesNothing(spec)) return pruneResult(input, originalValues(input));
    const { hessian } = requireStats(input, 'SparseGPT', true);
    const { rows, cols } = input.layout;
    const inv = dampedInverseCholeskyRef(hessian!, cols, spec.damping);
    const r = sparseGptRef(withDeadZeroed(input, inv.dead), rows, cols, inv.u, solverPattern(spec), spec.blocksize);
    return withNotes(pruneResult(input, r.values), hessianNotes(inv, spec.damping, cols));
  },
};
