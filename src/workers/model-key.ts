// Identity of an opened model for finding its saved sweep after a reload: file name, size and
// a SHA-256 of the first 64 KiB (the header: graph or metadata), cheap even for large files.
import type { ByteSource } from '../core/byte-source';

const HEADER_BYTES = 64 * 1024;

export async function modelKey(file: ByteSource): Promise<string> {
  const head = await file.read(0, Math.min(HEADER_BYTES, file.byteLength));
  const digest = await crypto.subtle.digest('SHA-256', head.slice());
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${file.name}|${file.byteLength}|${hex.slice(0, 32)}`;
}
