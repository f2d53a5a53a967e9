// A QuantizedTensor's scales and zero points laid out per pack block, as ORT's MatMulNBits and
// GatherBlockQuantized take them (docs/FORMATS.md §2.1–2.2): scales [N, kb], zero points packed
// LSB-first per row with each row padded to a whole byte. Per-channel tensors (groupSize = K)
// repeat the row's scale and zero point in every pack block.
import { UnsupportedModelError } from '../../core/errors';
import { f32ToF16Bits } from '../../core/float16';
import type { QuantizedTensor } from '../../core/quantized-tensor';
import { OnnxDataType } from './onnx-model';

export interface PackBlockTensors {
  /** Pack blocks per row (⌈K / packBlock⌉). */
  kb: number;
  /** Bytes of one packed block. */
  blobBytes: number;
  /** [N, kb] float32. */
  scales: Float32Array;
  /** [N, zpRowBytes] packed uint8, or undefined when the op's implicit zero point is right. */
  zeroPoints?: Uint8Array;
  zpRowBytes: number;
}

/** True when the zero points must be written: asymmetric, or 3-bit codes in 4-bit containers (implicit zp 8 ≠ 4). */
export function needsZeroPoints(q: QuantizedTensor): boolean {
  return !q.symmetric || q.bits !== q.storedBits;
}

export function packBlockTensors(q: QuantizedTensor, what: string): PackBlockTensors {
  const { rows, cols, groupSize, packBlock, storedBits } = q;
  if (groupSize !== cols && groupSize % packBlock !== 0) {
    throw new UnsupportedModelError(`${what}: group size ${groupSize} is not a multiple of the pack block ${packBlock}`);
  }
  const groups = Math.ceil(cols / groupSize);
  const kb = Math.ceil(cols / packBlock);
  const groupOf = (b: number) => (groupSize === cols ? 0 : Math.floor((b * packBlock) / groupSize));
  const scales = new Float32Array(rows * kb);
  const zpRowBytes = Math.ceil((kb * storedBits) / 8);
  const zeroPoints = needsZeroPoints(q) ? new Uint8Array(rows * zpRowBytes) : undefined;
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < kb; b++) {
      const g = r * groups + groupOf(b);
      scales[r * kb + b] = q.scales[g];
      if (zeroPoints) {
        const bit = b * storedBits;
        zeroPoints[r * zpRowBytes + (bit >> 3)] |= q.zeroPoints[g] << (bit & 7);
      }
    }
  }
  return { kb, blobBytes: (packBlock * storedBits) / 8, scales, zeroPoints, zpRowBytes };
}

/** Scales as raw LE bytes of the activation type (float32 or float16). */
export function scaleBytes(scales: Float32Array, dataType: number): Uint8Array {
  if (dataType === OnnxDataType.FLOAT16) {
    const out = new Uint16Array(scales.length);
    for (let i = 0; i < scales.length; i++) out[i] = f32ToF16Bits(scales[i]);
    return new Uint8Array(out.buffer);
  }
  if (dataType !== OnnxDataType.FLOAT) {
    throw new UnsupportedModelError(`quantized export supports float32 and float16 activations, not ONNX type ${dataType}`);
  }
  return new Uint8Array(scales.buffer, scales.byteOffset, scales.byteLength);
}
