// ModelIndex of an ONNX graph: a role per initializer (MatMul/Gemm B → matmul-weight, Gather
// table → embedding, 1-D scale of a norm → norm, 1-D addend after a MatMul → bias), the
// logical [out, in] layout, a readable layer name and an architecture guess. Reads no weights.
import { isFloatDtype, numelOf } from '../core/dtypes';
import { type GraphUses, graphUses, traceWeight, usesThroughCasts } from '../formats/onnx/onnx-graph';
import type { OnnxModel, OnnxNode, OnnxTensor } from '../formats/onnx/onnx-model';
import { guessArchitecture } from './architecture';
import { layerFromTensorName, nodeModulePath, stripSharedRoot } from './layer-names';
import { type ModelIndex, type TensorInfo, type TensorRole, type WeightLayout, summarizeTensors } from '../core/model-index';

const NORM_OPS = new Set([
  'SimplifiedLayerNormalization', 'SkipSimplifiedLayerNormalization', 'LayerNormalization',
  'SkipLayerNormalization', 'RMSNormalization', 'GroupNormalization', 'BatchNormalization',
]);

interface Classified {
  role: TensorRole;
  layout?: WeightLayout;
  /** The node whose name gives the layer name. */
  consumer?: OnnxNode;
}

function isMatmulOutput(value: string, uses: GraphUses): boolean {
  const p = uses.producer.get(value);
  return !!p && (p.opType === 'MatMul' || p.opType === 'Gemm' || p.opType === 'MatMulNBits');
}

function classify(t: OnnxTensor, uses: GraphUses): Classified {
  const trace = traceWeight(t, uses);
  if (trace.kind === 'matmul' || trace.kind === 'gemm') return { role: 'matmul-weight', layout: trace.layout, consumer: trace.consumer };
  if (trace.kind === 'gather') return { role: 'embedding', layout: trace.layout, consumer: trace.consumer };
  const list = usesThroughCasts(t.name, uses);
  if (t.dims.length === 1 && isFloatDtype(t.dtype)) {
    for (const { node, inputIndex } of list) {
      if (NORM_OPS.has(node.opType) && inputIndex >= 1) return { role: 'norm', consumer: node };
      if (node.opType === 'Mul' && /norm/i.test(`${t.name} ${node.name}`)) return { role: 'norm', consumer: node };
      if (node.opType === 'Gemm' && inputIndex === 2) return { role: 'bias', consumer: node };
      if (node.opType === 'Add' && node.inputs.some((other, i) => i !== inputIndex && isMatmulOutput(other, uses))) {
        return { role: 'bias', consumer: node };
      }
    }
  }
  return { role: 'other', consumer: list[0]?.node };
}

/** Builds the format-neutral index of an opened ONNX model. */
export function indexOnnx(model: OnnxModel): ModelIndex {
  const { graph } = model;
  const uses = graphUses(graph);
  const classified = graph.initializers.map((t) => classify(t, uses));
  // Layer names: module paths of the consuming nodes, with a redundant shared root removed.
  const pathOf = classified.map((c) => (c.role !== 'other' && c.consumer ? nodeModulePath(c.consumer.name) : undefined));
  const withPath = pathOf.filter((p): p is string[] => !!p);
  const stripped = stripSharedRoot(withPath);
  let k = 0;
  const layers = pathOf.map((p, i) => (p ? stripped[k++].join('.') : layerFromTensorName(graph.initializers[i].name)));

  const tensors: TensorInfo[] = graph.initializers.map((t, i) => {
    const numel = numelOf(t.dims);
    const info: TensorInfo = {
      name: t.name,
      layer: layers[i],
      role: classified[i].role,
      dtype: t.dtype,
      shape: [...t.dims],
      numel,
      byteLength: t.data.byteLength,
    };
    if (classified[i].layout) info.layout = classified[i].layout;
    return info;
  });
  const externalFiles = new Set(graph.initializers.filter((t) => t.storage === 'external').map((t) => t.data.source));
  const fileBytes = model.file.byteLength + [...externalFiles].reduce((n, f) => n + f.byteLength, 0);
  const opTypes = new Set(graph.nodes.map((n) => n.opType));
  const architecture = guessArchitecture({ layers: tensors.filter((t) => t.role !== 'other').map((t) => t.layer), opTypes });
  return {
    format: 'onnx',
    fileName: model.file.name,
    fileBytes,
    architecture,
    tensors,
    ...summarizeTensors(tensors),
  };
}
