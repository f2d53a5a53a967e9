// The com.microsoft nodes and initializers that replace a quantized weight's consumer:
// MatMulNBits for MatMul/Gemm B (docs/FORMATS.md §2.1) and GatherBlockQuantized with uint8
// data for embedding tables (§2.2). The initializers' bytes are produced on demand, when the
// writer streams them (so a model's size is known, and its weights quantized, one at a time).
import type { ByteSource } from '../../core/byte-source';
import type { IntGroupTensor } from '../../core/compressed-tensor';
import { ShapeError, UnsupportedModelError } from '../../core/errors';
import { type NodeSpec, encodeTensor } from './onnx-encode';
import { OnnxDataType, type OnnxNode, attrInt } from './onnx-model';
import { type IntGroupsShape, packBlockData, packBlockSizes } from './quantized-blocks';
import { ChunkList } from './protobuf-writer';

export const MS_DOMAIN = 'com.microsoft';

/** A quantized weight for the writer: its geometry now, its codes when the writer reaches them. */
export interface PendingQuantized extends IntGroupsShape {
  load(): Promise<IntGroupTensor>;
}

export interface QuantizedNode {
  node: NodeSpec;
  initializers: ChunkList[];
}

export interface QuantizedNames {
  codes: string;
  scales: string;
  zeroPoints: string;
}

function checkShape(q: IntGroupsShape, rows: number, cols: number, weight: string): void {
  if (q.rows !== rows || q.cols !== cols) {
    throw new ShapeError(`quantized "${weight}" is ${q.rows}×${q.cols} but the graph uses it as ${rows}×${cols} ([out, in])`);
  }
}

/**
 * Byte sources for the three initializers of one weight, filled from one `load()`: the tensor is
 * loaded when the first of them is read and let go once all three have been read to the end.
 */
function pendingSources(q: PendingQuantized, scaleType: number, weight: string) {
  const sizes = packBlockSizes(q, scaleType, weight);
  let loaded: Promise<{ codes: Uint8Array; scales: Uint8Array; zeroPoints?: Uint8Array }> | null = null;
  let finished = 0;
  const parts = sizes.zeroPointsBytes ? 3 : 2;
  const data = () => {
    loaded ??= q.load().then((t) => {
      checkShape(t, q.rows, q.cols, weight);
      if (t.codes.byteLength !== sizes.codesBytes) {
        throw new ShapeError(`quantized "${weight}" has ${t.codes.byteLength} code bytes, expected ${sizes.codesBytes}`);
      }
      return { codes: t.codes, ...packBlockData(t, scaleType) };
    });
    return loaded;
  };
  const source = (part: 'codes' | 'scales' | 'zeroPoints', byteLength: number): ByteSource => ({
    name: `${weight} (${part})`,
    byteLength,
    async read(byteOffset, n) {
      const bytes = (await data())[part]!;
      if (byteOffset + n >= byteLength && ++finished === parts) loaded = null;
      return bytes.subarray(byteOffset, byteOffset + n);
    },
  });
  const raw = (part: 'codes' | 'scales' | 'zeroPoints', byteLength: number) =>
    new ChunkList().push({ source: source(part, byteLength), byteOffset: 0, byteLength });
  return {
    sizes,
    codes: raw('codes', sizes.codesBytes),
    scales: raw('scales', sizes.scalesBytes),
    zeroPoints: sizes.zeroPointsBytes ? raw('zeroPoints', sizes.zeroPointsBytes) : undefined,
  };
}

function blockInitializers(q: PendingQuantized, names: QuantizedNames, scaleType: number, weight: string, codesDims: number[]) {
  const s = pendingSources(q, scaleType, weight);
  const initializers = [
    encodeTensor(names.codes, OnnxDataType.UINT8, codesDims, s.codes),
    encodeTensor(names.scales, scaleType, [q.rows, s.sizes.kb], s.scales),
  ];
  if (s.zeroPoints) {
    // Float zero points are [N, kb] in the scales' type; integer ones are packed bytes per row.
    const [type, dims] = q.floatZeroPoints ? [scaleType, [q.rows, s.sizes.kb]] : [OnnxDataType.UINT8, [q.rows, s.sizes.zpRowBytes]];
    initializers.push(encodeTensor(names.zeroPoints, type, dims, s.zeroPoints));
  }
  return { hasZeroPoints: Boolean(s.zeroPoints), initializers };
}

/** MatMulNBits replacing `consumer` (MatMul, or Gemm without C, alpha 1, transA 0). */
export function matmulNBits(
  q: PendingQuantized,
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
  const { hasZeroPoints, initializers } = blockInitializers(q, names, scaleType, weight, [q.rows, kb, (q.packBlock * q.storedBits) / 8]);
  const inputs = [consumer.inputs[0], names.codes, names.scales];
  if (hasZeroPoints) inputs.push(names.zeroPoints);
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

/** Why GatherBlockQuantized cannot hold this embedding, or undefined when it can. */
export function gatherBlockQuantizedProblem(q: Pick<IntGroupsShape, 'cols' | 'bits' | 'storedBits' | 'packBlock' | 'floatZeroPoints'>): string | undefined {
  if (q.floatZeroPoints) return 'GatherBlockQuantized takes integer zero points (for HQQ, set zeroPoint "integer" on the embedding\'s rule)';
  if (q.storedBits !== 2 && q.cols % q.packBlock === 0) return undefined;
  return `GatherBlockQuantized needs 4 or 8 bits and a hidden size that is a multiple of the block (got ${q.bits} bits, block ${q.packBlock}, hidden size ${q.cols})`;
}

/** GatherBlockQuantized (uint8 data, gather_axis 0, quantize_axis 1) replacing a Gather. */
export function gatherBlockQuantized(
  q: PendingQuantized,
  consumer: OnnxNode,
  layout: { rows: number; cols: number },
  scaleType: number,
  names: QuantizedNames,
  weight: string,
): QuantizedNode {
  checkShape(q, layout.rows, layout.cols, weight);
  const problem = gatherBlockQuantizedProblem(q);
  if (problem) {
    throw new UnsupportedModelError(`quantizing the embedding "${weight}" with ${q.bits} bits and block ${q.packBlock} is not supported for ONNX export (${problem})`);
  }
  const { hasZeroPoints, initializers } = blockInitializers(q, names, scaleType, weight, [q.rows, (q.cols * q.storedBits) / 8]);
  const inputs = [names.codes, consumer.inputs[1], names.scales];
  if (hasZeroPoints) inputs.push(names.zeroPoints);
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
