// Identity of an opened model for finding its saved sweep after a reload: a SHA-256 over the
// bytes of every file the model is made of — not its name or size, so two models that differ
// only in their weights (a copy with NaNs in one tensor) never share a sweep. WebCrypto has no
// streaming digest, so the files are read in 8 MiB chunks (memory bounded by one chunk), each
// chunk is digested, and the key is the digest of the chunk digests and file lengths. The worker
// hashes in the background after a model opens (a read of every byte: 42 MB took 0.5 s here,
// so an 8 GB model takes seconds to a minute), and only saved-sweep lookups wait for it.
import type { ByteSource } from '../core/byte-source';

const CHUNK_BYTES = 8 * 1024 * 1024;
const LEGACY_HEADER_BYTES = 64 * 1024;

const hex = (bytes: ArrayBuffer, chars: number) =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('').slice(0, chars);

export async function modelKey(files: readonly ByteSource[]): Promise<string> {
  const parts: ArrayBuffer[] = [];
  for (const file of files) {
    parts.push(new Float64Array([file.byteLength]).buffer);
    for (let at = 0; at < file.byteLength; at += CHUNK_BYTES) {
      const chunk = await file.read(at, Math.min(CHUNK_BYTES, file.byteLength - at));
      parts.push(await crypto.subtle.digest('SHA-256', chunk.slice()));
    }
  }
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    joined.set(new Uint8Array(p), offset);
    offset += p.byteLength;
  }
  return `sha256:${hex(await crypto.subtle.digest('SHA-256', joined), 64)}`;
}

/**
 * The key sweeps were saved under before content keys (name, size, hash of the first 64 KiB):
 * looked up once so those sweeps move to the content key instead of being lost.
 */
export async function legacyModelKey(file: ByteSource): Promise<string> {
  const head = await file.read(0, Math.min(LEGACY_HEADER_BYTES, file.byteLength));
  return `${file.name}|${file.byteLength}|${hex(await crypto.subtle.digest('SHA-256', head.slice()), 32)}`;
}
