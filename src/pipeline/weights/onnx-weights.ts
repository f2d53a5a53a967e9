// HF weights from an exported llama ONNX graph: every initializer the model index gives a role
// (matmul weight, embedding, norm, bias) is named `<layer>.weight` / `<layer>.bias` from the
// index's layer name, and MatMul storage [in, out] is transposed to HF [out, in] through the
// index's WeightLayout. When config.tie_word_embeddings, the exporter's second copy of the
// embedding (the lm_head MatMul) is dropped, as the HF checkpoint has none.
import { UnsupportedModelError, UsageError } from '../../core/errors';
import { readInitializerFloats } from '../../formats/onnx/onnx-reader';
import type { OnnxModel } from '../../formats/onnx/onnx-model';
import type { ModelIndex, TensorInfo } from '../../core/model-index';
import { toRowMajor } from '../../core/weight-layout';
import { byHfName, type HfTensor, type HfWeightSource, type SourceFloatDtype } from './weight-source';

function hfNameOf(t: TensorInfo): string | undefined {
  if (t.role === 'other') return undefined;
  return `${t.layer}.${t.role === 'bias' ? 'bias' : 'weight'}`;
}

export function onnxWeights(model: OnnxModel, index: ModelIndex, config?: Record<string, unknown>): HfWeightSource {
  const tied = config?.tie_word_embeddings === true;
  const entries = new Map<string, TensorInfo>();
  for (const t of index.tensors) {
    const name = hfNameOf(t);
    if (!name || (tied && name === 'lm_head.weight')) continue;
    if (t.dtype !== 'f32' && t.dtype !== 'f16' && t.dtype !== 'bf16') {
      throw new UnsupportedModelError(`${index.fileName}: initializer "${t.name}" (${name}) is ${t.dtype}; conversion reads float ONNX models`, { dtype: String(t.dtype) });
    }
    if (entries.has(name)) throw new UnsupportedModelError(`${index.fileName}: initializers "${entries.get(name)!.name}" and "${t.name}" both map to ${name}`);
    if (t.shape.length === 2 && !t.layout) throw new UnsupportedModelError(`${index.fileName}: initializer "${t.name}" (${name}) has no known [out, in] layout`);
    entries.set(name, t);
  }
  const tensors: HfTensor[] = [...entries].map(([name, t]) => ({
    name,
    shape: t.layout ? [t.layout.rows, t.layout.cols] : [...t.shape],
    numel: t.numel,
    dtype: t.dtype as SourceFloatDtype,
    source: t.name,
  }));
  return {
    format: 'onnx',
    tensors: tensors.sort(byHfName),
    readFloats: async (name) => {
      const t = entries.get(name);
      if (!t) throw new UsageError(`${index.fileName} has no initializer for "${name}"`);
      const values = await readInitializerFloats(model, t.name);
      return t.layout ? toRowMajor(values, t.layout) : values;
    },
  };
}
