// Assembles an output ModelProto from the source file's records plus a rewrite plan, as a chunk
// list whose length is known before streaming (DESIGN decisions 2 and 8). Unchanged records are
// byte ranges of the source, copied verbatim; replaced ones are re-encoded in memory.
import type { ByteSink } from '../../core/byte-sink';
import { UnsupportedModelError } from '../../core/errors';
import { F, type OnnxModel, type ProtoRecord } from './onnx-model';
import type { ExternalDataPlacer } from './onnx-external-data';
import { decodeEntry } from './onnx-messages';
import { ProtoReader } from './protobuf-reader';
import { type Chunk, ChunkList, RecordWriter } from './protobuf-writer';

export interface GraphRewrite {
  /** Node index → replacement NodeProto payloads (an empty list drops the node). */
  nodes: Map<number, Uint8Array[]>;
  /** Initializer name → replacement TensorProto payload, or null to drop it. */
  initializers: Map<string, ChunkList | null>;
  /** TensorProto payloads appended after the existing initializers. */
  newInitializers: ChunkList[];
  /** ValueInfoProto payloads appended after the existing graph inputs. */
  newInputs: Uint8Array[];
  /** ValueInfoProto payloads appended after the existing graph outputs. */
  newOutputs: Uint8Array[];
  /** Opsets the output must import (added when the domain is missing). */
  opsets: { domain: string; version: number }[];
  /** metadata_props entries to set (existing keys are replaced in place). */
  metadata: Record<string, string>;
}

export function emptyRewrite(): GraphRewrite {
  return { nodes: new Map(), initializers: new Map(), newInitializers: [], newInputs: [], newOutputs: [], opsets: [], metadata: {} };
}

/** Largest protobuf message onnxruntime/onnx can parse (onnx.checker.MAXIMUM_PROTOBUF). */
export const MAX_PROTOBUF_BYTES = 2 ** 31 - 1;

/** Index of the record after which records of `field` go: after the last of that field, else after the last lower field. */
function insertionIndex(records: ProtoRecord[], field: number): number {
  let lastSame = -1;
  let lastLower = -1;
  records.forEach((r, i) => {
    if (r.field === field) lastSame = i;
    else if (r.field < field) lastLower = i;
  });
  return lastSame >= 0 ? lastSame : lastLower;
}

function emitWithInsertions(
  records: ProtoRecord[],
  insertions: { field: number; chunks: ChunkList }[],
  emit: (r: ProtoRecord, i: number) => void,
  out: ChunkList,
): void {
  const at = insertions.map((ins) => ({ ...ins, index: insertionIndex(records, ins.field) }));
  for (const ins of at) if (ins.index < 0) out.pushAll(ins.chunks);
  records.forEach((r, i) => {
    emit(r, i);
    for (const ins of at) if (ins.index === i) out.pushAll(ins.chunks);
  });
}

/** What a TensorProto payload becomes on its way into the file (external data moves its bytes out). */
type PlaceTensor = (payload: ChunkList) => ChunkList;

function graphBody(model: OnnxModel, plan: GraphRewrite, place: PlaceTensor): ChunkList {
  const src = model.file;
  const { graph } = model;
  const nodeAt = new Map(graph.nodes.map((n) => [n.record.start, n]));
  const tensorAt = new Map(graph.initializers.filter((t) => t.record).map((t) => [t.record!.start, t]));
  const body = new ChunkList();
  const newInits = new ChunkList();
  for (const t of plan.newInitializers) newInits.pushLenRecord(F.graph.initializer, place(t));
  const newInputs = new ChunkList();
  for (const v of plan.newInputs) newInputs.pushLenRecord(F.graph.input, v);
  const newOutputs = new ChunkList();
  for (const v of plan.newOutputs) newOutputs.pushLenRecord(F.graph.output, v);
  const copy = (r: ProtoRecord) => body.push({ source: src, byteOffset: r.start, byteLength: r.end - r.start });
  emitWithInsertions(
    graph.records,
    [{ field: F.graph.initializer, chunks: newInits }, { field: F.graph.input, chunks: newInputs }, { field: F.graph.output, chunks: newOutputs }],
    (r) => {
      const node = r.field === F.graph.node ? nodeAt.get(r.start) : undefined;
      const tensor = r.field === F.graph.initializer ? tensorAt.get(r.start) : undefined;
      if (node && plan.nodes.has(node.index)) {
        for (const payload of plan.nodes.get(node.index)!) body.pushLenRecord(F.graph.node, payload);
      } else if (tensor && plan.initializers.has(tensor.name)) {
        const replacement = plan.initializers.get(tensor.name);
        if (replacement) body.pushLenRecord(F.graph.initializer, place(replacement));
      } else {
        copy(r);
      }
    },
    body,
  );
  return body;
}

