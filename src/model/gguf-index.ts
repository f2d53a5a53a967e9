// GGUF → ModelIndex (docs/FORMATS.md §4.6): roles from llama.cpp tensor names, readable layer
// names in the HF module-path form shared with the safetensors index, and the [out, in] layout
// (GGUF dims are reversed, so a 2-D weight's storage is row-major [rows = dims[1], cols = dims[0]]).
import type { GgufFile, GgufTensorInfo } from '../formats/gguf/gguf-reader';
import type { ModelIndex, TensorDtype, TensorInfo, TensorRole, WeightLayout } from '../core/model-index';
import { summarizeTensors } from '../core/model-index';
import { layerNameOfGguf } from './llama-names';

const PLAIN_DTYPES: Record<string, TensorDtype> = {
  F32: 'f32', F16: 'f16', BF16: 'bf16', F64: 'f64', I8: 'i8', I16: 'i16', I32: 'i32', I64: 'i64',
};

/** Element type in the studio's names: 'f32', 'f16', 'bf16', … or the ggml block type ('Q4_K'). */
export function ggufTensorDtype(t: GgufTensorInfo): TensorDtype {
  return PLAIN_DTYPES[t.type.name] ?? t.type.name;
}

export function ggufTensorRole(t: Pick<GgufTensorInfo, 'name' | 'dims'>): TensorRole {
  const { name } = t;
  if (name === 'token_embd.weight') return 'embedding';
  if (name.endsWith('.bias')) return 'bias';
  if (/(^|[._])norm\.weight$/.test(name)) return 'norm';
  if (t.dims.length === 2 && name.endsWith('.weight') && (name === 'output.weight' || name.startsWith('blk.'))) {
    return 'matmul-weight';
  }
  return 'other';
}

/** Storage → logical [out, in] mapping of a 2-D GGUF tensor (row-major over numpy shape). */
export function ggufWeightLayout(t: Pick<GgufTensorInfo, 'dims'>): WeightLayout {
  const [cols, rows] = t.dims;
  return { rows, cols, rowStride: cols, colStride: 1 };
}

export function ggufModelIndex(file: GgufFile): ModelIndex {
  const arch = file.metadata.get('general.architecture');
  const tensors: TensorInfo[] = file.tensors.map((t) => {
    const role = ggufTensorRole(t);
    const info: TensorInfo = {
      name: t.name,
      layer: layerNameOfGguf(t.name),
      role,
      dtype: ggufTensorDtype(t),
      shape: t.shape,
      numel: t.numel,
      byteLength: t.byteLength,
    };
    if ((role === 'matmul-weight' || role === 'embedding') && t.dims.length === 2) info.layout = ggufWeightLayout(t);
    return info;
  });
  return {
    format: 'gguf',
    fileName: file.source.name,
    fileBytes: file.source.byteLength,
    architecture: arch?.type === 'string' ? arch.value : 'unknown',
    tensors,
    ...summarizeTensors(tensors),
  };
}
