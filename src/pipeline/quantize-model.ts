// Runs a round-to-nearest recipe over a model, tensor by tensor (DESIGN "Data flow"): the next
// tensor's bytes are read while the GPU works on the current one; progress after each tensor;
// cancellation between tensors (the partial result is dropped, so nothing half-done escapes).
import { throwIfAborted, UnsupportedModelError } from '../core/errors';
import { type TensorSelection, tensorFilter } from '../core/tensor-filter';
import type { TensorInfo, WeightLayout } from '../model/model-index';
import type { QuantizedTensor, RtnScheme } from '../core/quantized-tensor';
import { bf16ArrayToF32 } from '../core/float16';
import { storedBytes } from '../quant/rtn';
import type { OpenedModel } from './open-model';

/** What a quantizer backend (GPU kernel or CPU reference) is given for one tensor. */
export interface QuantInput {
  bytes: Uint8Array;
  dtype: 'f32' | 'f16';
  layout: WeightLayout;
}

export type QuantBackend = (input: QuantInput, scheme: RtnScheme, signal?: AbortSignal) => Promise<QuantizedTensor>;

export interface PipelineProgress {
  tensorsDone: number;
  tensorsTotal: number;
  bytesDone: number;
  bytesTotal: number;
  elapsedMs: number;
  currentTensor: string;
}

export interface QuantizedTensorEntry {
  info: TensorInfo;
  tensor: QuantizedTensor;
  /** Bytes the export stores for it (codes, scales, zero points). */
  storedBytes: number;
}

export interface QuantizeModelResult {
  scheme: RtnScheme;
  entries: QuantizedTensorEntry[];
  durationMs: number;
}

/** The matmul weights (and embeddings, if asked) a selection picks; throws when nothing matches. */
export function selectTensors(model: OpenedModel, selection: TensorSelection): TensorInfo[] {
  const keep = tensorFilter(selection);
  const picked = model.index.tensors.filter((t) => t.layout && keep(t));
  if (picked.length === 0) {
    const matmuls = model.index.tensors.filter((t) => t.role === 'matmul-weight').length;
    throw new UnsupportedModelError(
      matmuls === 0
        ? `nothing to quantize: ${model.index.fileName} has no MatMul/Gemm weight initializers`
        : `nothing to quantize: none of the ${matmuls} matmul weights matches the tensor selection`,
    );
  }
  return picked;
}

/** bf16 weights go to the GPU as f32 (the kernels read f32 or f16). */
function toQuantInput(info: TensorInfo, bytes: Uint8Array): QuantInput {
  const layout = info.layout!;
  if (info.dtype === 'f32' || info.dtype === 'f16') return { bytes, dtype: info.dtype as 'f32' | 'f16', layout };
  if (info.dtype === 'bf16') {
    const aligned = bytes.slice();
    const f32 = bf16ArrayToF32(new Uint16Array(aligned.buffer, 0, aligned.byteLength / 2));
    return { bytes: new Uint8Array(f32.buffer), dtype: 'f32', layout };
  }
  throw new UnsupportedModelError(`${info.name}: weights of type ${info.dtype} cannot be quantized (float32, float16 or bfloat16 only)`);
}

export async function quantizeModel(
  model: OpenedModel,
  scheme: RtnScheme,
  selection: TensorSelection,
  backend: QuantBackend,
  opts: { signal?: AbortSignal; onProgress?: (p: PipelineProgress) => void } = {},
): Promise<QuantizeModelResult> {
  const { signal, onProgress } = opts;
  const picked = selectTensors(model, selection);
  const start = performance.now();
  const bytesTotal = picked.reduce((n, t) => n + t.byteLength, 0);
  let bytesDone = 0;
  const entries: QuantizedTensorEntry[] = [];
  const report = (i: number, current: string) =>
    onProgress?.({
      tensorsDone: i,
      tensorsTotal: picked.length,
      bytesDone,
      bytesTotal,
      elapsedMs: performance.now() - start,
      currentTensor: current,
    });
  report(0, picked[0].layer);
  let pending = model.readTensor(picked[0].name);
  for (let i = 0; i < picked.length; i++) {
    throwIfAborted(signal);
    const info = picked[i];
    const bytes = await pending;
    if (i + 1 < picked.length) pending = model.readTensor(picked[i + 1].name);
    const tensor = await backend(toQuantInput(info, bytes), scheme, signal);
    const scaleBytes = info.dtype === 'f16' ? 2 : 4;
    entries.push({ info, tensor, storedBytes: storedBytes(tensor, scaleBytes) });
    bytesDone += info.byteLength;
    report(i + 1, picked[i + 1]?.layer ?? info.layer);
  }
  throwIfAborted(signal);
  return { scheme, entries, durationMs: performance.now() - start };
}

/** 8 · stored bytes of the quantized tensors / their element count. */
export function bitsPerWeight(entries: QuantizedTensorEntry[]): number {
  const bytes = entries.reduce((n, e) => n + e.storedBytes, 0);
  const numel = entries.reduce((n, e) => n + e.info.numel, 0);
  return numel === 0 ? 0 : (8 * bytes) / numel;
}

