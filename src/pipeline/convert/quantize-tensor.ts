// The one seam between GGUF conversion and a ggml quantizer: the CPU references by default
// (quantizeGgmlRef, bit-exact with llama.cpp's quantize_row_*_ref), or the WGSL kernels of
// src/kernels/ggml/ (bit-identical to the references on every fixture block) through
// gpuGgufEncoder, with the references for types that have no kernel (F32/F16/BF16).
import type { GpuContext } from '../../gpu/context';
import { GPU_QUANTIZE_TYPES, quantizeGgmlGpu } from '../../kernels/ggml/quantize';
import { dequantizeGgmlGpu, GPU_DEQUANTIZE_TYPES } from '../../kernels/ggml/dequantize';
import { dequantizeGgmlRef, quantizeGgmlRef } from '../../quant/ggml/ggml-codec';
import type { GgmlDequantizer } from './gguf-weights';
import type { GgmlSchemeName } from '../../quant/ggml/schemes';

export interface GgufTensorToQuantize {
  /** GGUF tensor name (for messages). */
  name: string;
  /** numpy order; the last axis is the row the blocks run along. */
  shape: readonly number[];
  /** Row-major values, already in GGUF row order (Q/K permuted). */
  values: Float32Array;
}

/** Encodes one tensor's values as a ggml type; returns its bytes. */
export type GgufEncoder = (type: GgmlSchemeName, tensor: GgufTensorToQuantize) => Promise<Uint8Array>;

/** Encodes one tensor's values as ggml type `type` (F32/F16/BF16 or a block type) on the CPU. */
export async function quantizeTensorForGguf(type: GgmlSchemeName, tensor: GgufTensorToQuantize): Promise<Uint8Array> {
  return quantizeGgmlRef(type, tensor.values);
}

/** Quantized GGUF tensors decoded on the GPU; plain float types by the reference. */
export function gpuGgmlDequantizer(ctx: GpuContext, signal?: AbortSignal): GgmlDequantizer {
  return (typeName, bytes, numel) =>
    GPU_DEQUANTIZE_TYPES.includes(typeName) ? dequantizeGgmlGpu(ctx, typeName, bytes, numel, { signal }) : Promise.resolve(dequantizeGgmlRef(typeName, bytes));
}

/** Block types on the GPU, everything else by the reference. */
export function gpuGgufEncoder(ctx: GpuContext, signal?: AbortSignal): GgufEncoder {
  return (type, tensor) =>
    GPU_QUANTIZE_TYPES.includes(type) ? quantizeGgmlGpu(ctx, type, tensor.values, { signal }) : quantizeTensorForGguf(type, tensor);
}
