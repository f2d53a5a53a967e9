// Test helper: writes a small GGUF into memory with the real writer.
import { blobSink, concatChunks } from '../../../core/byte-sink';
import { writeGguf, type GgufTensorToWrite } from '../gguf-writer';
import type { GgufMetadata } from '../gguf-value';

export async function buildGguf(metadata: GgufMetadata, tensors: GgufTensorToWrite[]): Promise<Uint8Array> {
  const sink = blobSink();
  await writeGguf(sink, metadata, tensors);
  return concatChunks(sink.chunks);
}
