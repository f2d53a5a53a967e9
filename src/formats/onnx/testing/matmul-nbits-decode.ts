// An independent reading of com.microsoft::MatMulNBits weights from a written file (docs/FORMATS.md
// §2.1), for tests that judge exports by their bytes: W[n][k] = (q − zp)·scale per block, with the
// zero points packed per row (absent: 2^(bits−1)). Written from the spec, not from our encoder.
import { decodeFloats } from '../../../core/dtypes';
import { attrInt, type OnnxModel, type OnnxNode } from '../onnx-model';
import { getInitializer, readInitializer } from '../onnx-reader';

/** The weight of one MatMulNBits node as W[N][K], row-major float32. */
export async function decodeMatMulNBits(model: OnnxModel, node: OnnxNode): Promise<{ rows: number; cols: number; values: Float32Array }> {
  const N = attrInt(node, 'N', 0);
  const K = attrInt(node, 'K', 0);
  const bits = attrInt(node, 'bits', 4);
  const block = attrInt(node, 'block_size', 0);
  const kb = Math.ceil(K / block);
  const blob = (block * bits) / 8;
  const codes = await readInitializer(model, node.inputs[1]);
  const scalesTensor = getInitializer(model, node.inputs[2]);
  const scales = decodeFloats(await readInitializer(model, node.inputs[2]), scalesTensor.dtype as 'f32' | 'f16');
  const zpName = node.inputs[3];
  const zps = zpName ? await readInitializer(model, zpName) : undefined;
  const zpRow = Math.ceil((kb * bits) / 8);
  const mask = (1 << bits) - 1;
  const unpack = (bytes: Uint8Array, offset: number, i: number) => (bytes[offset + Math.floor((i * bits) / 8)] >> ((i * bits) % 8)) & mask;
  const values = new Float32Array(N * K);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < kb; b++) {
      const zp = zps ? unpack(zps, n * zpRow, b) : 1 << (bits - 1);
      const scale = scales[n * kb + b];
      for (let j = 0; j < block && b * block + j < K; j++) {
        const q = unpack(codes, (n * kb + b) * blob, j);
        values[n * K + b * block + j] = (q - zp) * scale;
      }
    }
  }
  return { rows: N, cols: K, values };
}
