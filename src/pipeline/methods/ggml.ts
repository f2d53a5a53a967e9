// llama.cpp block types as a registered method: each row of W (logical [out, in], HF row order)
// is encoded as a run of `type` blocks, bit for bit as llama-quantize's reference quantizers do.
// Blocks never cross rows, so the GGUF exporter's Q/K row permutation moves whole encoded rows.
// With `imatrix`, each input column is weighted by its importance (the calibration's mean x²,
// or an imported llama.cpp importance matrix: pipeline/calibration/imatrix-stats.ts) exactly as
// llama-quantize --imatrix does. GPU: src/kernels/ggml/quantize.ts (the float types use the
// reference); reference: src/quant/ggml/ggml-codec.ts.
import { floatsView } from '../../core/dtypes';
import { RecipeError } from '../../core/errors';
import { ggmlTypeByName } from '../../core/ggml-types';
import { GGML_IMPORTANCE_TYPES, GGML_QUANT_TYPES, type GgmlQuantize, type GgmlQuantType } from '../../core/recipe';
import { toRowMajor } from '../../core/weight-layout';
import type { GpuContext } from '../../gpu/context';
import { dequantizeGgmlGpu, GPU_DEQUANTIZE_TYPES } from '../../kernels/ggml/dequantize';
import { GPU_IMPORTANCE_TYPES, GPU_QUANTIZE_TYPES, quantizeGgmlGpu } from '../../kernels/ggml/quantize';
import { dequantizeGgmlRef, quantizeGgmlRef } from '../../quant/ggml/ggml-codec';
import { blockError, type DecodeBlocks } from '../../quant/ggml/block-error';
import { importanceFromSums } from '../../formats/imatrix/imatrix-file';
import type { GgmlBlockTensor } from '../../core/compressed-tensor';
import { checkFields } from './check-fields';
import type { QuantizeMethod, WeightInput } from './method';

const FIELDS = ['type', 'imatrix'] as const;

/** The weight as logical row-major float32, read-only (a view of aligned float32 input, no copy). */
function rowMajorValues(input: WeightInput): Float32Array {
  return toRowMajor(floatsView(input.bytes, input.dtype), input.layout);
}

async function result(input: WeightInput, type: string, bytes: Uint8Array, values: Float32Array, decode: DecodeBlocks): Promise<GgmlBlockTensor> {
  return { kind: 'ggml', rows: input.layout.rows, cols: input.layout.cols, type, bytes, relError: await blockError(type, values, bytes, decode) };
}

const decodeRef = (type: string): DecodeBlocks => (bytes) => dequantizeGgmlRef(type, bytes);

/** The importance llama-quantize would derive from these statistics (sums / tokens, float32). */
function importanceOfInput(spec: GgmlQuantize, input: WeightInput): Float32Array | undefined {
  if (!spec.imatrix || !input.stats) return undefined;
  return importanceFromSums(input.stats.sumSquares, input.stats.tokens);
}

async function onGpu(gpu: GpuContext, input: WeightInput, spec: GgmlQuantize, signal?: AbortSignal): Promise<GgmlBlockTensor> {
  const { type } = spec;
  const values = rowMajorValues(input);
  const importance = importanceOfInput(spec, input);
  let bytes: Uint8Array;
  if (importance) {
    bytes = GPU_IMPORTANCE_TYPES.includes(type) ? await quantizeGgmlGpu(gpu, type, values, { signal, importance }) : quantizeGgmlRef(type, values, importance);
  } else {
    bytes = GPU_QUANTIZE_TYPES.includes(type) ? await quantizeGgmlGpu(gpu, type, values, { signal }) : quantizeGgmlRef(type, values);
  }
  const decode: DecodeBlocks = GPU_DEQUANTIZE_TYPES.includes(type) ? (part, numel) => dequantizeGgmlGpu(gpu, type, part, numel, { signal }) : decodeRef(type);
  return result(input, type, bytes, values, decode);
}

export const ggmlMethod: QuantizeMethod<GgmlQuantize> = {
  id: 'ggml',
  fields: FIELDS,
  // llama-imatrix measures the inputs of matmuls; an embedding lookup has none.
  // Types whose quantizer ignores importance (Q8_0, the floats) need no calibration either.
  needs: (spec, tensor) => (spec.imatrix && tensor.role === 'matmul-weight' && GGML_IMPORTANCE_TYPES.includes(spec.type) ? 'input-stats' : 'nothing'),

  parse(raw, rule) {
    checkFields(raw, 'ggml', FIELDS, rule);
    if (!(GGML_QUANT_TYPES as readonly unknown[]).includes(raw.type)) {
      throw new RecipeError(`rule ${rule}: quantize.type must be one of ${GGML_QUANT_TYPES.join(', ')} for ggml; got ${JSON.stringify(raw.type)}`, { rule, field: 'quantize.type' });
    }
    if (raw.imatrix !== undefined && typeof raw.imatrix !== 'boolean') {
      throw new RecipeError(`rule ${rule}: quantize.imatrix must be true or false; got ${JSON.stringify(raw.imatrix)}`, { rule, field: 'quantize.imatrix' });
    }
    return { method: 'ggml', type: raw.type as GgmlQuantType, ...(raw.imatrix ? { imatrix: true } : {}) };
  },

  geometry: (spec) => ({ kind: 'ggml', type: spec.type }),

  problem(spec, tensor) {
    const block = ggmlTypeByName(spec.type)!.blockSize;
    const cols = tensor.layout!.cols;
    return cols % block === 0 ? undefined : `its rows of ${cols} are not a multiple of the ${spec.type} block of ${block}`;
  },

  runGpu: (gpu, input, spec, signal) => onGpu(gpu, input, spec, signal),

  async runRef(input, spec, cpu) {
    const values = rowMajorValues(input);
    if (cpu && cpu.threads > 1) {
      const { rows, cols } = input.layout;
      const { bytes, relError } = await cpu.quantizeGgml(spec.type, values, rows, cols, importanceOfInput(spec, input));
      return { kind: 'ggml', rows, cols, type: spec.type, bytes, relError };
    }
    const bytes = quantizeGgmlRef(spec.type, values, importanceOfInput(spec, input));
    return result(input, spec.type, bytes, values, decodeRef(spec.type));
  },
};
