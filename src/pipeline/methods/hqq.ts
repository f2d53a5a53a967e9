// HQQ (Badri & Shaji 2023) as a registered quantize method: calibration-free, the asymmetric
// integer grid with each group's zero point optimised by the half-quadratic solver. Float zero
// points by default, exported as MatMulNBits zero points in the scales' type: onnxruntime's CPU
// and wasm execution providers run those for 2- and 4-bit codes (3-bit codes live in 4-bit
// containers); 8-bit MatMulNBits takes integer zero points only ("Only 2b and 4b quantization is
// supported for unpacked compute", onnxruntime 1.30), so 8-bit defaults to, and only accepts,
// integer ones. The WebGPU EP places float-zero-point MatMulNBits on the CPU EP (the ONNX
// exporter says so in its plan notes). GPU: src/kernels/quant/hqq.ts; reference: src/quant/hqq.ts.
import { RecipeError } from '../../core/errors';
import { HQQ_DEFAULT_GROUP, HQQ_DEFAULTS, HQQ_ZERO_POINTS, hqqDefaultZeroPoint, type HqqQuantize, type HqqZeroPoint } from '../../core/recipe';
import { hqqGpu } from '../../kernels/quant/hqq';
import { type HqqOptions, hqqRef, hqqTensor } from '../../quant/hqq';
import { checkFields } from './check-fields';
import type { QuantizeMethod, ResultGeometry, WeightInput } from './method';
import { originalValues } from './prune-run';
import { INT_GRID_FIELDS, intGroupsGeometry, parseIntGrid } from './rtn';

const FIELDS = [...INT_GRID_FIELDS, 'zeroPoint', 'iterations', 'lpNorm', 'beta', 'kappa'] as const;
/** Bit widths whose MatMulNBits runs float zero points (onnxruntime 1.30, CPU and wasm EPs). */
export const FLOAT_ZERO_POINT_BITS: readonly number[] = [2, 3, 4];

function numberField(raw: Record<string, unknown>, rule: number, field: string, fallback: number, ok: (v: number) => boolean, what: string): number {
  const v = raw[field] ?? fallback;
  if (typeof v !== 'number' || !ok(v)) {
    throw new RecipeError(`rule ${rule}: quantize.${field} must be ${what}; got ${JSON.stringify(v)}`, { rule, field: `quantize.${field}` });
  }
  return v;
}

function optionsOf(spec: HqqQuantize): HqqOptions {
  return { bits: spec.bits, group: spec.group, zeroPoint: spec.zeroPoint, iterations: spec.iterations, lpNorm: spec.lpNorm, beta: spec.beta, kappa: spec.kappa };
}

async function run(input: WeightInput, spec: HqqQuantize, solve: (w: Float32Array, rows: number, cols: number, opts: HqqOptions) => ReturnType<typeof hqqRef> | Promise<ReturnType<typeof hqqRef>>) {
  const { rows, cols } = input.layout;
  const w = originalValues(input);
  const opts = optionsOf(spec);
  const r = await solve(w, rows, cols, opts);
  return hqqTensor(r, rows, cols, opts, w, r.values);
}

export const hqqMethod: QuantizeMethod<HqqQuantize> = {
  id: 'hqq',
  fields: FIELDS,
  needs: () => 'nothing',

  parse(raw, rule) {
    checkFields(raw, 'hqq', FIELDS, rule);
    if (raw.symmetric !== undefined && raw.symmetric !== false) {
      throw new RecipeError(`rule ${rule}: HQQ optimises the zero point of an asymmetric grid; quantize.symmetric must be false or left out`, { rule, field: 'quantize.symmetric' });
    }
    const grid = parseIntGrid({ group: HQQ_DEFAULT_GROUP, ...raw, symmetric: false }, rule, 'hqq');
    const floatOk = FLOAT_ZERO_POINT_BITS.includes(grid.bits);
    const zeroPoint = (raw.zeroPoint ?? hqqDefaultZeroPoint(grid.bits)) as HqqZeroPoint;
    if (!(HQQ_ZERO_POINTS as readonly unknown[]).includes(zeroPoint)) {
      throw new RecipeError(`rule ${rule}: quantize.zeroPoint must be "float" or "integer"; got ${JSON.stringify(raw.zeroPoint)}`, { rule, field: 'quantize.zeroPoint' });
    }
    if (zeroPoint === 'float' && !floatOk) {
      throw new RecipeError(
        `rule ${rule}: ${grid.bits}-bit HQQ needs integer zero points: onnxruntime's MatMulNBits runs float zero points for 2-, 3- and 4-bit codes only; set quantize.zeroPoint to "integer"`,
        { rule, field: 'quantize.zeroPoint' },
      );
    }
    const iterations = numberField(raw, rule, 'iterations', HQQ_DEFAULTS.iterations, (v) => Number.isInteger(v) && v >= 0 && v <= 1000, 'an integer from 0 to 1000 (0: the min/max grid alone)');
    const lpNorm = numberField(raw, rule, 'lpNorm', HQQ_DEFAULTS.lpNorm, (v) => v > 0 && v <= 1, 'a number in (0, 1] (the p of the lp error)');
    const beta = numberField(raw, rule, 'beta', HQQ_DEFAULTS.beta, (v) => v > 0 && Number.isFinite(v), 'a positive number');
    const kappa = numberField(raw, rule, 'kappa', HQQ_DEFAULTS.kappa, (v) => v >= 1 && Number.isFinite(v), 'a number ≥ 1 (β grows by this factor each iteration)');
    return { method: 'hqq', bits: grid.bits, group: grid.group, symmetric: false, zeroPoint, iterations, lpNorm, beta, kappa };
  },

  geometry(spec, cols): ResultGeometry {
    const g = intGroupsGeometry(spec, cols);
    if (g.kind !== 'int-groups' || spec.zeroPoint !== 'float') return g;
    return { kind: 'int-groups', layout: { ...g.layout, floatZeroPoints: true } };
  },

  problem: () => undefined,

  runGpu: (gpu, input, spec, signal) => run(input, spec, (w, rows, cols, opts) => hqqGpu(gpu, w, rows, cols, { ...opts, signal })),

  runRef: (input, spec) => run(input, spec, hqqRef),
};
