// Row slices of a strided weight, for kernels whose buffers would pass the device's binding limit
// (an 8 B model's 128256 × 4096 embedding is 2.1 GB as float32; many GPUs bind 1 GiB or less).
// A slice holds whole rows W[r0..r1), so every per-row group is quantized exactly as in one pass.
// Its stored elements are viewed in place when the rows are contiguous (colStride 1) and gathered
// otherwise, keeping the original orientation: [K, N] storage (rowStride 1) stays row-fastest, so
// the kernel runs the same variant. The gather holds one slice, never the whole tensor twice.
import type { WeightLayout } from '../../core/model-index';

export interface RowSlice {
  /** First row of W in the slice. */
  row: number;
  /** Stored bytes of the slice alone, described by `layout`. */
  bytes: Uint8Array;
  layout: WeightLayout;
  /** The original tensor's stored element of the slice's stored element `element`. */
  sourceElement(element: number): number;
}

/** The slice of rows [row, row + rows) of a weight stored as `bytes` with `elementBytes`-byte elements. */
export function rowSlice(bytes: Uint8Array, elementBytes: number, layout: WeightLayout, row: number, rows: number): RowSlice {
  const { cols, rowStride, colStride } = layout;
  const origin = row * rowStride;
  if (colStride === 1) {
    const end = (row + rows - 1) * rowStride + cols;
    return {
      row,
      bytes: bytes.subarray(origin * elementBytes, end * elementBytes),
      layout: { rows, cols, rowStride, colStride: 1 },
      sourceElement: (e) => origin + e,
    };
  }
  // Gathered: row-fastest stays row-fastest ([cols][rows]), anything else becomes row-major.
  const rowFastest = rowStride < colStride;
  const compact: WeightLayout = rowFastest ? { rows, cols, rowStride: 1, colStride: rows } : { rows, cols, rowStride: cols, colStride: 1 };
  const out = new Uint8Array(rows * cols * elementBytes);
  if (rowFastest && rowStride === 1) {
    // Each stored row (one column of W) holds the slice's rows as one run.
    for (let c = 0; c < cols; c++) {
      const from = (origin + c * colStride) * elementBytes;
      out.set(bytes.subarray(from, from + rows * elementBytes), c * rows * elementBytes);
    }
  } else {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const from = ((row + r) * rowStride + c * colStride) * elementBytes;
        out.set(bytes.subarray(from, from + elementBytes), (r * compact.rowStride + c * compact.colStride) * elementBytes);
      }
    }
  }
  return {
    row,
    bytes: out,
    layout: compact,
    sourceElement: (e) => {
      const r = rowFastest ? e % rows : Math.floor(e / cols);
      const c = rowFastest ? Math.floor(e / rows) : e % cols;
      return (row + r) * rowStride + c * colStride;
    },
  };
}

/**
 * Rows per slice so that the slice's largest buffer — `bytesPerRow` of each buffer a row needs,
 * plus `slack` bytes of rounding — stays within `limit`; 0 when not even one row fits.
 */
export function rowsPerSlice(limit: number, bytesPerRow: readonly number[], slack = 0): number {
  return Math.max(0, Math.floor((limit - slack) / Math.max(...bytesPerRow)));
}
