// Streaming ONNX writer (DESIGN decisions 2, 4, 8; docs/FORMATS.md §1, §2): an .onnx from an
// opened model plus an edit — self-contained, or past 2 GiB with its tensors in external data
// files beside it (onnx-external-data.ts). Quantized MatMul/Gemm weights become MatMulNBits,
// quantized Gather tables GatherBlockQuantized; replaced weights get new raw bytes; chosen weights
// move to graph inputs; a source's external data is inlined (or moved to the output's own data
// files); everything else is copied byte for byte.
import type { ByteSink } from '../../core/byte-sink';
import type { ByteSource } from '../../core/byte-source';
import { ShapeError, UnsupportedModelError, UsageError } from '../../core/errors';
import type { IntGroupTensor } from '../../core/compressed-tensor';
import type { WeightLayout } from '../../core/model-index';
import { encodeNode, encodeValueInfo, reencodeTensor } from './onnx-encode';
import { type GraphUses, graphUses, traceWeight } from './onnx-graph';
import type { OnnxModel, OnnxNode, OnnxTensor } from './onnx-model';
import { EXTERNAL_MIN_TENSOR_BYTES, type ExternalDataFile, ExternalDataPlacer } from './onnx-external-data';
import { type GraphRewrite, MAX_PROTOBUF_BYTES, assembleChunks, assembleModel, emptyRewrite, streamChunks } from './onnx-rewrite';
import type { ChunkList } from './protobuf-writer';
import { MS_DOMAIN, type PendingQuantized, type QuantizedNames, gatherBlockQuantized, matmulNBits } from './quantized-nodes';

export interface OnnxEdit {
  /**
   * Initializer name → quantized weight (logical [out, in] as the index's layout says): the
   * tensor itself, or its geometry with a `load` the writer calls when it streams that weight.
   */
  quantized?: Map<string, IntGroupTensor | PendingQuantized>;
  /** Initializer name → new raw little-endian bytes of the same dtype and shape (or a `load` the writer calls when it streams them). */
  replaced?: Map<string, Uint8Array | { load(): Promise<Uint8Array> }>;
  /**
   * Initializer name → its new dims, when structured pruning made a weight smaller: its
   * replacement bytes or its quantized form have this shape (same orientation as before).
   */
  resized?: Map<string, number[]>;
  /** Initializers to turn into graph inputs (fast evaluation, DESIGN decision 4). */
  weightsAsInputs?: string[];
  /** metadata_props entries to set. */
  metadata?: Record<string, string>;
  /** Intermediate values to expose as extra graph outputs (calibration reads a matmul's input), with their element type. */
  extraOutputs?: { name: string; elemType: number }[];
}

function uniqueNamer(model: OnnxModel): (base: string) => string {
  const taken = new Set<string>([...model.initializerByName.keys(), ...model.graph.inputs.map((i) => i.name)]);
  for (const n of model.graph.nodes) for (const o of n.outputs) taken.add(o);
  return (base) => {
    let name = base;
    for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
    taken.add(name);
    return name;
  };
}

function tensorOf(model: OnnxModel, name: string, what: string): OnnxTensor {
  const t = model.initializerByName.get(name);
  if (!t) throw new UsageError(`${what}: the model has no initializer named "${name}"`);
  return t;
}

/** True when every reader of `value` is a node in `removed` and it is no graph output. */
function unused(value: string, uses: GraphUses, removed: Set<number>): boolean {
  return !uses.graphOutputs.has(value) && (uses.consumers.get(value) ?? []).every((u) => removed.has(u.node.index));
}

const pending = (q: IntGroupTensor | PendingQuantized): PendingQuantized =>
  'load' in q ? q : { ...q, load: async () => q };

/** The logical [out, in] of a weight given new stored dims in its old orientation. */
function layoutForDims(layout: WeightLayout, dims: number[]): WeightLayout {
  const [a, b] = dims;
  return layout.colStride === 1 ? { rows: a, cols: b, rowStride: b, colStride: 1 } : { rows: b, cols: a, rowStride: 1, colStride: b };
}

