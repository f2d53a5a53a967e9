// Test helpers that derive ONNX variants of a fixture with the writer's own machinery:
// external data (model.onnx + model.onnx_data, as onnx's save_model does for tensors ≥ 1 KiB)
// and a float16-weight copy (weights stored f16, a Cast to float before each consumer).
import { blobSink, concatChunks } from '../../../core/byte-sink';
import { type ByteSource, bytesSource } from '../../../core/byte-source';
import { f32ArrayToF16 } from '../../../core/float16';
import { encodeNode, reencodeTensor } from '../onnx-encode';
import { graphUses, traceWeight } from '../onnx-graph';
import { F, type OnnxModel, OnnxDataType } from '../onnx-model';
import { readInitializerFloats } from '../onnx-reader';
import { assembleModel, emptyRewrite, streamChunks } from '../onnx-rewrite';
import { ChunkList, RecordWriter } from '../protobuf-writer';

async function toBytes(list: ChunkList): Promise<Uint8Array> {
  const sink = blobSink();
  await streamChunks(list, sink);
  return concatChunks(sink.chunks);
}

const DATA_FIELDS = new Set<number>([4, 5, 6, 7, 9, 10, 11, 13, 14]);

/**
 * Moves initializers of ≥ `threshold` bytes into `dataName`, 64-byte aligned. Returns both files;
 * with `baseOffset` the offsets start there and `data` holds the bytes from that offset on (a test
 * writes them past a hole, for a data file of any size that takes no disk).
 */
export async function externalize(model: OnnxModel, dataName = 'model.onnx_data', threshold = 1024, baseOffset = 0): Promise<{ model: ByteSource; data: ByteSource }> {
  const plan = emptyRewrite();
  const data = new ChunkList();
  for (const t of model.graph.initializers) {
    if (t.data.byteLength < threshold) continue;
    const pad = (64 - (data.byteLength % 64)) % 64;
    if (pad) data.push(new Uint8Array(pad));
    const offset = baseOffset + data.byteLength;
    data.push(t.data);
    const body = new ChunkList();
    for (const f of t.fields) {
      if (!DATA_FIELDS.has(f.field)) body.push({ source: model.file, byteOffset: f.start, byteLength: f.end - f.start });
    }
    const entry = (k: string, v: string) => new RecordWriter().string(F.entry.key, k).string(F.entry.value, v);
    const ext = new RecordWriter()
      .message(F.tensor.externalData, entry('location', dataName))
      .message(F.tensor.externalData, entry('offset', String(offset)))
      .message(F.tensor.externalData, entry('length', String(t.data.byteLength)))
      .int(F.tensor.dataLocation, 1);
    body.push(ext.finish());
    plan.initializers.set(t.name, body);
  }
  const onnx = await toBytes(await assembleModel(model, plan));
  return { model: bytesSource(onnx, 'model.onnx'), data: bytesSource(await toBytes(data), dataName) };
}

/**
 * Float16 copy of every MatMul/Gemm weight and Gather table: the initializer becomes
 * `<name>_f16` (float16) and a Cast(to=float) named `<name>` feeds the original consumer.
 */
export async function float16Weights(model: OnnxModel): Promise<ByteSource> {
  const plan = emptyRewrite();
  const uses = graphUses(model.graph);
  const casts: Uint8Array[] = [];
  for (const t of model.graph.initializers) {
    if (traceWeight(t, uses).kind === 'none' || t.dataType !== OnnxDataType.FLOAT) continue;
    const half = f32ArrayToF16(await readInitializerFloats(model, t.name));
    const f16Name = `${t.name}_f16`;
    plan.initializers.set(t.name, reencodeTensor(t, model.file, [new Uint8Array(half.buffer)], { dataType: OnnxDataType.FLOAT16, name: f16Name }));
    casts.push(encodeNode({ name: `/cast_f16/${t.name}`, opType: 'Cast', inputs: [f16Name], outputs: [t.name], attributes: { to: OnnxDataType.FLOAT } }));
  }
  const first = model.graph.nodes[0];
  const firstPayload = await model.file.read(first.record.start, first.record.end - first.record.start);
  // The first node's record payload starts after its tag and length; re-read it through the plan as raw bytes.
  const tagAndLen = firstPayload.byteLength - payloadLength(firstPayload);
  plan.nodes.set(first.index, [...casts, firstPayload.subarray(tagAndLen)]);
  return bytesSource(await toBytes(await assembleModel(model, plan)), 'model.onnx');
}

/** Payload length of a LEN record held whole in `record` (tag byte(s) then varint length). */
function payloadLength(record: Uint8Array): number {
  let i = 0;
  while (record[i] & 0x80) i++;
  i++;
  let len = 0;
  let scale = 1;
  for (;;) {
    const b = record[i++];
    len += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 0x80) return len;
  }
}
