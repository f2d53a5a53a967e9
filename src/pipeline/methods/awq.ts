// AWQ (Lin et al. 2024) as a registered quantize method. The scale search spans several weights
// (those sharing an input) and the operation before them, so it runs once per group in
// compressModel (methods/awq-scales.ts), which hands this method the weight with the scales
// already multiplied in (and 1/s in its rows when it feeds a scaled weight) and its input
// statistics transformed alike. What is left per weight is AWQ's clip search (auto_clip: each
// group's range shrunk where that lowers the output error; never on q/k, whose products feed
// softmax, as the reference skips them) and the RTN grid, so it exports as MatMulNBits like rtn.
// With `type`, the scaled weight goes to llama.cpp's own quantizer of that type instead (the ggml
// method, bit for bit llama-quantize's on those values), for GGUF output, and no clip search (the
// k-quant and legacy quantizers search their own scales).
// GPU: src/kernels/quant/awq.ts + rtn.ts; reference: src/quant/awq.ts + rtn.ts.
import { RecipeError } from '../../core/errors';
import type { CompressedTensor } from '../../core/compressed-tensor';
import { AWQ_DEFAULT_GROUP, AWQ_DEFAULTS, AWQ_GGML_TYPES, type AwqQuantize, type GgmlQuantize, type GgmlQuantType } from '../../core/recipe';
import type { GpuContext } from '../../gpu/context';
import { awqClipLossGpu } from '../../kernels/quant/awq';
import { quantizeRtnGpu } from '../../kernels/quant/rtn';
import { applyClipLimits, awqClipLimits, awqClipLossRef } from '../../quant/awq';
import { groupSizeOf, quantizeRtnRef } from '../../quant/rtn';
import { checkFields } from './check-fields';
import { ggmlMethod } from './ggml';
import type { QuantizeMethod, WeightInput } from './method';
import { originalValues, requireStats } from './prune-run';
import { INT_GRID_FIELDS, intGroupsGeometry, parseIntGrid } from './rtn';

const FIELDS = [...INT_GRID_FIELDS, 'gridPoints', 'clip', 'type'] as const;

/** The reference clips neither q_proj nor k_proj ("avoid_clipping"): their error is amplified by softmax. */
export function skipsClip(layer: string): boolean {
  return /\b(q|k)_proj$|\bquery$|\bkey$/.test(layer);
}

async function run(input: WeightInput, spec: AwqQuantize, gpu?: GpuContext, signal?: AbortSignal): Promise<CompressedTensor> {
  if (spec.type !== undefined) {
    const ggml: GgmlQuantize = { method: 'ggml', type: spec.type };
    return gpu ? ggmlMethod.runGpu(gpu, input, ggml, signal) : ggmlMethod.runRef(input, ggml);
  }
  const { rows, cols } = input.layout;
  let w = originalValues(input);
  const notes: string[] = [];
  if (spec.clip && skipsClip(input.info.layer)) {
    notes.push('AWQ clip search skipped on q/k (as the reference: their error is amplified by softmax)');
  } else if (spec.clip) {
    const { hessian } = requireStats(input, 'AWQ', true);
    const grid = { bits: spec.bits, groupSize: groupSizeOf(spec, cols), symmetric: spec.symmetric };
    const losses = gpu ? await awqClipLossGpu(gpu, w, rows, cols, hessian!, grid, signal) : awqClipLossRef(w, rows, cols, hessian!, grid);
    const limits = awqClipLimits(w, rows, cols, grid.groupSize, losses);
    w = applyClipLimits(w, rows, cols, grid.groupSize, limits);
    notes.push(`AWQ clip search: ${((100 * countShrunk(losses, limits.length)) / limits.length).toFixed(1)}% of groups clipped`);
  }
  const layout = { rows, cols, rowStride: cols, colStride: 1 };
  const grid = { bits: spec.bits, group: spec.group, symmetric: spec.symmetric };
  const result = gpu
    ? await quantizeRtnGpu(gpu, { bytes: new Uint8Array(w.buffer, w.byteOffset, w.byteLength), dtype: 'f32', layout }, grid, { signal })
    : quantizeRtnRef(w, layout, grid);
  return notes.length ? { ...result, notes: [...(result.notes ?? []), ...notes] } : result;
}

/** Groups whose least-error ratio is not the first (ratio 1, no clipping). */
function countShrunk(losses: ArrayLike<number>, groups: number): number {
  const ratios = losses.length / groups;
  let n = 0;
  for (let g = 0; g < groups; g++) {
    let best = 0;
    for (let i = 1; i < ratios; i++) if (losses[g * ratios + i] < losses[g * ratios + best]) best = i;
    if (best > 0) n++;
  }
  return n;
}

export const awqMethod: QuantizeMethod<AwqQuantize> = {
  id: 'awq',
  fields: FIELDS,
  needs: () => 'hessian',

  parse(raw, rule) {
    checkFields(raw, 'awq', FIELDS, rule);
    const gridPoints = raw.gridPoints ?? AWQ_DEFAULTS.gridPoints;
    if (typeof gridPoints !== 'number' || !Number.isInteger(gridPoints) || gridPoints < 1 || gridPoints > 100) {
      throw new RecipeError(`rule ${rule}: quantize.gridPoints must be an integer from 1 to 100 (1: round-to-nearest with the clip search); got ${JSON.stringify(raw.gridPoints)}`, { rule, field: 'quantize.gridPoints' });
    }
    if (raw.type !== undefined) {
      if (!(AWQ_GGML_TYPES as readonly unknown[]).includes(raw.type)) {
        throw new RecipeError(`rule ${rule}: quantize.type must be one of ${AWQ_GGML_TYPES.join(', ')} for awq (a llama.cpp block type); got ${JSON.stringify(raw.type)}`, { rule, field: 'quantize.type' });
      }
      const grid = INT_GRID_FIELDS.find((f) => raw[f] !== undefined) ?? (raw.clip !== undefined ? 'clip' : undefined);
      if (grid) {
        throw new RecipeError(`rule ${rule}: quantize.${grid} does not go with quantize.type: on a llama.cpp type the block type fixes the grid, and llama.cpp's quantizer searches its own scales (no clip search)`, { rule, field: `quantize.${grid}` });
      }
      return { method: 'awq', type: raw.type as GgmlQuantType, gridPoints };
    }
    const grid = parseIntGrid({ group: AWQ_DEFAULT_GROUP, ...raw }, rule, 'awq');
    const clip = raw.clip ?? AWQ_DEFAULTS.clip;
    if (typeof clip !== 'boolean') throw new RecipeError(`rule ${rule}: quantize.clip must be true or false; got ${JSON.stringify(raw.clip)}`, { rule, field: 'quantize.clip' });
    return { method: 'awq', ...grid, gridPoints, clip };
  },

  geometry: (spec, cols) => (spec.type !== undefined ? { kind: 'ggml', type: spec.type } : intGroupsGeometry(spec, cols)),

  problem: (spec, tensor) => (spec.type !== undefined ? ggmlMethod.problem({ method: 'ggml', type: spec.type }, tensor) : undefined),

  runGpu: (gpu, input, spec, signal) => run(input, spec, gpu, signal),

  runRef: (input, spec) => run(input, spec),
};
