// GPTQ (Frantar et al. 2023, "GPTQ: Accurate Post-Training Quantization for Generative Pre-trained
// Transformers"; the IST-DASLab gptq.py fasterquant) as a registered quantize method: RTN's grid
// (the same groups, scales and zero points, so it exports as MatMulNBits wherever rtn does), with
// each column's rounding error pushed onto the columns not yet quantized through the damped inverse
// Hessian of the calibration inputs. Act-order solves columns by decreasing Hessian diagonal with
// the groups fixed in the original order first (static groups: no group index, every runtime runs
// it). Dead inputs (zero Hessian diagonal) are zeroed, as upstream does.
// GPU: src/kernels/linalg/cholesky.ts + gptq.ts; references: src/quant/linalg/cholesky.ts + gptq.ts.
import { RecipeError } from '../../core/errors';
import type { GptqQuantize } from '../../core/recipe';
import { dampedInverseCholeskyGpu } from '../../kernels/linalg/cholesky';
import { gptqGpu } from '../../kernels/linalg/gptq';
import { dampedInverseCholeskyRef, hessianNotes, type InverseCholesky } from '../../quant/linalg/cholesky';
import { actOrderPerm, type GptqOptions, gptqRef, type GptqResult, permuteSymmetric } from '../../quant/linalg/gptq';
import { relativeError } from '../../quant/metrics';
import { intGroupTensor } from '../../quant/rtn';
import type { IntGroupTensor } from '../../core/compressed-tensor';
import { checkFields } from './check-fields';
import type { QuantizeMethod, WeightInput } from './method';
import { originalValues, requireStats } from './prune-run';
import { INT_GRID_FIELDS, intGroupsGeometry, parseIntGrid } from './rtn';

const FIELDS = [...INT_GRID_FIELDS, 'damping', 'blocksize', 'actOrder'] as const;

/** What both implementations solve: W with dead columns zeroed, H in solve order, the solver options. */
interface GptqProblem {
  w: Float32Array;
  rows: number;
  cols: number;
  /** The Hessian in solve order (permuted for act-order). */
  h: Float32Array;
  opts: GptqOptions;
}

function problemOf(input: WeightInput, spec: GptqQuantize): GptqProblem {
  const { hessian } = requireStats(input, 'GPTQ', true);
  const { rows, cols } = input.layout;
  const w = originalValues(input).slice();
  for (let c = 0; c < cols; c++) {
    if (hessian![c * cols + c] !== 0) continue;
    for (let r = 0; r < rows; r++) w[r * cols + c] = 0;
  }
  const opts: GptqOptions = { bits: spec.bits, group: spec.group, symmetric: spec.symmetric, blocksize: spec.blocksize };
  if (!spec.actOrder) return { w, rows, cols, h: hessian!, opts };
  const perm = actOrderPerm(hessian!, cols);
  return { w, rows, cols, h: Float32Array.from(permuteSymmetric(hessian!, cols, perm)), opts: { ...opts, perm } };
}

function packed(input: WeightInput, spec: GptqQuantize, r: GptqResult, inv: Pick<InverseCholesky, 'dead' | 'damp' | 'dampRaised'>): IntGroupTensor {
  const { rows, cols } = input.layout;
  const notes = hessianNotes(inv, spec.damping, cols);
  const t = intGroupTensor(r.codes, r.scales, r.zeroPoints, rows, cols, spec, relativeError(originalValues(input), r.values));
  return notes.length ? { ...t, notes } : t;
}

export const gptqMethod: QuantizeMethod<GptqQuantize> = {
  id: 'gptq',
  fields: FIELDS,
  needs: () => 'hessian',

  parse(raw, rule) {
    checkFields(raw, 'gptq', FIELDS, rule);
    const grid = parseIntGrid(raw, rule, 'gptq');
    const damping = raw.damping ?? 0.01;
    if (typeof damping !== 'number' || !(damping > 0) || damping >= 1) {
      throw new RecipeError(`rule ${rule}: quantize.damping must be a number in (0, 1) (a fraction of the Hessian's mean diagonal); got ${JSON.stringify(damping)}`, { rule, field: 'quantize.damping' });
    }
    const blocksize = raw.blocksize ?? 128;
    if (typeof blocksize !== 'number' || !Number.isInteger(blocksize) || blocksize < 1) {
      throw new RecipeError(`rule ${rule}: quantize.blocksize must be a positive integer (columns per block); got ${JSON.stringify(blocksize)}`, { rule, field: 'quantize.blocksize' });
    }
    const actOrder = raw.actOrder ?? false;
    if (typeof actOrder !== 'boolean') {
      throw new RecipeError(`rule ${rule}: quantize.actOrder must be true or false; got ${JSON.stringify(actOrder)}`, { rule, field: 'quantize.actOrder' });
    }
    return { method: 'gptq', ...grid, damping, blocksize, actOrder };
  },

  geometry: (spec, cols) => intGroupsGeometry(spec, cols),

  problem: () => undefined,

  async runGpu(gpu, input, spec, signal) {
    const p = problemOf(input, spec);
    const inv = await dampedInverseCholeskyGpu(gpu, p.h, p.cols, { percdamp: spec.damping, signal });
    return packed(input, spec, await gptqGpu(gpu, p.w, p.rows, p.cols, inv.u, { ...p.opts, signal }), inv);
  },

  async runRef(input, spec) {
    const p = problemOf(input, spec);
    const inv = dampedInverseCholeskyRef(p.h, p.cols, spec.damping);
    return packed(input, spec, gptqRef(p.w, p.rows, p.cols, inv.u, p.opts), inv);
  },
};
