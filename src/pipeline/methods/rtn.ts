// Round-to-nearest as a registered method: per group of `group` inputs a scale and (asymmetric)
// a zero point, 2/3/4/8-bit codes. GPU: src/kernels/quant/rtn.ts; reference: src/quant/rtn.ts.
import { floatsView } from '../../core/dtypes';
import { RecipeError } from '../../core/errors';
import { RTN_BITS, RTN_GROUP_SIZES, type RtnBits, type RtnGroupSize, type RtnQuantize } from '../../core/recipe';
import { storedBitsFor } from '../../core/compressed-tensor';
import { quantizeRtnGpu } from '../../kernels/quant/rtn';
import { groupSizeOf, packBlockOf, quantizeRtnRef } from '../../quant/rtn';
import type { QuantizeMethod, ResultGeometry } from './method';
import { checkFields } from './check-fields';

/** The integer grid's fields (rtn's; gptq adds its solver's). */
export const INT_GRID_FIELDS = ['bits', 'group', 'symmetric'] as const;
const FIELDS = INT_GRID_FIELDS;

/** bits, group (default 32) and symmetric (default false) of a rule's `quantize`, for `method`. */
export function parseIntGrid(raw: Record<string, unknown>, rule: number, method: string): { bits: RtnBits; group: RtnGroupSize; symmetric: boolean } {
  const bits = raw.bits;
  if (!(RTN_BITS as readonly unknown[]).includes(bits)) {
    throw new RecipeError(`rule ${rule}: quantize.bits must be ${RTN_BITS.join(', ').replace(/, (\d+)$/, ' or $1')} for ${method}; got ${JSON.stringify(bits)}`, { rule, field: 'quantize.bits' });
  }
  const group = raw.group ?? 32;
  if (group !== 'per-channel' && !(RTN_GROUP_SIZES as readonly unknown[]).includes(group)) {
    throw new RecipeError(`rule ${rule}: quantize.group must be ${RTN_GROUP_SIZES.join(', ')} or "per-channel"; got ${JSON.stringify(group)}`, { rule, field: 'quantize.group' });
  }
  const symmetric = raw.symmetric ?? false;
  if (typeof symmetric !== 'boolean') {
    throw new RecipeError(`rule ${rule}: quantize.symmetric must be true or false; got ${JSON.stringify(symmetric)}`, { rule, field: 'quantize.symmetric' });
  }
  return { bits: bits as RtnBits, group: group as RtnGroupSize, symmetric };
}

/** MatMulNBits-style groups: what rtn and gptq produce for a tensor of `cols` inputs. */
export function intGroupsGeometry(spec: { bits: RtnBits; group: RtnGroupSize; symmetric: boolean }, cols: number): ResultGeometry {
  return {
    kind: 'int-groups',
    layout: { bits: spec.bits, storedBits: storedBitsFor(spec.bits), symmetric: spec.symmetric, groupSize: groupSizeOf(spec, cols), packBlock: packBlockOf(spec, cols) },
  };
}

export const rtnMethod: QuantizeMethod<RtnQuantize> = {
  id: 'rtn',
  fields: FIELDS,
  needs: () => 'nothing',

  parse(raw, rule) {
    checkFields(raw, 'rtn', FIELDS, rule);
    return { method: 'rtn', ...parseIntGrid(raw, rule, 'rtn') };
  },

  geometry: (spec, cols) => intGroupsGeometry(spec, cols),

  problem: () => undefined,

  runGpu: (gpu, input, spec, signal) => quantizeRtnGpu(gpu, input, spec, { signal }),

  runRef: async (input, spec) => quantizeRtnRef(floatsView(input.bytes, input.dtype), input.layout, spec),
};
