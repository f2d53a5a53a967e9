// HF weights from a llama GGUF (docs/FORMATS.md §4.6): each tensor dequantized (the CPU
// reference, or the GPU kernels through gpuGgmlDequantizer), renamed with ggufToHfName, and attn_q/attn_k rows put back in HF order (the inverse
// of the converter's Q/K permutation). GGUF shapes in numpy order already equal HF shapes.
import { UnsupportedModelError, UsageError } from '../../core/errors';
import { readGgufTensor, type GgufFile } from '../../formats/gguf/gguf-reader';
import type { GgufMetadata } from '../../formats/gguf/gguf-value';
import { ggufToHfName, unpermuteQkRows } from '../../model/llama-names';
import { dequantizeGgmlRef, hasGgmlCodec } from '../../quant/ggml/ggml-codec';
import type { GpuContext } from '../../gpu/context';
import { dequantizeGgmlGpu, GPU_DEQUANTIZE_TYPES } from '../../kernels/ggml/dequantize';
import type { HfTensor, HfWeightSource, SourceFloatDtype } from './weight-source';

const FLOAT_TYPES: Record<string, SourceFloatDtype> = { F32: 'f32', F16: 'f16', BF16: 'bf16' };

function u32Key(metadata: GgufMetadata, key: string, fallback?: number): number {
  const v = metadata.get(key);
  if (v && (v.type === 'u32' || v.type === 'i32' || v.type === 'u64')) return Number(v.value);
  if (fallback !== undefined) return fallback;
  throw new UnsupportedModelError(`GGUF metadata has no ${key}`);
}

/** Dequantizes one stored tensor to float32 (ggml type name, its bytes, element count). */
export type GgmlDequantizer = (typeName: string, bytes: Uint8Array, numel: number) => Promise<Float32Array>;

const dequantizeOnCpu: GgmlDequantizer = async (typeName, bytes) => dequantizeGgmlRef(typeName, bytes);

export function ggufWeights(file: GgufFile, dequantize: GgmlDequantizer = dequantizeOnCpu): HfWeightSource {
  const arch = file.metadata.get('general.architecture');
  if (arch?.type !== 'string' || arch.value !== 'llama') {
    throw new UnsupportedModelError(`${file.source.name}: architecture ${JSON.stringify(arch?.value)} is not supported for conversion (llama is)`);
  }
  const nHead = u32Key(file.metadata, 'llama.attention.head_count');
  const nHeadKv = u32Key(file.metadata, 'llama.attention.head_count_kv', nHead);
  const infoByHf = new Map<string, GgufFile['tensors'][number]>();
  const tensors: HfTensor[] = file.tensors.map((t) => {
    const hf = ggufToHfName(t.name);
    if (!hf) throw new UnsupportedModelError(`${file.source.name}: tensor "${t.name}" has no Hugging Face llama name`);
    if (!hasGgmlCodec(t.type.name)) throw new UnsupportedModelError(`${file.source.name}: tensor "${t.name}" is ${t.type.name}, which the studio cannot dequantize`, { dtype: t.type.name });
    infoByHf.set(hf, t);
    return { name: hf, shape: [...t.shape], numel: t.numel, dtype: FLOAT_TYPES[t.type.name], source: t.name };
  });
  return {
    format: 'gguf',
    tensors,
    ggufMetadata: file.metadata,
    readFloats: async (name) => {
      const t = infoByHf.get(name);
      if (!t) throw new UsageError(`${file.source.name} has no tensor for "${name}"`);
      const values = await dequantize(t.type.name, await readGgufTensor(file, t), t.numel);
      const heads = /\.attn_q\.(weight|bias)$/.test(t.name) ? nHead : /\.attn_k\.(weight|bias)$/.test(t.name) ? nHeadKv : 0;
      if (heads === 0) return values;
      const rows = t.shape[0];
      return unpermuteQkRows(values, rows, t.numel / rows, heads);
    },
  };
}

/** Quantized GGUF tensors decoded on the GPU (bit-identical to the references); plain float types by the reference. */
export function gpuGgmlDequantizer(ctx: GpuContext, signal?: AbortSignal): GgmlDequantizer {
  return (typeName, bytes, numel) =>
    GPU_DEQUANTIZE_TYPES.includes(typeName) ? dequantizeGgmlGpu(ctx, typeName, bytes, numel, { signal }) : Promise.resolve(dequantizeGgmlRef(typeName, bytes));
}
