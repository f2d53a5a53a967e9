// File access for the CLI: a model path (file or folder) becomes ByteSources the readers can
// slice lazily (fs.openAsBlob), and outputs stream to a `.partial` file renamed on success.
//
// Symbolic links among a model's siblings: the studio reads every file beside the model (external
// data, shards, tokenizer), so a link there could pull any file the user can read into the output
// (`model.onnx_data -> ~/.ssh/id_rsa`). A sibling link is followed only when it stays inside the
// model's folder, or — the Hugging Face cache's layout, snapshots/<rev>/x -> ../../blobs/<sha> —
// into the blobs folder of the same cached repo; other links are skipped with a note on stderr.
// The model path itself is taken as given, link or not: the person named it.
import { openAsBlob } from 'node:fs';
import { lstat, open, readdir, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { ByteSink } from '../core/byte-sink';
import { blobSource, type ByteSource } from '../core/byte-source';
import { MissingFileError } from '../core/errors';

async function sourceOf(path: string): Promise<ByteSource> {
  return blobSource(await openAsBlob(path), basename(path));
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isFile() ?? false;
}

/** Where a symbolic link points when that leaves `folder` (and is not the Hugging Face cache's blobs); undefined otherwise. */
export async function linkLeavingFolder(path: string, folder: string): Promise<string | undefined> {
  if (!(await lstat(path)).isSymbolicLink()) return undefined;
  const [target, home] = await Promise.all([realpath(path), realpath(folder)]);
  const within = (dir: string) => target.startsWith(dir + sep);
  if (within(home)) return undefined;
  const cachedRepo = basename(dirname(home)) === 'snapshots' ? dirname(dirname(home)) : undefined;
  if (cachedRepo && within(join(cachedRepo, 'blobs'))) return undefined;
  return target;
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
  for (const n of names) {
    const path = join(folder, n);
    if (path === full || !(await isFile(path))) continue;
    const outside = await linkLeavingFolder(path, folder);
    if (outside) process.stderr.write(`studio: skipped ${path}: a link to ${outside}, outside the model's folder\n`);
    else siblings.push(path);
  }
  const ordered = info.isDirectory() ? siblings : [full, ...siblings.filter((p) => p !== full)];
  for (const name of ['tokenizer.json', 'config.json']) {
    if (ordered.some((p) => basename(p) === name)) continue;
    const fromParent = join(dirname(folder), name);
    if ((await isFile(fromParent)) && !(await linkLeavingFolder(fromParent, dirname(folder)))) ordered.push(fromParent);
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
