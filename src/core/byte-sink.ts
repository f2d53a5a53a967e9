// Where writers stream their output (DESIGN decisions 2 and 8): a file, a download, or a
// counter that only measures the exact size a variant would have.

export interface ByteSink {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
  readonly bytesWritten: number;
}

/** Counts bytes and keeps none: the size of a variant without writing it. */
export function countingSink(): ByteSink {
  let bytesWritten = 0;
  return {
    async write(chunk) {
      bytesWritten += chunk.byteLength;
    },
    async close() {},
    get bytesWritten() {
      return bytesWritten;
    },
  };
}

/**
 * Keeps the chunks as a list (never one big buffer) and hands them out as a Blob: the
 * browser's fallback download path, and tests.
 */
export function blobSink(type = 'application/octet-stream'): ByteSink & { toBlob(): Blob; chunks: Uint8Array[] } {
  const chunks: Uint8Array[] = [];
  let bytesWritten = 0;
  return {
    chunks,
    async write(chunk) {
      // Writers may reuse their buffers; keep a copy of what was handed in.
      chunks.push(chunk.slice());
      bytesWritten += chunk.byteLength;
    },
    async close() {},
    get bytesWritten() {
      return bytesWritten;
    },
    toBlob() {
      return new Blob(chunks as BlobPart[], { type });
    },
  };
}

/** Joins the chunks of a small output (tests only: real outputs stay as streams). */
export function concatChunks(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
