// Integer-group tensors laid out per pack block, as ORT's MatMulNBits and GatherBlockQuantized
// take them (docs/FORMATS.md §2.1–2.2): codes [N, kb, blob], scales [N, kb], zero points packed
// LSB-first per row with each row padded to a whole byte, or float zero points [N, kb] in the
// scales' type (MatMulNBits takes those unpacked; HQQ writes them). Per-channel tensors (groupSize = K)
// repeat the row's scale and zero point in every pack block. Sizes follow from the layout alone,
// so an export's exact size is known before any weight is quantized.
import { UnsupportedModelError } from '../../core/errors';
import { f32ToF16Bits } from '../../core/float16';
import type { IntGroupTensor } from '../../core/compressed-tensor';
import type { IntGroupsLayout } from '../../core/compression-plan';
import { OnnxDataType } from './onnx-model';

/** An integer-group weight's geometry: what the writer needs before the codes exist. */
export interface IntGroupsShape extends IntGroupsLayout {
  rows: number;
  cols: number;
}

export interface PackBlockSizes {
  /** Pack blocks per row (⌈K / packBlock⌉). */
  kb: number;
  /** Bytes of one packed block. */
  blobBytes: number;
  codesBytes: number;
  scalesBytes: number;
  /** Bytes of one row of zero points (packed codes, or kb floats). */
  zpRowBytes: number;
  /** 0 when the op's implicit zero point is right. */
  zeroPointsBytes: number;
}

/** True when the zero points must be written: asymmetric, float, or 3-bit codes in 4-bit containers (implicit zp 8 ≠ 4). */
export function needsZeroPoints(q: Pick<IntGroupsLayout, 'symmetric' | 'bits' | 'storedBits' | 'floatZeroPoints'>): boolean {
  return !q.symmetric || q.bits !== q.storedBits || q.floatZeroPoints === true;
}

/** Bytes of an activation-typed scale (float32 or float16). */
export function scaleElementBytes(dataType: number): number {
  if (dataType === OnnxDataType.FLOAT16) return 2;
  if (dataType === OnnxDataType.FLOAT) return 4;
  throw new UnsupportedModelError(`quantized export supports float32 and float16 activations, not ONNX type ${dataType}`);
}

/** Exact sizes of the three initializers of a quantized weight; checks the group/block fit. */
export function packBlockSizes(q: IntGroupsShape, scaleType: number, what: string): PackBlockSizes {
  const { rows, cols, groupSize, packBlock, storedBits } = q;
  if (groupSize !== cols && groupSize % packBlock !== 0) {
    throw new UnsupportedModelError(`${what}: group size ${groupSize} is not a multiple of the pack block ${packBlock}`);
  }
  const kb = Math.ceil(cols / packBlock);
  const blobBytes = (packBlock * storedBits) / 8;
  const zpRowBytes = q.floatZeroPoints ? kb * scaleElementBytes(scaleType) : Math.ceil((kb * storedBits) / 8);
  return {
    kb,
    blobBytes,
    codesBytes: rows * kb * blobBytes,
    scalesBytes: rows * kb * scaleElementBytes(scaleType),
    zpRowBytes,
    zeroPointsBytes: needsZeroPoints(q) ? rows * zpRowBytes : 0,
  };
}

/** Bytes a MatMulNBits/GatherBlockQuantized export stores for a weight: codes + scales + zero points. */
export function intGroupsStoredBytes(q: IntGroupsShape, scaleType: number = OnnxDataType.FLOAT): number {
  const s = packBlockSizes(q, scaleType, 'weight');
  return s.codesBytes + s.scalesBytes + s.zeroPointsBytes;
}

/** Scales [N, kb] as raw LE bytes of the activation type, and packed zero points [N, zpRowBytes] when needed. */
export function packBlockData(q: IntGroupTensor, scaleType: number): { scales: Uint8Array; zeroPoints?: Uint8Array } {
  const { rows, cols, groupSize } = q;
  const { kb, zpRowBytes, zeroPointsBytes } = packBlockSizes(q, scaleType, 'weight');
  const groups = Math.ceil(cols / groupSize);
  const groupOf = (b: number) => (groupSize === cols ? 0 : Math.floor((b * q.packBlock) / groupSize));
  const scales = new Float32Array(rows * kb);
  if (q.floatZeroPoints && !q.zeroPointValues) throw new Error('Internal error: a float-zero-point tensor has no zero point values');
  const floatZeros = q.floatZeroPoints ? new Float32Array(rows * kb) : undefined;
  const zeroPoints = zeroPointsBytes && !floatZeros ? new Uint8Array(zeroPointsBytes) : undefined;
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < kb; b++) {
      const g = r * groups + groupOf(b);
      scales[r * kb + b] = q.scales[g];
      if (floatZeros) {
        floatZeros[r * kb + b] = q.zeroPointValues![g];
      } else if (zeroPoints) {
        const bit = b * q.storedBits;
        zeroPoints[r * zpRowBytes + (bit >> 3)] |= q.zeroPoints[g] << (bit & 7);
      }
    }
  }
  return { scales: scaleBytes(scales, scaleType), zeroPoints: floatZeros ? scaleBytes(floatZeros, scaleType) : zeroPoints };
}

/** Scales as raw LE bytes of the activation type (float32 or float16). */
export function scaleBytes(scales: Float32Array, dataType: number): Uint8Array {
  scaleElementBytes(dataType);
  if (dataType === OnnxDataType.FLOAT16) {
    const out = new Uint16Array(scales.length);
    for (let i = 0; i < scales.length; i++) out[i] = f32ToF16Bits(scales[i]);
    return new Uint8Array(out.buffer);
  }
  return new Uint8Array(scales.buffer, scales.byteOffset, scales.byteLength);
}
