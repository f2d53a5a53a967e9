// One weight as the methods take it (pipeline/methods/method.ts): ONNX and safetensors weights
// as stored (float32 or float16 bytes, any [out, in] layout; bfloat16 widened to float32;
// GPTQ-packed safetensors dequantized to float32), GGUF
// weights decoded to float32 in HF row order (quantized sources dequantized, q/k rows unpermuted).
import type { WeightLayout } from '../../core/model-index';
import type { TensorInfo } from '../../core/model-index';
import { UnsupportedModelError } from '../../core/errors';
import { decodeFloats } from '../../core/dtypes';
import { isGptqDtype } from '../../formats/safetensors/gptq-checkpoint';
import { ggufToHfName } from '../../model/llama-names';
import type { WeightInput } from '../methods/method';
import type { OpenedModel } from '../open-model';
import { ggufWeights, type GgmlDequantizer } from './gguf-weights';

const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export async function readWeight(model: OpenedModel, info: TensorInfo, dequantize?: GgmlDequantizer): Promise<WeightInput> {
  const layout = info.layout!;
  if (model.gguf) {
    const rowMajor: WeightLayout = { rows: layout.rows, cols: layout.cols, rowStride: layout.cols, colStride: 1 };
    const values = await ggufWeights(model.gguf, dequantize).readFloats(ggufToHfName(info.name)!);
    return { info, bytes: bytesOf(values), dtype: 'f32', layout: rowMajor };
  }
  const bytes = await model.readTensor(info.name);
  if (info.dtype === 'f32' || info.dtype === 'f16') return { info, bytes, dtype: info.dtype as 'f32' | 'f16', layout };
  if (isGptqDtype(info.dtype)) return { info, bytes, dtype: 'f32', layout }; // GPTQ-packed: read dequantized
  if (info.dtype === 'bf16') {
    return { info, bytes: bytesOf(decodeFloats(bytes, 'bf16')), dtype: 'f32', layout };
  }
  throw new UnsupportedModelError(`${info.layer} (${info.name}): weights of type ${info.dtype} cannot be compressed (float32, float16 or bfloat16 only)`, { dtype: String(info.dtype) });
}
