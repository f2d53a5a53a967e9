// Moving a 2-D weight between its storage order and the logical row-major W[rows][cols]
// (WeightLayout in model-index.ts: W[r][c] is stored at r·rowStride + c·colStride).
import type { TensorInfo, WeightLayout } from './model-index';
import { f16BitsToF32 } from './float16';

/** Row-major [rows, cols] copy of a stored matrix (the input itself when it already is row-major). */
export function toRowMajor(values: Float32Array, layout: WeightLayout): Float32Array {
  const { rows, cols, rowStride, colStride } = layout;
  if (colStride === 1 && rowStride === cols) return values;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * rowStride;
    for (let c = 0; c < cols; c++) out[r * cols + c] = values[base + c * colStride];
  }
  return out;
}

/** Ŵ[rows][cols] back into the tensor's storage order (`numel` stored elements). */
export function toStorageOrder(logical: Float32Array, layout: WeightLayout, numel: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(numel);
  const { rows, cols, rowStride, colStride } = layout;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * rowStride + c * colStride] = logical[r * cols + c];
  }
  return out;
}

/**
 * A 2-D weight's info after structured pruning made it [rows][cols]: stored in the same
 * orientation as before (ONNX [in, out] stays [in, out]), with its shape, layout and bytes.
 */
export function resizedTensor(info: TensorInfo, rows: number, cols: number): TensorInfo {
  const layout = info.layout!;
  const inputsFastest = layout.colStride === 1; // stored [rows][cols], as PyTorch and GGUF store it
  const numel = rows * cols;
  return {
    ...info,
    shape: inputsFastest ? [rows, cols] : [cols, rows],
    numel,
    byteLength: (info.byteLength / info.numel) * numel,
    layout: inputsFastest ? { rows, cols, rowStride: cols, colStride: 1 } : { rows, cols, rowStride: 1, colStride: rows },
  };
}

/** [rows, cols] row-major → [cols, rows]. */
export function transpose(values: Float32Array, rows: number, cols: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

/**
 * [rows, cols] little-endian float16 or bfloat16 bytes (any alignment) → [cols, rows] float32 in
 * one pass: a checkpoint's 16-bit weight transposed for ONNX without a float32 copy in its own
 * order between (a 128256 × 2048 head: 1.6 GB at the peak instead of 2.6).
 */
export function transposeHalves(bytes: Uint8Array, dtype: 'f16' | 'bf16', rows: number, cols: number): Float32Array<ArrayBuffer> {
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
  const h = new Uint16Array(aligned.buffer, aligned.byteOffset, rows * cols);
  const out = new Float32Array(rows * cols);
  if (dtype === 'bf16') {
    const bits = new Uint32Array(out.buffer);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) bits[c * rows + r] = h[r * cols + c] << 16;
  } else {
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = f16BitsToF32(h[r * cols + c]);
  }
  return out;
}
