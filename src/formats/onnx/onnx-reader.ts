// Lazy ONNX reader (DESIGN decision 2, docs/FORMATS.md §1): walks ModelProto and GraphProto
// through a buffered cursor, keeps nodes, inputs and outputs in memory, and records for every
// initializer where its bytes are (raw_data, external file, typed fields) without reading them.
// Byte ranges of every top-level and graph field record are kept so a writer can copy them.
import type { ByteSource } from '../../core/byte-source';
import { type Dtype, decodeFloats } from '../../core/dtypes';
import { FormatError, UsageError } from '../../core/errors';
import { F, type OnnxGraph, type OnnxModel, type OnnxTensor, type ProtoRecord } from './onnx-model';
import { applyTensorField, decodeEntry, decodeNode, decodeOpset, decodeValueInfo, emptyTensorParts, forEachField } from './onnx-messages';
import { describeNonOnnx, isModelProtoStart } from './onnx-sniff';
import { finishTensor } from './onnx-tensor-data';
import { ProtoCursor } from './protobuf-cursor';
import { ProtoReader, type Tag, WireType } from './protobuf-reader';

interface Ctx {
  cursor: ProtoCursor;
  model: ByteSource;
  dataFiles: ByteSource[];
}

function pickModelFile(files: ByteSource[]): ByteSource {
  if (files.length === 0) throw new UsageError('no files given: pass the .onnx file (and its external data files)');
  return files.find((f) => /\.onnx$/i.test(f.name)) ?? files[0];
}

/** Reads the next LEN payload as an in-memory reader with absolute offsets. */
async function readPayload(ctx: Ctx, end: number): Promise<ProtoReader> {
  const len = await ctx.cursor.readLength(end);
  const at = ctx.cursor.pos;
  const bytes = await ctx.cursor.readBytes(len, end);
  return new ProtoReader(bytes, at, ctx.model.name);
}

/** TensorProto inside a message already in memory (e.g. a Constant node's attribute). */
function decodeTensorSync(ctx: Ctx, r: ProtoReader): OnnxTensor {
  const at = r.offset;
  const p = emptyTensorParts();
  forEachField(r, (tag, start) => {
    applyTensorField(p, tag, r);
    p.fields.push({ field: tag.field, wireType: tag.wireType, start, end: r.offset });
  });
  return finishTensor(p, ctx.model, ctx.dataFiles, at);
}

/** TensorProto read through the cursor: raw_data and packed float_data are stepped over. */
async function decodeTensorAsync(ctx: Ctx, end: number): Promise<OnnxTensor> {
  const { cursor: c } = ctx;
  const at = c.pos;
  const p = emptyTensorParts();
  const T = F.tensor;
  while (c.pos < end) {
    const start = c.pos;
    const tag = await c.readTag(end);
    const bigField = tag.field === T.rawData || (tag.field === T.floatData && !p.floatRange && !p.typed.has(T.floatData));
    if (tag.wireType === WireType.LEN && bigField) {
      const byteLength = await c.readLength(end);
      const range = { byteOffset: c.pos, byteLength };
      if (tag.field === T.rawData) p.raw = range;
      else if (byteLength % 4 !== 0) throw new FormatError(`float_data of ${byteLength} bytes is not whole floats`, c.pos, ctx.model.name);
      else p.floatRange = range;
      c.skipBytes(byteLength, end);
    } else {
      await c.skip(tag.wireType, end);
      const r = new ProtoReader(await c.slice(start, c.pos), start, ctx.model.name);
      applyTensorField(p, r.readTag(), r);
    }
    p.fields.push({ field: tag.field, wireType: tag.wireType, start, end: c.pos });
  }
  return finishTensor(p, ctx.model, ctx.dataFiles, at);
}

function expectWire(tag: Tag, wireType: number, what: string, at: number, file: string): void {
  if (tag.wireType !== wireType) {
    throw new FormatError(`${what} (field ${tag.field}) has wire type ${tag.wireType}, expected ${wireType}`, at, file);
  }
}

async function parseGraph(ctx: Ctx, end: number): Promise<OnnxGraph> {
  const { cursor: c } = ctx;
  const file = ctx.model.name;
  const g: OnnxGraph = { name: '', nodes: [], inputs: [], outputs: [], initializers: [], records: [] };
  const G = F.graph;
  const tensorOf = (r: ProtoReader) => decodeTensorSync(ctx, r);
  while (c.pos < end) {
    const start = c.pos;
    const tag = await c.readTag(end);
    const record = (): ProtoRecord => ({ field: tag.field, wireType: tag.wireType, start, end: c.pos });
    const known = [G.node, G.name, G.initializer, G.input, G.output] as number[];
    if (known.includes(tag.field)) expectWire(tag, WireType.LEN, 'graph field', start, file);
    switch (tag.field) {
      case G.node: {
        const r = await readPayload(ctx, end);
        const rec = record();
        g.nodes.push(decodeNode(r, g.nodes.length, rec, tensorOf));
        g.records.push(rec);
        continue;
      }
      case G.name:
        g.name = (await readPayload(ctx, end)).restString();
        break;
      case G.initializer: {
        const len = await c.readLength(end);
        const t = await decodeTensorAsync(ctx, c.pos + len);
        t.record = record();
        g.initializers.push(t);
        g.records.push(t.record);
        continue;
      }
      case G.input:
      case G.output: {
        const r = await readPayload(ctx, end);
        (tag.field === G.input ? g.inputs : g.outputs).push(decodeValueInfo(r, record()));
        break;
      }
      default:
        await c.skip(tag.wireType, end);
    }
    g.records.push(record());
  }
  return g;
}

