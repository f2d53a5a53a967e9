// Ŵ of any compressed tensor, logical [rows][cols] float32 (HF row order): what evaluation feeds
// and what dequantized exports store. The references of each representation do the work.
import type { CompressedTensor } from '../core/compressed-tensor';
import { dequantizeGgmlRef } from './ggml/ggml-codec';
import { dequantizeRef } from './rtn';

export function dequantizeCompressed(t: CompressedTensor): Float32Array {
  if (t.kind === 'dense') return t.values;
  return t.kind === 'ggml' ? dequantizeGgmlRef(t.type, t.bytes) : dequantizeRef(t);
}
