// The page's transformers.js download: one zip holding a folder transformers.js loads as it is —
// onnx/model_<dtype>.onnx (the ONNX result, streamed into the archive uncompressed), config.json,
// generation_config.json, the tokenizer files and the model card (names and card from
// pipeline/exporters/transformers-js-layout.ts, as the CLI's --layout transformers.js). fflate
// writes the archive: a small, well-kept zip library with streaming entries.
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import type { ByteSink } from '../core/byte-sink';

export interface ZipFolder {
  /** A small file, deflated. */
  addText(name: string, text: string): void;
  /** A large file written through a sink, stored as it is (ONNX weights barely deflate). */
  addStream(name: string): ByteSink;
  /** Ends the archive: its bytes as a Blob. */
  finish(): Promise<Blob>;
}

/** An archive whose every entry sits under `root/`. */
export function zipFolder(root: string): ZipFolder {
  const parts: Uint8Array[] = [];
  let failed: Error | null = null;
  let done: () => void = () => {};
  const ended = new Promise<void>((resolve) => (done = resolve));
  const zip = new Zip((error, chunk, final) => {
    if (error) failed = error;
    else parts.push(chunk);
    if (final || error) done();
  });
  return {
    addText(name, text) {
      const entry = new ZipDeflate(`${root}/${name}`, { level: 6 });
      zip.add(entry);
      entry.push(new TextEncoder().encode(text), true);
    },
    addStream(name) {
      const entry = new ZipPassThrough(`${root}/${name}`);
      zip.add(entry);
      let bytesWritten = 0;
      return {
        async write(chunk) {
          entry.push(chunk);
          bytesWritten += chunk.byteLength;
        },
        async close() {
          entry.push(new Uint8Array(0), true);
        },
        get bytesWritten() {
          return bytesWritten;
        },
      };
    },
    async finish() {
      zip.end();
      await ended;
      if (failed) throw failed;
      return new Blob(parts as BlobPart[], { type: 'application/zip' });
    },
  };
}
