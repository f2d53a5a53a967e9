// The one seam between GGUF conversion and a ggml quantizer: today the CPU references
// (quantizeGgmlRef, bit-exact with llama.cpp's quantize_row_*_ref); a GPU path
// (src/kernels/ggml/) can replace the body without touching the converter.
import { quantizeGgmlRef } from '../../quant/ggml/ggml-codec';
import type { GgmlSchemeName } from '../../quant/ggml/schemes';

export interface GgufTensorToQuantize {
  /** GGUF tensor name (for messages). */
  name: string;
  /** numpy order; the last axis is the row the blocks run along. */
  shape: readonly number[];
  /** Row-major values, already in GGUF row order (Q/K permuted). */
  values: Float32Array;
}

/** Encodes one tensor's values as ggml type `type` (F32/F16/BF16 or a block type); returns its bytes. */
export async function quantizeTensorForGguf(type: GgmlSchemeName, tensor: GgufTensorToQuantize): Promise<Uint8Array> {
  return quantizeGgmlRef(type, tensor.values);
}
