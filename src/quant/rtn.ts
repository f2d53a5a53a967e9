// Round-to-nearest weight quantization: the CPU reference (the spec) for shaders/quant/rtn-*.wgsl
// and for the MatMulNBits export. Math follows ORT's MatMulNBits reference quantizer
// (MLAS BlockwiseQuantizer, docs/FORMATS.md §2.1) in float32: asymmetric min/max with a zero point,
// or symmetric with scale = −(signed abs-max)/2^(bits−1); roundf = half away from zero.
// K is zero-padded to a whole pack block; padding codes are the zero point.
import { ShapeError } from '../core/errors';
import type { WeightLayout } from '../core/model-index';
import { type IntGroupTensor, type RtnSettings, storedBitsFor } from '../core/compressed-tensor';
import { RTN_GROUP_SIZES } from '../core/recipe';

const fround = Math.fround;
/** MatMulNBits block sizes (= the recipe's group sizes). */
export const PACK_BLOCKS = RTN_GROUP_SIZES;

/** Half away from zero, as C's roundf. */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/**
 * Pack block for a per-channel scheme: MatMulNBits takes blocks of 16…256 only, so a row is
 * cut into the allowed block that pads K least (larger on ties) and the row's scale repeats.
 */
export function perChannelPackBlock(cols: number): number {
  let best: number = PACK_BLOCKS[0];
  for (const b of PACK_BLOCKS) {
    if (Math.ceil(cols / b) * b <= Math.ceil(cols / best) * best) best = b;
  }
  return best;
}

export function groupSizeOf(scheme: Pick<RtnSettings, 'group'>, cols: number): number {
  return scheme.group === 'per-channel' ? cols : scheme.group;
}

export function packBlockOf(scheme: Pick<RtnSettings, 'group'>, cols: number): number {
  return scheme.group === 'per-channel' ? perChannelPackBlock(cols) : scheme.group;
}

/** Scale and zero point of one group, exactly as the kernels compute them (float32). */
export function groupParams(
  minValue: number,
  maxValue: number,
  absMaxSigned: number,
  bits: number,
  symmetric: boolean,
): { scale: number; zeroPoint: number; reciprocal: number } {
  const maxq = (1 << bits) - 1;
  if (symmetric) {
    const half = 1 << (bits - 1);
    const scale = fround(-absMaxSigned / half);
    return { scale, zeroPoint: half, reciprocal: scale === 0 ? 0 : fround(1 / scale) };
  }
  const mn = Math.min(minValue, 0);
  const mx = Math.max(maxValue, 0);
  const scale = fround(fround(mx - mn) / maxq);
  const zeroPoint = scale === 0 ? 0 : Math.min(maxq, Math.max(0, roundHalfAway(fround(-mn / scale))));
  return { scale, zeroPoint, reciprocal: scale === 0 ? 0 : fround(1 / scale) };
}

/** Code of one value given its group's parameters. */
export function quantizeValue(v: number, p: { zeroPoint: number; reciprocal: number }, bits: number, symmetric: boolean): number {
  const maxq = (1 << bits) - 1;
  const q = symmetric
    ? roundHalfAway(fround(v * p.reciprocal)) + p.zeroPoint
    : roundHalfAway(fround(fround(v * p.reciprocal) + p.zeroPoint));
  return Math.min(maxq, Math.max(0, q));
}

/**
 * Quantizes W (stored as `values`, mapped by `layout`) with a round-to-nearest scheme.
 * Returns packed codes, scales, zero points and ‖W−Ŵ‖/‖W‖ (accumulated in float64).
 */
