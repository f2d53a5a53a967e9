// The com.microsoft nodes and initializers that replace a quantized weight's consumer:
// MatMulNBits for MatMul/Gemm B (docs/FORMATS.md §2.1) and GatherBlockQuantized with uint8
// data for embedding tables (§2.2). Codes are QuantizedTensor's [N][kb][blob] bytes as they are.
import { ShapeError, UnsupportedModelError } from '../../core/errors';
import type { QuantizedTensor } from '../../core/quantized-tensor';
import { type NodeSpec, encodeTensor } from './onnx-encode';
import { OnnxDataType, type OnnxNode, attrInt } from './onnx-model';
import { packBlockTensors, scaleBytes } from './quantized-blocks';
import type { ChunkList } from './protobuf-writer';

export const MS_DOMAIN = 'com.microsoft';

export interface QuantizedNode {
  node: NodeSpec;
  initializers: ChunkList[];
}

export interface QuantizedNames {
  codes: string;
  scales: string;
  zeroPoints: string;
}

function checkShape(q: QuantizedTensor, rows: number, cols: number, weight: string): void {
  if (q.rows !== rows || q.cols !== cols) {
    throw new ShapeError(`quantized "${weight}" is ${q.rows}×${q.cols} but the graph uses it as ${rows}×${cols} ([out, in])`);
  }
}

function blockInitializers(q: QuantizedTensor, names: QuantizedNames, scaleType: number, weight: string, codesDims: number[]) {
  const p = packBlockTensors(q, weight);
  const initializers = [
    encodeTensor(names.codes, OnnxDataType.UINT8, codesDims, q.codes),
    encodeTensor(names.scales, scaleType, [q.rows, p.kb], scaleBytes(p.scales, scaleType)),
  ];
  if (p.zeroPoints) initializers.push(encodeTensor(names.zeroPoints, OnnxDataType.UINT8, [q.rows, p.zpRowBytes], p.zeroPoints));
  return { p, initializers };
}

/** MatMulNBits replacing `consumer` (MatMul, or Gemm without C, alpha 1, transA 0). */
export function matmulNBits(
  q: QuantizedTensor,
  consumer: OnnxNode,
  layout: { rows: number; cols: number },
  scaleType: number,
  names: QuantizedNames,
  weight: string,
): QuantizedNode {
  checkShape(q, layout.rows, layout.cols, weight);
  if (consumer.opType === 'Gemm') {
    const plain = attrInt(consumer, 'transA', 0) === 0 && !consumer.inputs[2] &&
      (consumer.attributes.find((a) => a.name === 'alpha')?.f ?? 1) === 1;
    if (!plain) throw new UnsupportedModelError(`Gemm "${consumer.name}" with transA, alpha or C cannot be exported as MatMulNBits yet`);
  }
  const kb = Math.ceil(q.cols / q.packBlock);
  const { p, initializers } = blockInitializers(q, names, scaleType, weight, [q.rows, kb, (q.packBlock * q.storedBits) / 8]);
  if (q.codes.byteLength !== q.rows * kb * p.blobBytes) {
    throw new ShapeError(`quantized "${weight}" has ${q.codes.byteLength} code bytes, expected ${q.rows * kb * p.blobBytes}`);
  }
  const inputs = [consumer.inputs[0], names.codes, names.scales];
  if (p.zeroPoints) inputs.push(names.zeroPoints);
  return {
    node: {
      name: consumer.name ? `${consumer.name}_Q${q.bits}` : '',
      opType: 'MatMulNBits',
      domain: MS_DOMAIN,
      inputs,
      outputs: [consumer.outputs[0]],
      attributes: { K: q.cols, N: q.rows, bits: q.storedBits, block_size: q.packBlock },
    },
    initializers,
  };
}

/** GatherBlockQuantized (uint8 data, gather_axis 0, quantize_axis 1) replacing a Gather. */
export function gatherBlockQuantized(
  q: QuantizedTensor,
  consumer: OnnxNode,
  layout: { rows: number; cols: number },
  scaleType: number,
  names: QuantizedNames,
  weight: string,
): QuantizedNode {
  checkShape(q, layout.rows, layout.cols, weight);
  if (q.storedBits === 2 || q.cols % q.packBlock !== 0) {
    throw new UnsupportedModelError(
      `quantizing the embedding "${weight}" with ${q.bits} bits and block ${q.packBlock} is not supported for ONNX export ` +
        '(GatherBlockQuantized needs 4 or 8 bits and a hidden size that is a multiple of the block)',
    );
  }
  const { p, initializers } = blockInitializers(q, names, scaleType, weight, [q.rows, (q.cols * q.storedBits) / 8]);
  const inputs = [names.codes, consumer.inputs[1], names.scales];
  if (p.zeroPoints) inputs.push(names.zeroPoints);
  return {
    node: {
      name: consumer.name ? `${consumer.name}_Q${q.bits}` : '',
      opType: 'GatherBlockQuantized',
      domain: MS_DOMAIN,
      inputs,
      outputs: [consumer.outputs[0]],
      attributes: { bits: q.storedBits, block_size: q.packBlock, gather_axis: 0, quantize_axis: 1 },
    },
    initializers,
  };
}
