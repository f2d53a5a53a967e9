// How small a written file gets once compressed (gzip, level as CompressionStream picks it):
// pruned zeros do not shrink a dense file, but they compress — the studio reports both sizes.
// A sink wrapper that passes every chunk on and counts the gzip stream of the same bytes.
import type { ByteSink } from '../../core/byte-sink';

export interface GzipMeasuredSink extends ByteSink {
  /** Bytes of the gzip stream of everything written (resolves after close). */
  gzipBytes(): Promise<number>;
}

export function gzipMeasured(inner: ByteSink): GzipMeasuredSink {
  const stream = new CompressionStream('gzip');
  const writer = stream.writable.getWriter();
  const counted = (async () => {
    let n = 0;
    const reader = stream.readable.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return n;
      n += value.byteLength;
    }
  })();
  return {
    async write(chunk) {
      await inner.write(chunk);
      await writer.write(chunk.slice());
    },
    async close() {
      await inner.close();
      await writer.close();
    },
    get bytesWritten() {
      return inner.bytesWritten;
    },
    gzipBytes: () => counted,
  };
}