function planQuantized(model: OnnxModel, name: string, given: IntGroupTensor | PendingQuantized, uses: GraphUses, plan: GraphRewrite, unique: (b: string) => string, dims?: number[]): void {
  const q = pending(given);
  const t = tensorOf(model, name, 'quantized');
  const trace = traceWeight(t, uses);
  if (trace.kind === 'none' || !trace.layout) {
    throw new UnsupportedModelError(`"${name}" is not used as a MatMul/Gemm weight or a Gather table, so it cannot be exported quantized`);
  }
  const layout = dims ? layoutForDims(trace.layout, dims) : trace.layout;
  const value = trace.chain.length ? trace.chain[trace.chain.length - 1].outputs[0] : name;
  const targets: OnnxNode[] = (uses.consumers.get(value) ?? [])
    .filter((u) => u.node.domain === '' && (trace.kind === 'gather'
      ? u.node.opType === 'Gather' && u.inputIndex === 0
      : (u.node.opType === 'MatMul' || u.node.opType === 'Gemm') && u.inputIndex === 1))
    .map((u) => u.node);
  const base = name.replace(/[^A-Za-z0-9_.:/-]/g, '_');
  const suffix = `Q${q.bits}`;
  const names: QuantizedNames = { codes: unique(`${base}_${suffix}`), scales: unique(`${base}_scales`), zeroPoints: unique(`${base}_zero_points`) };
  targets.forEach((consumer, i) => {
    const build = trace.kind === 'gather' ? gatherBlockQuantized : matmulNBits;
    const r = build(q, consumer, layout, trace.computeType, names, name);
    if (i === 0) plan.newInitializers.push(...r.initializers);
    plan.nodes.set(consumer.index, [encodeNode(r.node)]);
  });
  // Drop the Transpose/Cast steps and the original weight once nothing else reads them.
  const removed = new Set(plan.nodes.keys());
  for (const step of [...trace.chain].reverse()) {
    if (!step.outputs.every((o) => unused(o, uses, removed))) break;
    plan.nodes.set(step.index, []);
    removed.add(step.index);
  }
  if (unused(name, uses, removed)) plan.initializers.set(name, null);
  if (!plan.opsets.some((o) => o.domain === MS_DOMAIN)) plan.opsets.push({ domain: MS_DOMAIN, version: 1 });
}

/** A byte source for replacement bytes made on demand (checked against the tensor's size when they come). */
function pendingBytes(name: string, t: OnnxTensor, dims: number[], load: () => Promise<Uint8Array>): ByteSource {
  let loaded: Promise<Uint8Array> | null = null;
  const byteLength = replacedBytes(t, dims);
  return {
    name,
    byteLength,
    async read(byteOffset, n) {
      loaded ??= load().then((b) => {
        if (b.byteLength !== byteLength) throw new ShapeError(`replacement for "${name}" has ${b.byteLength} bytes, the ${t.dtype} [${dims.join(', ')}] tensor has ${byteLength}`);
        return b;
      });
      const bytes = await loaded;
      if (byteOffset + n >= byteLength) loaded = null;
      return bytes.subarray(byteOffset, byteOffset + n);
    },
  };
}

/** Bytes of a tensor of `t`'s type with `dims`. */
function replacedBytes(t: OnnxTensor, dims: number[]): number {
  const numel = t.dims.reduce((a, b) => a * b, 1);
  return (t.data.byteLength / numel) * dims.reduce((a, b) => a * b, 1);
}

/**
 * Turns an edit into a rewrite plan (validates names, shapes and conflicts). With
 * `externalMinBytes`, every kept tensor of at least that many bytes is re-encoded, so an
 * ExternalDataPlacer can move its bytes out (copied records are never re-read).
 */
export function planOnnxEdit(model: OnnxModel, edit: OnnxEdit, externalMinBytes?: number): GraphRewrite {
  const plan = emptyRewrite();
  const uses = graphUses(model.graph);
  const unique = uniqueNamer(model);
  const file = model.file;
  const claimed = new Map<string, string>();
  const claim = (name: string, how: string) => {
    const prior = claimed.get(name);
    if (prior) throw new UsageError(`initializer "${name}" is both ${prior} and ${how} in one export`);
    claimed.set(name, how);
  };
  for (const t of model.graph.initializers) {
    const movable = externalMinBytes !== undefined && t.data.byteLength >= externalMinBytes;
    if (t.storage === 'external' || movable) plan.initializers.set(t.name, reencodeTensor(t, file, [t.data]));
  }
  for (const [name, bytes] of edit.replaced ?? []) {
    claim(name, 'replaced');
    const t = tensorOf(model, name, 'replaced');
    const dims = edit.resized?.get(name);
    const overrides = dims ? { dims } : {};
    const expected = replacedBytes(t, dims ?? t.dims);
    if (!(bytes instanceof Uint8Array)) {
      plan.initializers.set(name, reencodeTensor(t, file, [{ source: pendingBytes(name, t, dims ?? t.dims, bytes.load), byteOffset: 0, byteLength: expected }], overrides));
      continue;
    }
    if (bytes.byteLength !== expected) {
      throw new ShapeError(`replacement for "${name}" has ${bytes.byteLength} bytes, the ${t.dtype} [${(dims ?? t.dims).join(', ')}] tensor has ${expected}`);
    }
    plan.initializers.set(name, reencodeTensor(t, file, [bytes], overrides));
  }
  for (const name of edit.weightsAsInputs ?? []) {
    claim(name, 'a graph input');
    const t = tensorOf(model, name, 'weightsAsInputs');
    plan.initializers.set(name, null);
    // Symbolic dims: a variant fed here may be narrower (channel pruning) than the stored weight.
    plan.newInputs.push(encodeValueInfo(name, t.dataType, t.dims.map((_, i) => `${name}:${i}`)));
  }
  for (const [name, q] of edit.quantized ?? []) {
    claim(name, 'quantized');
    planQuantized(model, name, q, uses, plan, unique, edit.resized?.get(name));
  }
  const produced = new Set(model.graph.nodes.flatMap((n) => n.outputs));
  for (const o of edit.extraOutputs ?? []) {
    if (!produced.has(o.name) && !model.graph.inputs.some((i) => i.name === o.name)) throw new UsageError(`extraOutputs: the graph has no value named "${o.name}"`);
    if (model.graph.outputs.some((g) => g.name === o.name)) continue;
    plan.newOutputs.push(encodeValueInfo(o.name, o.elemType, null));
  }
  plan.metadata = { ...(edit.metadata ?? {}) };
  return plan;
}

