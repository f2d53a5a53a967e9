// The CPU reference as a quantizer backend: the spec the GPU kernels are held to, and a way to
// run the pipeline where no GPU is wanted (tests of the pipeline itself, not of the kernels).
import { decodeFloats } from '../core/dtypes';
import { quantizeRtnRef } from '../quant/rtn';
import type { QuantBackend } from './quantize-model';

export const cpuReferenceBackend: QuantBackend = async (input, scheme) =>
  quantizeRtnRef(decodeFloats(input.bytes, input.dtype), input.layout, scheme);
