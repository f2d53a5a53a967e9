// Random-access reads of a file without loading it whole (DESIGN decision 2). A browser File is
// a Blob (blobSource); the CLI reads files by position (cli/node-files.ts fileSource), since
// Node 20's fs.openAsBlob gets sizes over 4 GiB wrong.
import { FormatError } from './errors';

export interface ByteSource {
  /** File name as the user gave it (for messages and for resolving sibling files). */
  readonly name: string;
  readonly byteLength: number;
  /** Reads exactly `byteLength` bytes at `byteOffset`; a range past the end is a FormatError (truncated file). */
  read(byteOffset: number, byteLength: number): Promise<Uint8Array>;
}

/** Throws unless `byteOffset`+`byteLength` lies within a file of `size` bytes (every ByteSource checks with it). */
export function checkedRange(name: string, size: number, byteOffset: number, byteLength: number): void {
  if (!Number.isSafeInteger(byteOffset) || !Number.isSafeInteger(byteLength) || byteOffset < 0 || byteLength < 0) {
    throw new FormatError(`invalid byte range ${byteOffset}+${byteLength}`, byteOffset, name);
  }
  if (byteOffset + byteLength > size) {
    throw new FormatError(
      `file is truncated: needs bytes up to ${byteOffset + byteLength} but has ${size}`,
      Math.min(byteOffset, size),
      name,
    );
  }
}

export function blobSource(blob: Blob, name = (blob as File).name ?? 'blob'): ByteSource {
  return {
    name,
    byteLength: blob.size,
    async read(byteOffset, byteLength) {
      checkedRange(name, blob.size, byteOffset, byteLength);
      return new Uint8Array(await blob.slice(byteOffset, byteOffset + byteLength).arrayBuffer());
    },
  };
}

/** For tests and small generated files. Returns views, not copies. */
export function bytesSource(bytes: Uint8Array, name: string): ByteSource {
  return {
    name,
    byteLength: bytes.byteLength,
    async read(byteOffset, byteLength) {
      checkedRange(name, bytes.byteLength, byteOffset, byteLength);
      return bytes.subarray(byteOffset, byteOffset + byteLength);
    },
  };
}

/** The last path component of a file name ("a/b/model.onnx" → "model.onnx"). */
export function baseName(name: string): string {
  const i = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  return i >= 0 ? name.slice(i + 1) : name;
}
