// rowSlice (row-slices.ts) against a plain element-by-element reading of the layout: every
// element of every slice, for contiguous, [K, N] and arbitrary strides, and the stored element
// each slice element maps back to.
import { describe, expect, it } from 'vitest';
import type { WeightLayout } from '../../core/model-index';
import { rowSlice, rowsPerSlice } from './row-slices';

function check(layout: WeightLayout, storedElements: number, sliceRows: number): void {
  const stored = Float32Array.from({ length: storedElements }, (_, i) => i + 0.5);
  const bytes = new Uint8Array(stored.buffer);
  for (let row = 0; row < layout.rows; row += sliceRows) {
    const rows = Math.min(sliceRows, layout.rows - row);
    const slice = rowSlice(bytes, 4, layout, row, rows);
    const values = new Float32Array(slice.bytes.buffer.slice(slice.bytes.byteOffset, slice.bytes.byteOffset + slice.bytes.byteLength));
    expect(slice.layout.rows).toBe(rows);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < layout.cols; c++) {
        const e = r * slice.layout.rowStride + c * slice.layout.colStride;
        const source = (row + r) * layout.rowStride + c * layout.colStride;
        expect(values[e]).toBe(stored[source]);
        expect(slice.sourceElement(e)).toBe(source);
      }
    }
  }
}

describe('rowSlice', () => {
  it('views contiguous rows in place', () => {
    const bytes = new Uint8Array(4 * 6 * 5);
    const slice = rowSlice(bytes, 4, { rows: 6, cols: 5, rowStride: 5, colStride: 1 }, 2, 3);
    expect(slice.bytes.buffer).toBe(bytes.buffer);
    expect(slice.bytes.byteOffset).toBe(2 * 5 * 4);
    check({ rows: 6, cols: 5, rowStride: 5, colStride: 1 }, 30, 4);
    check({ rows: 4, cols: 3, rowStride: 7, colStride: 1 }, 3 * 7 + 3, 3); // padded rows
  });

  it('gathers [K, N] storage and keeps it row-fastest', () => {
    const slice = rowSlice(new Uint8Array(4 * 9 * 4), 4, { rows: 9, cols: 4, rowStride: 1, colStride: 9 }, 3, 4);
    expect(slice.layout).toEqual({ rows: 4, cols: 4, rowStride: 1, colStride: 4 });
    check({ rows: 9, cols: 4, rowStride: 1, colStride: 9 }, 36, 4);
    check({ rows: 9, cols: 4, rowStride: 1, colStride: 9 }, 36, 1);
  });

  it('gathers arbitrary strides into row-major order', () => {
    check({ rows: 5, cols: 3, rowStride: 2, colStride: 11 }, 4 * 2 + 2 * 11 + 1, 2);
  });

  it('sizes slices by the largest per-row buffer', () => {
    expect(rowsPerSlice(1003, [100, 40, 16], 3)).toBe(10);
    expect(rowsPerSlice(99, [100])).toBe(0);
  });
});
