// GPTQ (Frantar et al. 2023, "GPTQ: Accurate Post-Training Quantization for Generative Pre-trained
// Transformers"; the IST-DASLab gptq.py fasterquant) as a registered quantize method: RTN's grid
// (the same groups, scales and zero points, so it exports as MatMulNBits wherever rtn does), with
// each column's rounding error pushed onto the columns not yet quantized through the damped inverse
// Hessian of the calibration inputs. Act-order solves columns by decreasing Hessian diagonal with
// the groups fixed in the original order first (static groups: no group index, every runtime runs
// it). Dead inputs (zero Hessian diagonal) are zeroed, as upstream does. With `type` (Q8_0, Q4_0,
// Q4_K, Q6_K) the same solve runs on llama.cpp's grid of that type: ordinary GGUF blocks.
// GPU: src/kernels/linalg/cholesky.ts + gptq.ts; references: src/quant/linalg/cholesky.ts + gptq.ts.
// On a llama.cpp type the factorisation runs on the GPU and the column solve on the CPU
// (src/quant/linalg/gptq-ggml.ts): its per-block parameters are llama.cpp's CPU quantizers.
import { RecipeError } from '../../core/errors';
import { ggmlTypeByName } from '../../core/ggml-types';
import { GPTQ_GGML_TYPES, type GgmlQuantType, type GptqGgmlQuantize, type GptqIntQuantize, type GptqQuantize } from '../../core/recipe';
import { dampedInverseCholeskyGpu } from '../../kernels/linalg/cholesky';
import { gptqGpu } from '../../kernels/linalg/gptq';
import { dampedInverseCholeskyRef, hessianNotes, type InverseCholesky } from '../../quant/linalg/cholesky';
import { actOrderPerm, type GptqOptions, gptqRef, type GptqResult, permuteSymmetric } from '../../quant/linalg/gptq';
import { gptqGgmlRef } from '../../quant/linalg/gptq-ggml';
import { relativeError } from '../../quant/metrics';
import { intGroupTensor } from '../../quant/rtn';
import type { GgmlBlockTensor, IntGroupTensor } from '../../core/compressed-tensor';
import type { GpuContext } from '../../gpu/context';
import { checkFields } from './check-fields';
import type { QuantizeMethod, WeightInput } from './method';
import { originalValues, requireStats } from './prune-run';
import { INT_GRID_FIELDS, intGroupsGeometry, parseIntGrid } from './rtn';

const SOLVER_FIELDS = ['damping', 'blocksize', 'actOrder'] as const;
const FIELDS = [...INT_GRID_FIELDS, 'type', ...SOLVER_FIELDS] as const;

/** What both implementations solve: W with dead columns zeroed, H in solve order, the column order. */
interface GptqProblem {
  w: Float32Array;
  rows: number;
  cols: number;
  /** The Hessian in solve order (permuted for act-order). */
  h: Float32Array;
  perm?: Uint32Array;
}

function problemOf(input: WeightInput, spec: GptqQuantize): GptqProblem {
  const { hessian } = requireStats(input, 'GPTQ', true);
  const { rows, cols } = input.layout;
  const w = originalValues(input).slice();
  for (let c = 0; c < cols; c++) {
    if (hessian![c * cols + c] !== 0) continue;
    for (let r = 0; r < rows; r++) w[r * cols + c] = 0;
  }
  if (!spec.actOrder) return { w, rows, cols, h: hessian! };
  const perm = actOrderPerm(hessian!, cols);
  return { w, rows, cols, h: Float32Array.from(permuteSymmetric(hessian!, cols, perm)), perm };
}

const intOptions = (spec: GptqIntQuantize, p: GptqProblem): GptqOptions => ({ bits: spec.bits, group: spec.group, symmetric: spec.symmetric, blocksize: spec.blocksize, ...(p.perm ? { perm: p.perm } : {}) });