/**
 * The whole .onnx file as chunks; throws UnsupportedModelError past the 2 GiB protobuf limit.
 * With `placer`, tensors it takes go to its external data files (the plan must have re-encoded
 * them: see planOnnxEdit's `externalMinBytes`).
 */
export async function assembleModel(model: OnnxModel, plan: GraphRewrite, placer?: ExternalDataPlacer): Promise<ChunkList> {
  const out = await assembleChunks(model, plan, placer);
  if (out.byteLength > MAX_PROTOBUF_BYTES) {
    throw new UnsupportedModelError(
      `the exported ONNX file would be ${out.byteLength} bytes, over the 2 GiB limit of a single ONNX file; ` +
        (placer ? 'even with its tensors in external data files, its graph alone is too large' : 'its tensors belong in external data files'),
      { bytes: out.byteLength },
    );
  }
  return out;
}

/** assembleModel without the size check (to learn whether the file needs external data). */
export async function assembleChunks(model: OnnxModel, plan: GraphRewrite, placer?: ExternalDataPlacer): Promise<ChunkList> {
  const src = model.file;
  const out = new ChunkList();
  const missingOpsets = plan.opsets.filter((o) => !model.opsetImports.some((m) => m.domain === o.domain));
  const opsets = new ChunkList();
  for (const o of missingOpsets) {
    opsets.pushLenRecord(F.model.opsetImport, new RecordWriter().string(F.opset.domain, o.domain).int(F.opset.version, o.version).finish());
  }
  // Metadata: replace entries whose key is set, append the others.
  const pending = new Map(Object.entries(plan.metadata));
  const metaRecords = new Map<number, string>();
  for (const r of model.records.filter((r) => r.field === F.model.metadataProps)) {
    const bytes = await src.read(r.start, r.end - r.start);
    const reader = new ProtoReader(bytes, r.start, src.name);
    reader.readTag();
    metaRecords.set(r.start, decodeEntry(reader.readMessage()).key);
  }
  const entry = (k: string, v: string) => new RecordWriter().string(F.entry.key, k).string(F.entry.value, v).finish();
  const newMeta = new ChunkList();
  for (const [k, v] of pending) if (![...metaRecords.values()].includes(k)) newMeta.pushLenRecord(F.model.metadataProps, entry(k, v));

  emitWithInsertions(
    model.records,
    [{ field: F.model.opsetImport, chunks: opsets }, { field: F.model.metadataProps, chunks: newMeta }],
    (r) => {
      const key = metaRecords.get(r.start);
      if (r.field === F.model.graph) out.pushLenRecord(F.model.graph, graphBody(model, plan, placer ? (p) => placer.place(p) : (p) => p));
      else if (key !== undefined && pending.has(key)) out.pushLenRecord(F.model.metadataProps, entry(key, pending.get(key)!));
      else out.push({ source: src, byteOffset: r.start, byteLength: r.end - r.start });
    },
    out,
  );
  return out;
}

const COPY_CHUNK_BYTES = 16 << 20;
const COALESCE_BYTES = 1 << 20;

/** Streams chunks to a sink: small pieces coalesced into ≤1 MiB writes, file ranges copied in ≤16 MiB reads. */
export async function streamChunks(list: ChunkList, sink: ByteSink): Promise<number> {
  let buffer = new Uint8Array(COALESCE_BYTES);
  let used = 0;
  let written = 0;
  const flush = async () => {
    if (used === 0) return;
    await sink.write(buffer.subarray(0, used));
    written += used;
    buffer = new Uint8Array(COALESCE_BYTES);
    used = 0;
  };
  const put = async (bytes: Uint8Array) => {
    if (bytes.byteLength > COALESCE_BYTES - used) await flush();
    if (bytes.byteLength >= COALESCE_BYTES) {
      for (let at = 0; at < bytes.byteLength; at += COPY_CHUNK_BYTES) {
        const part = bytes.subarray(at, Math.min(bytes.byteLength, at + COPY_CHUNK_BYTES));
        await sink.write(part);
        written += part.byteLength;
      }
      return;
    }
    buffer.set(bytes, used);
    used += bytes.byteLength;
  };
  for (const c of list.chunks as Chunk[]) {
    if (c instanceof Uint8Array) {
      await put(c);
      continue;
    }
    for (let at = 0; at < c.byteLength; at += COPY_CHUNK_BYTES) {
      const n = Math.min(COPY_CHUNK_BYTES, c.byteLength - at);
      await put(await c.source.read(c.byteOffset + at, n));
    }
  }
  await flush();
  return written;
}
