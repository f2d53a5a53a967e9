// Quantizes a model's weights with the CPU reference (src/quant/rtn.ts) for export tests, and
// builds the matching "dequantized weights" edit: Ŵ written back in each tensor's storage layout.
import { f32ArrayToF16 } from '../../../core/float16';
import { indexOnnx } from '../../../model/onnx-index';
import type { IntGroupTensor, RtnSettings } from '../../../core/compressed-tensor';
import { dequantizeRef, quantizeRtnRef } from '../../../quant/rtn';
import type { OnnxModel } from '../onnx-model';
import { readInitializerFloats } from '../onnx-reader';

export interface QuantizedModel {
  quantized: Map<string, IntGroupTensor>;
  /** Same dtype and shape as the originals, holding dequantize(quantize(W)). */
  dequantized: Map<string, Uint8Array>;
}

export async function quantizeModel(model: OnnxModel, scheme: RtnSettings, roles = ['matmul-weight']): Promise<QuantizedModel> {
  const index = indexOnnx(model);
  const quantized = new Map<string, IntGroupTensor>();
  const dequantized = new Map<string, Uint8Array>();
  for (const t of index.tensors) {
    if (!roles.includes(t.role) || !t.layout) continue;
    const values = await readInitializerFloats(model, t.name);
    const q = quantizeRtnRef(values, t.layout, scheme);
    quantized.set(t.name, q);
    const deq = dequantizeRef(q);
    const { rows, cols, rowStride, colStride } = t.layout;
    const stored = new Float32Array(values.length);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) stored[r * rowStride + c * colStride] = deq[r * cols + c];
    dequantized.set(t.name, t.dtype === 'f16' ? new Uint8Array(f32ArrayToF16(stored).buffer) : new Uint8Array(stored.buffer));
  }
  return { quantized, dequantized };
}
