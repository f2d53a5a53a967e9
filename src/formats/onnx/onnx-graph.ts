// Graph queries shared by the ONNX index (src/model/onnx-index.ts) and the writer: who consumes
// a value, and how a weight initializer reaches the op that uses it (through a Transpose
// perm [1,0] and/or a Cast to float), with the logical [out, in] orientation that implies.
import { type OnnxGraph, type OnnxNode, OnnxDataType, type OnnxTensor, attrInt, attrInts } from './onnx-model';

export interface ValueUse {
  node: OnnxNode;
  inputIndex: number;
}

export interface GraphUses {
  /** value name → the node inputs that read it. */
  consumers: Map<string, ValueUse[]>;
  /** value name → the node that writes it. */
  producer: Map<string, OnnxNode>;
  graphOutputs: Set<string>;
}

export function graphUses(graph: OnnxGraph): GraphUses {
  const consumers = new Map<string, ValueUse[]>();
  const producer = new Map<string, OnnxNode>();
  for (const node of graph.nodes) {
    node.inputs.forEach((name, inputIndex) => {
      if (!name) return;
      let list = consumers.get(name);
      if (!list) consumers.set(name, (list = []));
      list.push({ node, inputIndex });
    });
    for (const out of node.outputs) if (out) producer.set(out, node);
  }
  return { consumers, producer, graphOutputs: new Set(graph.outputs.map((o) => o.name)) };
}

/** How a weight is used after following Transpose/Cast steps. */
export interface WeightTrace {
  kind: 'matmul' | 'gemm' | 'gather' | 'none';
  /** The MatMul/Gemm (input 1) or Gather (input 0) node. */
  consumer?: OnnxNode;
  /** Transpose/Cast nodes between the initializer and the consumer, in order. */
  chain: OnnxNode[];
  /** Logical W[rows = out][cols = in] for matmul/gemm; [vocab][hidden] for gather. */
  layout?: { rows: number; cols: number; rowStride: number; colStride: number };
  /** Float type the consumer sees (Cast target, else the initializer's own type). */
  computeType: number;
}

const FLOAT_TYPES: number[] = [OnnxDataType.FLOAT, OnnxDataType.FLOAT16, OnnxDataType.BFLOAT16];

function isTranspose2d(node: OnnxNode): boolean {
  const perm = attrInts(node, 'perm');
  return node.opType === 'Transpose' && node.domain === '' && (!perm || (perm.length === 2 && perm[0] === 1 && perm[1] === 0));
}

function isCastToFloat(node: OnnxNode): boolean {
  return node.opType === 'Cast' && node.domain === '' && FLOAT_TYPES.includes(attrInt(node, 'to', 0));
}

/** Follows a 2-D float initializer to the MatMul/Gemm/Gather that uses it. */
export function traceWeight(tensor: OnnxTensor, uses: GraphUses): WeightTrace {
  const none: WeightTrace = { kind: 'none', chain: [], computeType: tensor.dataType };
  if (tensor.dims.length !== 2 || !FLOAT_TYPES.includes(tensor.dataType)) return none;
  const chain: OnnxNode[] = [];
  let value = tensor.name;
  let transposed = false;
  let computeType = tensor.dataType;
  // A few steps at most (a cyclic, corrupt graph must not loop).
  for (let step = 0; step < 8; step++) {
    const list = uses.consumers.get(value) ?? [];
    if (list.length !== 1 || uses.graphOutputs.has(value)) break;
    const { node } = list[0];
    if (isTranspose2d(node) && !transposed) transposed = true;
    else if (isCastToFloat(node)) computeType = attrInt(node, 'to', computeType);
    else break;
    chain.push(node);
    value = node.outputs[0];
  }
  const [d0, d1] = tensor.dims;
  const list = uses.consumers.get(value) ?? [];
  for (const { node, inputIndex } of list) {
    if (node.domain !== '') continue;
    if (node.opType === 'MatMul' && inputIndex === 1) {
      return { kind: 'matmul', consumer: node, chain, layout: matmulLayout(d0, d1, transposed), computeType };
    }
    if (node.opType === 'Gemm' && inputIndex === 1) {
      const flip = transposed !== (attrInt(node, 'transB', 0) === 1);
      return { kind: 'gemm', consumer: node, chain, layout: matmulLayout(d0, d1, flip), computeType };
    }
  }
  for (const { node, inputIndex } of list) {
    if (node.domain === '' && node.opType === 'Gather' && inputIndex === 0 && !transposed && attrInt(node, 'axis', 0) === 0) {
      return { kind: 'gather', consumer: node, chain, layout: { rows: d0, cols: d1, rowStride: d1, colStride: 1 }, computeType };
    }
  }
  return none;
}

/** Stored [K, N] (MatMul B) unless `transposed` (stored [N, K]). */
function matmulLayout(d0: number, d1: number, transposed: boolean): WeightTrace['layout'] {
  return transposed
    ? { rows: d0, cols: d1, rowStride: d1, colStride: 1 }
    : { rows: d1, cols: d0, rowStride: 1, colStride: d1 };
}

/** Consumers of an initializer after stepping through Cast nodes (for 1-D roles). */
export function usesThroughCasts(name: string, uses: GraphUses, depth = 0): ValueUse[] {
  const out: ValueUse[] = [];
  for (const use of uses.consumers.get(name) ?? []) {
    if (isCastToFloat(use.node) && depth < 4) out.push(...usesThroughCasts(use.node.outputs[0], uses, depth + 1));
    else out.push(use);
  }
  return out;
}
