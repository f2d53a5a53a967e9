// Streaming safetensors writer (docs/FORMATS.md §5): JSON header padded with spaces to a multiple
// of 8, then each tensor's bytes, produced on demand in order. Large checkpoints are split into
// shards `model-0000i-of-0000K.safetensors` plus `model.safetensors.index.json`.
import type { ByteSink } from '../../core/byte-sink';
import { UsageError } from '../../core/errors';
import { SAFETENSORS_DTYPE_BITS } from './safetensors-reader';

export interface SafetensorsTensorToWrite {
  name: string;
  /** Stored dtype string: 'F32', 'F16', 'BF16', … */
  dtype: string;
  shape: number[];
  /** Produces exactly the tensor's little-endian bytes; called once, in order. */
  data: () => Uint8Array | Promise<Uint8Array>;
}

/** huggingface_hub's default maximum shard size. */
export const DEFAULT_MAX_SHARD_BYTES = 5_000_000_000;

export function safetensorsTensorBytes(t: Pick<SafetensorsTensorToWrite, 'name' | 'dtype' | 'shape'>): number {
  const bits = SAFETENSORS_DTYPE_BITS[t.dtype];
  if (bits === undefined) throw new UsageError(`tensor "${t.name}": unknown safetensors dtype ${t.dtype}`);
  if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new UsageError(`tensor "${t.name}": invalid shape ${JSON.stringify(t.shape)}`);
  const bitLength = t.shape.reduce((a, b) => a * b, 1) * bits;
  if (bitLength % 8 !== 0) throw new UsageError(`tensor "${t.name}": ${t.dtype} ${JSON.stringify(t.shape)} is not a whole number of bytes`);
  return bitLength / 8;
}

/** The header bytes (JSON, space-padded to a multiple of 8) for tensors stored in the given order. */
export function safetensorsHeader(tensors: Pick<SafetensorsTensorToWrite, 'name' | 'dtype' | 'shape'>[], metadata?: Record<string, string>): Uint8Array {
  // Built entry by entry: a JS object would move integer-like tensor names to the front.
  const entries: string[] = [];
  if (metadata && Object.keys(metadata).length) entries.push(`"__metadata__":${JSON.stringify(metadata)}`);
  const names = new Set<string>();
  let offset = 0;
  for (const t of tensors) {
    if (t.name === '__metadata__' || names.has(t.name)) throw new UsageError(`tensor name "${t.name}" is reserved or listed twice`);
    names.add(t.name);
    const n = safetensorsTensorBytes(t);
    entries.push(`${JSON.stringify(t.name)}:${JSON.stringify({ dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + n] })}`);
    offset += n;
  }
  const json = new TextEncoder().encode(`{${entries.join(',')}}`);
  const padded = new Uint8Array(Math.ceil(json.byteLength / 8) * 8).fill(0x20);
  padded.set(json);
  return padded;
}

/** Streams one .safetensors file to `sink` (and closes it); returns its size in bytes. */
export async function writeSafetensors(sink: ByteSink, tensors: SafetensorsTensorToWrite[], metadata?: Record<string, string>): Promise<number> {
  const header = safetensorsHeader(tensors, metadata);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(header.byteLength), true);
  await sink.write(prefix);
  await sink.write(header);
  let total = 8 + header.byteLength;
  for (const t of tensors) {
    const bytes = await t.data();
    const expected = safetensorsTensorBytes(t);
    if (bytes.byteLength !== expected) throw new UsageError(`tensor "${t.name}" must be ${expected} bytes, got ${bytes.byteLength}`);
    await sink.write(bytes);
    total += bytes.byteLength;
  }
  await sink.close();
  return total;
}

/** Splits tensors, in order, into shards of at most `maxShardBytes` of tensor data (a bigger tensor gets its own). */
export function planSafetensorsShards<T extends Pick<SafetensorsTensorToWrite, 'name' | 'dtype' | 'shape'>>(tensors: T[], maxShardBytes = DEFAULT_MAX_SHARD_BYTES): T[][] {
  const shards: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const t of tensors) {
    const n = safetensorsTensorBytes(t);
    if (current.length && bytes + n > maxShardBytes) {
      shards.push(current);
      current = [];
      bytes = 0;
    }
    current.push(t);
    bytes += n;
  }
  if (current.length || shards.length === 0) shards.push(current);
  return shards;
}

const pad5 = (i: number) => String(i).padStart(5, '0');
const shardName = (i: number, n: number) => `model-${pad5(i + 1)}-of-${pad5(n)}.safetensors`;

function indexJson(shards: Pick<SafetensorsTensorToWrite, 'name' | 'dtype' | 'shape'>[][]): Uint8Array {
  const weightMap: Record<string, string> = {};
  let totalSize = 0;
  shards.forEach((shard, i) => {
    for (const t of shard) {
      weightMap[t.name] = shardName(i, shards.length);
      totalSize += safetensorsTensorBytes(t);
    }
  });
  return new TextEncoder().encode(JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2) + '\n');
}

/** Exact bytes of every file writeShardedSafetensors would write (shards and index), without any tensor data. */
export function shardedSafetensorsBytes(
  tensors: Pick<SafetensorsTensorToWrite, 'name' | 'dtype' | 'shape'>[],
  options: { maxShardBytes?: number; metadata?: Record<string, string> } = {},
): number {
  const shards = planSafetensorsShards(tensors, options.maxShardBytes);
  let bytes = 0;
  for (const shard of shards) bytes += 8 + safetensorsHeader(shard, options.metadata).byteLength + shard.reduce((n, t) => n + safetensorsTensorBytes(t), 0);
  return shards.length === 1 ? bytes : bytes + indexJson(shards).byteLength;
}

/**
 * Writes a checkpoint: one `model.safetensors` when it fits one shard, else shards named like
 * transformers' plus `model.safetensors.index.json`. `openSink` gives a sink per file name.
 * Returns the file names written, index last.
 */
export async function writeShardedSafetensors(
  openSink: (fileName: string) => ByteSink | Promise<ByteSink>,
  tensors: SafetensorsTensorToWrite[],
  options: { maxShardBytes?: number; metadata?: Record<string, string> } = {},
): Promise<string[]> {
  const shards = planSafetensorsShards(tensors, options.maxShardBytes);
  if (shards.length === 1) {
    await writeSafetensors(await openSink('model.safetensors'), shards[0], options.metadata);
    return ['model.safetensors'];
  }
  const names: string[] = [];
  for (let i = 0; i < shards.length; i++) {
    const name = shardName(i, shards.length);
    await writeSafetensors(await openSink(name), shards[i], options.metadata);
    names.push(name);
  }
  const sink = await openSink('model.safetensors.index.json');
  await sink.write(indexJson(shards));
  await sink.close();
  return [...names, 'model.safetensors.index.json'];
}