export function quantizeRtnRef(values: Float32Array, layout: WeightLayout, scheme: RtnSettings): IntGroupTensor {
  const { rows, cols, rowStride, colStride } = layout;
  const { bits, symmetric } = scheme;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new ShapeError(`weight has a non-finite value (${values[i]}) at stored element ${i}; cannot quantize`, {
        element: i,
      });
    }
  }
  const groupSize = groupSizeOf(scheme, cols);
  const groups = Math.ceil(cols / groupSize);
  const unpacked = new Uint8Array(rows * cols);
  const scales = new Float32Array(rows * groups);
  const zeroPoints = new Uint8Array(rows * groups);
  let errSq = 0;
  let normSq = 0;
  const at = (r: number, c: number) => values[r * rowStride + c * colStride];
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < groups; g++) {
      const start = g * groupSize;
      const end = Math.min(cols, start + groupSize);
      let mn = Infinity;
      let mx = -Infinity;
      let absMaxSigned = 0;
      for (let c = start; c < end; c++) {
        const v = at(r, c);
        if (v < mn) mn = v;
        if (v > mx) mx = v;
        if (Math.abs(v) > Math.abs(absMaxSigned)) absMaxSigned = v;
      }
      const p = groupParams(mn, mx, absMaxSigned, bits, symmetric);
      scales[r * groups + g] = p.scale;
      zeroPoints[r * groups + g] = p.zeroPoint;
      for (let c = start; c < end; c++) {
        const v = at(r, c);
        const q = quantizeValue(v, p, bits, symmetric);
        unpacked[r * cols + c] = q;
        const deq = (q - p.zeroPoint) * p.scale;
        errSq += (v - deq) ** 2;
        normSq += v * v;
      }
    }
  }
  return intGroupTensor(unpacked, scales, zeroPoints, rows, cols, scheme, normSq === 0 ? 0 : Math.sqrt(errSq / normSq));
}

/**
 * The IntGroupTensor of codes [rows][cols] (unpacked, one byte each) with their groups' scales
 * and zero points: codes packed LSB first into whole blocks, the padding after the last real
 * column holding the row's last zero point (it dequantizes to 0). Shared by every integer method.
 */
export function intGroupTensor(unpacked: Uint8Array, scales: Float32Array, zeroPoints: Uint8Array, rows: number, cols: number, scheme: RtnSettings, relError: number): IntGroupTensor {
  const { bits, symmetric } = scheme;
  const storedBits = storedBitsFor(bits);
  const groupSize = groupSizeOf(scheme, cols);
  const packBlock = packBlockOf(scheme, cols);
  const groups = Math.ceil(cols / groupSize);
  const paddedCols = Math.ceil(cols / packBlock) * packBlock;
  const rowBytes = (paddedCols * storedBits) / 8;
  const codes = new Uint8Array(rows * rowBytes);
  const putCode = (r: number, c: number, q: number) => {
    const bit = c * storedBits;
    codes[r * rowBytes + (bit >> 3)] |= q << (bit & 7);
  };
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) putCode(r, c, unpacked[r * cols + c]);
    const lastZp = zeroPoints[r * groups + groups - 1];
    for (let c = cols; c < paddedCols; c++) putCode(r, c, lastZp);
  }
  return { kind: 'int-groups', rows, cols, bits, storedBits, symmetric, groupSize, packBlock, codes, scales, zeroPoints, relError };
}

/** Code of logical element (r, c). */
export function codeAt(t: IntGroupTensor, r: number, c: number): number {
  const paddedCols = Math.ceil(t.cols / t.packBlock) * t.packBlock;
  const bit = (r * paddedCols + c) * t.storedBits;
  return (t.codes[bit >> 3] >> (bit & 7)) & ((1 << t.storedBits) - 1);
}

/** Ŵ in logical [rows][cols] order, float32: (code − zero point)·scale, each step rounded as MatMulNBits does. */
export function dequantizeRef(t: IntGroupTensor): Float32Array<ArrayBuffer> {
  const out = new Float32Array(t.rows * t.cols);
  const groups = Math.ceil(t.cols / t.groupSize);
  for (let r = 0; r < t.rows; r++) {
    for (let c = 0; c < t.cols; c++) {
      const g = r * groups + Math.floor(c / t.groupSize);
      const zero = t.zeroPointValues ? fround(codeAt(t, r, c) - t.zeroPointValues[g]) : codeAt(t, r, c) - t.zeroPoints[g];
      out[r * t.cols + c] = fround(zero * t.scales[g]);
    }
  }
  return out;
}
