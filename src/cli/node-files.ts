// File access for the CLI: a model path (file or folder) becomes ByteSources the readers can
// read by byte range, and outputs stream to a `.partial` file renamed on success.
//
// Reads go through a file handle at an explicit position, not fs.openAsBlob: Node 20's file Blob
// reports sizes modulo 4 GiB (nodejs/node#52585), so a 4.9 GB shard or a 6 GB external data file
// looked truncated. The size comes from stat, exact to 2^53.
//
// Symbolic links among a model's siblings: the studio reads every file beside the model (external
// data, shards, tokenizer), so a link there could pull any file the user can read into the output
// (`model.onnx_data -> ~/.ssh/id_rsa`). A sibling link is followed only when it stays inside the
// model's folder, or — the Hugging Face cache's layout, snapshots/<rev>/x -> ../../blobs/<sha> —
// into the blobs folder of the same cached repo; other links are skipped with a note on stderr.
// The model path itself is taken as given, link or not: the person named it.
import { lstat, open, readdir, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { ByteSink } from '../core/byte-sink';
import { checkedRange, type ByteSource } from '../core/byte-source';
import { FormatError, MissingFileError } from '../core/errors';

/**
 * The file at `path` as a ByteSource named `name` (its base name unless given). Each read opens
 * the file, reads the range and closes it: no descriptor outlives a read, however many models a
 * process opens, and the cost (a few microseconds) is nothing beside the megabytes a read moves.
 */
export async function fileSource(path: string, name = basename(path)): Promise<ByteSource> {
  const { size } = await stat(path);
  return {
    name,
    byteLength: size,
    async read(byteOffset, byteLength) {
      checkedRange(name, size, byteOffset, byteLength);
      const bytes = new Uint8Array(byteLength);
      const handle = await open(path, 'r');
      try {
        for (let done = 0; done < byteLength; ) {
          const { bytesRead } = await handle.read(bytes, done, byteLength - done, byteOffset + done);
          if (bytesRead === 0) throw new FormatError(`file shrank while it was read: it ends at ${byteOffset + done}, not ${size}`, byteOffset + done, name);
          done += bytesRead;
        }
      } finally {
        await handle.close();
      }
      return bytes;
    },
  };
}

const sourceOf = (path: string) => fileSource(path);

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