/**
 * Opens an ONNX model lazily. The `.onnx` file among `files` is the model; the others are
 * candidate external-data files, matched by the base name of each tensor's `location`.
 * Throws FormatError (not ONNX, truncated, corrupt) or MissingFileError (external data absent).
 */
export async function openOnnx(files: ByteSource[]): Promise<OnnxModel> {
  const model = pickModelFile(files);
  const dataFiles = files.filter((f) => f !== model);
  const file = model.name;
  if (model.byteLength === 0) throw new FormatError('not an ONNX model: the file is empty', 0, file);
  const head = await model.read(0, Math.min(64, model.byteLength));
  if (!isModelProtoStart(head)) throw new FormatError(`not an ONNX model: ${describeNonOnnx(head)}`, 0, file);

  const ctx: Ctx = { cursor: new ProtoCursor(model), model, dataFiles };
  const c = ctx.cursor;
  const end = model.byteLength;
  const M = F.model;
  const records: ProtoRecord[] = [];
  const opsetImports: OnnxModel['opsetImports'] = [];
  const metadata: Record<string, string> = {};
  let irVersion = 0;
  let producerName = '';
  let graph: OnnxGraph | undefined;
  try {
  while (c.pos < end) {
    const start = c.pos;
    const tag = await c.readTag(end);
    const lenFields = [M.producerName, M.producerVersion, M.domain, M.docString, M.graph, M.opsetImport, M.metadataProps] as number[];
    if (lenFields.includes(tag.field)) expectWire(tag, WireType.LEN, 'not an ONNX model: ModelProto field', start, file);
    if (tag.field === M.irVersion || tag.field === M.modelVersion) expectWire(tag, WireType.VARINT, 'not an ONNX model: ModelProto field', start, file);
    switch (tag.field) {
      case M.irVersion: irVersion = await c.readInt(end); break;
      case M.producerName: producerName = (await readPayload(ctx, end)).restString(); break;
      case M.graph: {
        const len = await c.readLength(end);
        graph = await parseGraph(ctx, c.pos + len);
        break;
      }
      case M.opsetImport: opsetImports.push(decodeOpset(await readPayload(ctx, end))); break;
      case M.metadataProps: {
        const e = decodeEntry(await readPayload(ctx, end));
        metadata[e.key] = e.value;
        break;
      }
      default: await c.skip(tag.wireType, end);
    }
    records.push({ field: tag.field, wireType: tag.wireType, start, end: c.pos });
  }
  } catch (e) {
    // Before anything ONNX-like was seen, a parse failure means "this is some other file".
    if (e instanceof FormatError && irVersion === 0 && !graph) {
      throw new FormatError(`not an ONNX model: ${describeNonOnnx(head)}`, e.byteOffset, file);
    }
    throw e;
  }
  if (!graph) {
    const why = irVersion === 0 ? describeNonOnnx(head) : 'it has no graph';
    throw new FormatError(`not an ONNX model: ${why}`, end, file);
  }
  const initializerByName = new Map(graph.initializers.map((t) => [t.name, t]));
  return { file: model, files: [model, ...dataFiles], irVersion, producerName, opsetImports, metadata, graph, records, initializerByName };
}

/** The raw little-endian bytes of a tensor (read on demand). */
export function readTensorBytes(tensor: OnnxTensor): Promise<Uint8Array> {
  return tensor.data.source.read(tensor.data.byteOffset, tensor.data.byteLength);
}

export function getInitializer(model: OnnxModel, name: string): OnnxTensor {
  const t = model.initializerByName.get(name);
  if (!t) throw new UsageError(`the model has no initializer named "${name}"`);
  return t;
}

/** Reads one initializer's raw bytes on demand. */
export function readInitializer(model: OnnxModel, name: string): Promise<Uint8Array> {
  return readTensorBytes(getInitializer(model, name));
}

/** Reads a float initializer (f32/f16/bf16) as float32 values in storage order. */
export async function readInitializerFloats(model: OnnxModel, name: string): Promise<Float32Array<ArrayBuffer>> {
  const t = getInitializer(model, name);
  return decodeFloats(await readTensorBytes(t), t.dtype as Dtype);
}
