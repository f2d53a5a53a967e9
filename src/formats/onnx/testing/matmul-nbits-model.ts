// A one-node MatMulNBits model (y = x · dequant(B)ᵀ) with float or packed integer zero points, and
// the product the op must give, for checking what each onnxruntime execution provider accepts.
import { f32ToF16Bits } from '../../../core/float16';
import { OnnxDataType } from '../onnx-model';
import { buildModel } from './synthetic-models';

export interface MatMulNBitsCase {
  model: Uint8Array;
  x: Float32Array;
  /** The expected y [N], computed in float64 from the codes, scales and zero points. */
  expected: Float32Array;
  k: number;
}

export function matmulNBitsModel(bits: 2 | 4 | 8, zeroPoints: 'float' | 'integer', half = false): MatMulNBitsCase {
  const n = 4;
  const k = 64;
  const block = 32;
  const kb = k / block;
  const blob = (block * bits) / 8;
  const codes = new Uint8Array(n * kb * blob).map((_, i) => (i * 37 + 11) & 255);
  const scales = new Float32Array(n * kb).map((_, i) => 0.01 * (i + 1));
  const half0 = 1 << (bits - 1);
  const zeros = new Float32Array(n * kb).map((_, i) => (zeroPoints === 'float' ? half0 - 0.7 + i * 0.1 : half0 - 1 + (i % 2)));
  const floats = (v: Float32Array) => (half ? { raw: { dataType: OnnxDataType.FLOAT16, bytes: new Uint8Array(Uint16Array.from(v, f32ToF16Bits).buffer) } } : { values: v });
  const zpRow = Math.ceil((kb * bits) / 8);
  const packed = new Uint8Array(n * zpRow);
  for (let r = 0; r < n; r++) for (let g = 0; g < kb; g++) packed[r * zpRow + ((g * bits) >> 3)] |= zeros[r * kb + g] << ((g * bits) & 7);
  const elem = half ? OnnxDataType.FLOAT16 : OnnxDataType.FLOAT;
  const model = buildModel({
    nodes: [{ name: 'mm', opType: 'MatMulNBits', domain: 'com.microsoft', inputs: ['x', 'b', 's', 'z'], outputs: ['y'], attributes: { K: k, N: n, bits, block_size: block } }],
    initializers: [
      { name: 'b', dims: [n, kb, blob], raw: { dataType: OnnxDataType.UINT8, bytes: codes } },
      { name: 's', dims: [n, kb], ...floats(scales) },
      zeroPoints === 'float' ? { name: 'z', dims: [n, kb], ...floats(zeros) } : { name: 'z', dims: [n, zpRow], raw: { dataType: OnnxDataType.UINT8, bytes: packed } },
    ],
    inputs: [{ name: 'x', elemType: elem, dims: [1, k] }],
    outputs: [{ name: 'y', elemType: elem, dims: [1, n] }],
    opsets: [{ domain: 'com.microsoft', version: 1 }],
  });
  const x = new Float32Array(k).map((_, i) => Math.sin(i));
  const expected = new Float32Array(n);
  const perByte = 8 / bits;
  for (let r = 0; r < n; r++) {
    let acc = 0;
    for (let c = 0; c < k; c++) {
      const q = (codes[r * kb * blob + Math.floor(c / perByte)] >> ((c % perByte) * bits)) & ((1 << bits) - 1);
      const g = r * kb + Math.floor(c / block);
      acc += x[c] * (q - zeros[g]) * scales[g];
    }
    expected[r] = acc;
  }
  return { model, x, expected, k };
}