/** Where an export's files go and when its tensors move to external data. */
export interface OnnxFileOptions {
  /** The .onnx file's name: external data files are named after it (model_q4.onnx_data, …). */
  fileName?: string;
  /** Above this the .onnx keeps its tensors in external data files (default: protobuf's 2 GiB limit; tests set it low). */
  maxModelBytes?: number;
  /** Most bytes per external data file (default 2 GiB), a tensor never split. */
  maxDataFileBytes?: number;
}

/** The files of an export: the .onnx and, when it would be too large alone, its external data files. */
export interface OnnxFiles {
  model: ChunkList;
  data: ExternalDataFile[];
  /** All files together. */
  byteLength: number;
}

/**
 * The export as files, sized before any weight is computed (DESIGN decision 8): one
 * self-contained .onnx when it fits `maxModelBytes`, else an .onnx whose tensors live in
 * `<fileName>_data` (and `_data_1`, … past `maxDataFileBytes`) — all but the source's own under
 * 1 KiB (EXTERNAL_MIN_TENSOR_BYTES says why).
 */
export async function assembleOnnxFiles(model: OnnxModel, edit: OnnxEdit, options: OnnxFileOptions = {}): Promise<OnnxFiles> {
  const inline = await assembleChunks(model, planOnnxEdit(model, edit));
  if (inline.byteLength <= Math.min(options.maxModelBytes ?? MAX_PROTOBUF_BYTES, MAX_PROTOBUF_BYTES)) return { model: inline, data: [], byteLength: inline.byteLength };
  const placer = new ExternalDataPlacer({ modelFileName: options.fileName ?? 'model.onnx', maxFileBytes: options.maxDataFileBytes ?? MAX_PROTOBUF_BYTES });
  const onnx = await assembleModel(model, planOnnxEdit(model, edit, EXTERNAL_MIN_TENSOR_BYTES), placer);
  return { model: onnx, data: placer.files, byteLength: onnx.byteLength + placer.files.reduce((n, f) => n + f.chunks.byteLength, 0) };
}

/** Exact size of the export (every file) without writing it (DESIGN decision 8). */
export async function onnxExportBytes(model: OnnxModel, edit: OnnxEdit, options: OnnxFileOptions = {}): Promise<number> {
  return (await assembleOnnxFiles(model, edit, options)).byteLength;
}

/**
 * Streams the edited model into `sink` (closing it) and, when it needs external data, its data
 * files into sinks from `openBeside` (by file name); returns the files and the bytes written.
 */
export async function writeOnnx(
  model: OnnxModel,
  edit: OnnxEdit,
  sink: ByteSink,
  options: OnnxFileOptions & { openBeside?: (fileName: string) => Promise<ByteSink> } = {},
): Promise<{ bytesWritten: number; dataFiles: string[] }> {
  const files = await assembleOnnxFiles(model, edit, options);
  if (files.data.length && !options.openBeside) {
    throw new UnsupportedModelError(
      `this ONNX export is ${files.byteLength} bytes: past protobuf's 2 GiB its tensors go to ${files.data.length} external data file(s) beside the .onnx, and this output takes a single file`,
      { bytes: files.byteLength },
    );
  }
  let bytesWritten = await streamChunks(files.model, sink);
  await sink.close();
  for (const f of files.data) {
    const beside = await options.openBeside!(f.name);
    bytesWritten += await streamChunks(f.chunks, beside);
    await beside.close();
  }
  return { bytesWritten, dataFiles: files.data.map((f) => f.name) };
}
