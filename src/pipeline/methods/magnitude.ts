// Magnitude pruning as a registered method: zero the smallest |W| — exactly floor(sparsity·n) of
// each scope (the whole tensor by default, or each output row; ties by lower index), or an N:M
// pattern along the inputs. GPU: src/kernels/prune/prune.ts (the threshold is found on the GPU; a
// tensor-wide cut of a weight past the GPU's binding limit runs on the reference instead);
// reference: src/quant/prune/prune-select.ts.
import { RecipeError } from '../../core/errors';
import type { MagnitudePrune } from '../../core/recipe';
import { pruneGpu, pruneGpuFits } from '../../kernels/prune/prune';
import { pruneRef } from '../../quant/prune/prune-select';
import { checkFields } from './check-fields';
import type { PruneMethod, WeightInput } from './method';
import { kernelPattern, originalValues, pruneResult } from './prune-run';
import { parsePruneTarget, patternProblem } from './prune-target';

const FIELDS = ['sparsity', 'pattern', 'scope'] as const;

export const magnitudeMethod: PruneMethod<MagnitudePrune> = {
  id: 'magnitude',
  fields: FIELDS,
  parse(raw, rule) {
    checkFields(raw, 'magnitude', FIELDS, rule, 'prune');
    const target = parsePruneTarget(raw, rule);
    const scope = raw.scope ?? 'tensor';
    if (scope !== 'tensor' && scope !== 'row') throw new RecipeError(`rule ${rule}: prune.scope must be "tensor" or "row"; got ${JSON.stringify(scope)}`, { rule, field: 'prune.scope' });
    return { method: 'magnitude', ...target, scope };
  },
  needs: () => 'nothing',
  problem: (spec, tensor) => patternProblem(spec, tensor),
  async runGpu(gpu, input, spec, signal) {
    const pattern = kernelPattern(spec, spec.scope);
    if (!pruneGpuFits(gpu, input, pattern)) {
      // A tensor-wide cut needs every score at once, and they pass this GPU's binding limit.
      const dense = await magnitudeMethod.runRef(input, spec);
      return { ...dense, notes: ['pruned by the CPU reference: its tensor-wide cut needs more than this GPU binds at once (scope "row" runs on the GPU in slices)'] };
    }
    const r = await pruneGpu(gpu, input, { score: 'magnitude', pattern, signal });
    return pruneResult(input, r.values);
  },
  async runRef(input: WeightInput, spec) {
    const { rows, cols } = input.layout;
    const r = pruneRef({ values: originalValues(input), rows, cols }, { score: 'magnitude', pattern: kernelPattern(spec, spec.scope) });
    return pruneResult(input, r.values);
  },
};
