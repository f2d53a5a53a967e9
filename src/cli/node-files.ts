// File access for the CLI: a model path (file or folder) becomes ByteSources the readers can
// slice lazily (fs.openAsBlob), and outputs stream to a `.partial` file renamed on success.
import { openAsBlob } from 'node:fs';
import { open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ByteSink } from '../core/byte-sink';
import { blobSource, type ByteSource } from '../core/byte-source';
import { MissingFileError } from '../core/errors';

async function sourceOf(path: string): Promise<ByteSource> {
  return blobSource(await openAsBlob(path), basename(path));
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isFile() ?? false;
}

/**
 * The model file first, then the other files of its folder (external data, tokenizer.json,
 * config.json), then tokenizer.json / config.json from the parent folder when the model's folder
 * has none (the fixtures' layout: model/onnx/model.onnx beside model/tokenizer.json).
 */
export async function modelSources(path: string): Promise<ByteSource[]> {
  const full = resolve(path);
  const info = await stat(full).catch(() => null);
  if (!info) throw new MissingFileError(`${path}: no such file or folder`, path);
  const folder = info.isDirectory() ? full : dirname(full);
  const names = (await readdir(folder)).sort();
  const siblings: string[] = [];
  for (const n of names) if (await isFile(join(folder, n))) siblings.push(join(folder, n));
  const ordered = info.isDirectory() ? siblings : [full, ...siblings.filter((p) => p !== full)];
  for (const name of ['tokenizer.json', 'config.json']) {
    if (ordered.some((p) => basename(p) === name)) continue;
    const fromParent = join(dirname(folder), name);
    if (await isFile(fromParent)) ordered.push(fromParent);
  }
  return Promise.all(ordered.map(sourceOf));
}

/** Streams to `${path}.partial`; `close` renames it into place, `abort` removes it. */
export async function fileSink(path: string): Promise<ByteSink & { abort(): Promise<void> }> {
  const partial = `${path}.partial`;
  const handle = await open(partial, 'w').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') throw new MissingFileError(`cannot write ${path}: the folder ${dirname(resolve(path))} does not exist`, dirname(resolve(path)));
    throw e;
  });
  let bytesWritten = 0;
  let closed = false;
  return {
    async write(chunk) {
      let done = 0;
      while (done < chunk.byteLength) {
        const { bytesWritten: n } = await handle.write(chunk, done, chunk.byteLength - done);
        done += n;
      }
      bytesWritten += chunk.byteLength;
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
      await rename(partial, path);
    },
    async abort() {
      if (!closed) {
        closed = true;
        await handle.close();
      }
      await unlink(partial).catch(() => {});
    },
    get bytesWritten() {
      return bytesWritten;
    },
  };
}