function packed(input: WeightInput, spec: GptqIntQuantize, r: GptqResult, inv: Pick<InverseCholesky, 'dead' | 'damp' | 'dampRaised'>): IntGroupTensor {
  const { rows, cols } = input.layout;
  const notes = hessianNotes(inv, spec.damping, cols);
  const t = intGroupTensor(r.codes, r.scales, r.zeroPoints, rows, cols, spec, relativeError(originalValues(input), r.values));
  return notes.length ? { ...t, notes } : t;
}

/** GPTQ on a llama.cpp type: the damped inverse factor (GPU or reference), then the column solve on the type's grid. */
async function onGgmlGrid(input: WeightInput, spec: GptqGgmlQuantize, gpu: GpuContext | undefined, signal?: AbortSignal): Promise<GgmlBlockTensor> {
  const p = problemOf(input, spec);
  const inv = gpu ? await dampedInverseCholeskyGpu(gpu, p.h, p.cols, { percdamp: spec.damping, signal }) : dampedInverseCholeskyRef(p.h, p.cols, spec.damping);
  const r = gptqGgmlRef(p.w, p.rows, p.cols, inv.u, { type: spec.type, blocksize: spec.blocksize, ...(p.perm ? { perm: p.perm } : {}) });
  const notes = hessianNotes(inv, spec.damping, p.cols);
  const t: GgmlBlockTensor = { kind: 'ggml', rows: p.rows, cols: p.cols, type: spec.type, bytes: r.bytes, relError: relativeError(originalValues(input), r.values) };
  return notes.length ? { ...t, notes } : t;
}

export const gptqMethod: QuantizeMethod<GptqQuantize> = {
  id: 'gptq',
  fields: FIELDS,
  needs: () => 'hessian',

  parse(raw, rule) {
    checkFields(raw, 'gptq', FIELDS, rule);
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
    const solver = { damping, blocksize, actOrder };
    if (raw.type !== undefined) {
      const grid = INT_GRID_FIELDS.find((k) => raw[k] !== undefined);
      if (grid) throw new RecipeError(`rule ${rule}: quantize.${grid} does not go with quantize.type (the llama.cpp type is the grid)`, { rule, field: `quantize.${grid}` });
      if (!(GPTQ_GGML_TYPES as readonly unknown[]).includes(raw.type)) {
        throw new RecipeError(`rule ${rule}: quantize.type must be one of ${GPTQ_GGML_TYPES.join(', ')} for gptq (a llama.cpp block type); got ${JSON.stringify(raw.type)}`, { rule, field: 'quantize.type' });
      }
      return { method: 'gptq', type: raw.type as GgmlQuantType, ...solver };
    }
    return { method: 'gptq', ...parseIntGrid(raw, rule, 'gptq'), ...solver };
  },

  geometry: (spec, cols) => (spec.type !== undefined ? { kind: 'ggml', type: spec.type } : intGroupsGeometry(spec, cols)),

  problem(spec, tensor) {
    if (spec.type === undefined) return undefined;
    const block = ggmlTypeByName(spec.type)!.blockSize;
    const cols = tensor.layout!.cols;
    return cols % block === 0 ? undefined : `its rows of ${cols} are not a multiple of the ${spec.type} block of ${block}`;
  },

  async runGpu(gpu, input, spec, signal) {
    if (spec.type !== undefined) return onGgmlGrid(input, spec, gpu, signal);
    const p = problemOf(input, spec);
    const inv = await dampedInverseCholeskyGpu(gpu, p.h, p.cols, { percdamp: spec.damping, signal });
    return packed(input, spec, await gptqGpu(gpu, p.w, p.rows, p.cols, inv.u, { ...intOptions(spec, p), signal }), inv);
  },

  async runRef(input, spec) {
    if (spec.type !== undefined) return onGgmlGrid(input, spec, undefined);
    const p = problemOf(input, spec);
    const inv = dampedInverseCholeskyRef(p.h, p.cols, spec.damping);
    return packed(input, spec, gptqRef(p.w, p.rows, p.cols, inv.u, intOptions(spec, p)), inv);
  },
};
