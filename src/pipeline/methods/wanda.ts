// Wanda (Sun et al. 2023, "A Simple and Effective Pruning Approach for Large Language Models") as
// a registered method: score |W_ij|·‖X_j‖₂ with ‖X_j‖₂ from calibration, the lowest scores zeroed
// per output row (the paper's comparison group), or per N:M group. GPU: src/kernels/prune/prune.ts;
// reference: src/quant/prune/prune-select.ts.
import type { WandaPrune } from '../../core/recipe';
import { pruneGpu } from '../../kernels/prune/prune';
import { pruneRef } from '../../quant/prune/prune-select';
import { checkFields } from './check-fields';
import type { PruneMethod } from './method';
import { kernelPattern, originalValues, pruneResult, requireStats } from './prune-run';
import { parsePruneTarget, patternProblem } from './prune-target';

const FIELDS = ['sparsity', 'pattern'] as const;

export const wandaMethod: PruneMethod<WandaPrune> = {
  id: 'wanda',
  fields: FIELDS,
  parse(raw, rule) {
    checkFields(raw, 'wanda', FIELDS, rule, 'prune');
    return { method: 'wanda', ...parsePruneTarget(raw, rule) };
  },
  needs: () => 'input-stats',
  problem: (spec, tensor) => patternProblem(spec, tensor),
  async runGpu(gpu, input, spec, signal) {
    const { sumSquares } = requireStats(input, 'Wanda', false);
    const r = await pruneGpu(gpu, input, { score: 'wanda', sumSquares, pattern: kernelPattern(spec, 'row'), signal });
    return pruneResult(input, r.values);
  },
  async runRef(input, spec) {
    const { sumSquares } = requireStats(input, 'Wanda', false);
    const { rows, cols } = input.layout;
    const r = pruneRef({ values: originalValues(input), rows, cols }, { score: 'wanda', sumSquares, pattern: kernelPattern(spec, 'row') });
    return pruneResult(input, r.values);
  },
};
