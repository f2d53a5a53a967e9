// Converts HF-named float weights to a Hugging Face safetensors checkpoint (docs/FORMATS.md §5):
// every tensor as F16, BF16 or F32 (default: its source dtype, F32 for quantized GGUF tensors),
// sharded with model.safetensors.index.json above a size limit (default 5 GB, as huggingface_hub).
// Streams one tensor at a time; config.json gets the new dtype.
import type { ByteSink } from '../../core/byte-sink';
import { throwIfAborted } from '../../core/errors';
import { f32ArrayToBf16, f32ArrayToF16 } from '../../core/float16';
import { DEFAULT_MAX_SHARD_BYTES, writeShardedSafetensors, type SafetensorsTensorToWrite } from '../../formats/safetensors/safetensors-writer';
import type { ConvertedTensor, ConvertProgress } from './convert-gguf';
import type { HfWeightSource, SourceFloatDtype } from './weight-source';

export const SAFETENSORS_DTYPES = ['f16', 'bf16', 'f32'] as const;
export type SafetensorsOutDtype = (typeof SAFETENSORS_DTYPES)[number];

const STORED: Record<SafetensorsOutDtype, string> = { f16: 'F16', bf16: 'BF16', f32: 'F32' };
const TORCH: Record<SafetensorsOutDtype, string> = { f16: 'float16', bf16: 'bfloat16', f32: 'float32' };

export interface SafetensorsConvertOptions {
  /** Every tensor's dtype; default: the source dtype (f32 where the source is quantized). */
  dtype?: SafetensorsOutDtype;
  /** Shard limit in bytes of tensor data (default 5 GB). */
  maxShardBytes?: number;
  onProgress?: (p: ConvertProgress) => void;
  signal?: AbortSignal;
}

export interface SafetensorsConvertResult {
  /** File names written (shards, then the index when sharded). */
  files: string[];
  /** Bytes of all files. */
  bytes: number;
  tensors: ConvertedTensor[];
}

function encode(values: Float32Array, dtype: SafetensorsOutDtype): Uint8Array {
  const typed = dtype === 'f32' ? values : dtype === 'f16' ? f32ArrayToF16(values) : f32ArrayToBf16(values);
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

/** Streams the checkpoint through `openSink(fileName)` (each sink is closed by the writer). */
export async function convertToSafetensors(
  source: HfWeightSource,
  openSink: (fileName: string) => ByteSink | Promise<ByteSink>,
  options: SafetensorsConvertOptions = {},
): Promise<SafetensorsConvertResult> {
  const dtypeOf = (d: SourceFloatDtype | undefined): SafetensorsOutDtype => options.dtype ?? d ?? 'f32';
  let done = 0;
  const tensors: SafetensorsTensorToWrite[] = source.tensors.map((t) => ({
    name: t.name,
    dtype: STORED[dtypeOf(t.dtype)],
    shape: t.shape,
    data: async () => {
      throwIfAborted(options.signal);
      options.onProgress?.({ tensorsDone: done, tensorsTotal: source.tensors.length, currentTensor: t.name });
      const bytes = encode(await source.readFloats(t.name), dtypeOf(t.dtype));
      done++;
      return bytes;
    },
  }));
  const sinks: ByteSink[] = [];
  const files = await writeShardedSafetensors(async (name) => {
    const sink = await openSink(name);
    sinks.push(sink);
    return sink;
  }, tensors, { maxShardBytes: options.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES, metadata: { format: 'pt' } });
  options.onProgress?.({ tensorsDone: done, tensorsTotal: source.tensors.length, currentTensor: '' });
  return {
    files,
    bytes: sinks.reduce((n, s) => n + s.bytesWritten, 0),
    tensors: tensors.map((t) => ({ name: t.name, type: t.dtype, shape: t.shape })),
  };
}

/** config.json for the written checkpoint: `dtype` / `torch_dtype` set to the output dtype where the source had them. */
export function configForDtype(config: Record<string, unknown>, dtype: SafetensorsOutDtype | undefined): Record<string, unknown> {
  if (!dtype) return config;
  const out = { ...config };
  for (const key of ['dtype', 'torch_dtype']) if (key in out) out[key] = TORCH[dtype];
  return out;
}
