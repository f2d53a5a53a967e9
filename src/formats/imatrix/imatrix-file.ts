// llama.cpp's importance-matrix files (layout from llama.cpp b10573 tools/imatrix/imatrix.cpp and
// common/imatrix-loader.cpp; FORMATS.md has no section on them). Current llama-imatrix writes a
// GGUF (general.type "imatrix"; per weight `<name>.in_sum2` = Σ x_j² over the calibration
// tokens, F32 [experts][cols], and `<name>.counts` = tokens per expert, F32; metadata
// imatrix.datasets / chunk_count / chunk_size); llama-quantize still reads the legacy binary
// `.dat` too (i32 entries; per entry i32 name length, name, i32 ncall, i32 nval, f32 values =
// mean x² · ncall; then optionally i32 chunks, i32 length, dataset name). The studio writes the
// GGUF form and reads both. The importance of a column is what llama-quantize derives from it:
// sums / count (GGUF) or values / ncall (legacy).
import type { ByteSink } from '../../core/byte-sink';
import type { ByteSource } from '../../core/byte-source';
import { FormatError } from '../../core/errors';
import { GGUF_MAGIC, openGguf, readGgufTensor } from '../gguf/gguf-reader';
import { gguf, type GgufMetadata } from '../gguf/gguf-value';
import { writeGguf, type GgufTensorToWrite } from '../gguf/gguf-writer';

export interface ImatrixEntry {
  /** Σ x_j² per input column, experts after one another (GGUF) or mean · ncall (legacy). */
  sums: Float32Array;
  /** Tokens seen per expert (GGUF), or [ncall] (legacy). */
  counts: Float32Array;
}

export interface ImportanceMatrix {
  /** By GGUF weight name ("blk.0.attn_q.weight"). */
  entries: Map<string, ImatrixEntry>;
  datasets: string[];
  /** Calibration chunks (windows) and tokens per chunk; 0 when the file does not say. */
  chunkCount: number;
  chunkSize: number;
  legacy: boolean;
}

const SUMS = '.in_sum2';
const COUNTS = '.counts';
const f = Math.fround;

/**
 * Importance from sums of squares over `count` tokens, as llama-quantize divides a GGUF entry's
 * sums by its count (float32; a count of 0 gives 1s). The studio's own calibration goes through
 * here too, so a run and the file it writes weigh the columns identically.
 */
export function importanceFromSums(sums: Float32Array, count: number): Float32Array {
  const c = Math.round(count);
  return sums.map((s) => (c > 0 ? f(s / c) : 1));
}

/**
 * The importance of each input column of weight `name` as llama-quantize computes it from the
 * file, or undefined when the file has none.
 */
export function importanceOf(m: ImportanceMatrix, name: string): Float32Array | undefined {
  const e = m.entries.get(name);
  if (!e) return undefined;
  if (m.legacy) {
    const ncall = e.counts[0] ?? 0;
    return ncall > 0 ? e.sums.map((s) => f(s / ncall)) : e.sums.slice();
  }
  const perExpert = e.sums.length / e.counts.length;
  const out = new Float32Array(e.sums.length);
  for (let x = 0; x < e.counts.length; x++) {
    out.set(importanceFromSums(e.sums.subarray(x * perExpert, (x + 1) * perExpert), e.counts[x]), x * perExpert);
  }
  return out;
}

function checkFinite(file: string, name: string, v: Float32Array): void {
  const bad = v.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new FormatError(`importance matrix entry ${name} has a non-finite value (${v[bad]}) at column ${bad}`, 0, file);
}

async function readGgufImatrix(source: ByteSource): Promise<ImportanceMatrix> {
  const g = await openGguf(source);
  const type = g.metadata.get('general.type');
  if (type && type.value !== 'imatrix') {
    throw new FormatError(`a GGUF ${String(type.value)}, not an importance matrix (general.type "imatrix")`, 0, source.name);
  }
  const m: ImportanceMatrix = { entries: new Map(), datasets: [], chunkCount: 0, chunkSize: 0, legacy: false };
  const datasets = g.metadata.get('imatrix.datasets');
  if (datasets?.type === 'array' && datasets.elementType === 'string') m.datasets = datasets.value;
  const num = (key: string) => {
    const v = g.metadata.get(key);
    return v && typeof v.value === 'number' ? v.value : 0;
  };
  m.chunkCount = num('imatrix.chunk_count');
  m.chunkSize = num('imatrix.chunk_size');
  const weights = new Set<string>();
  for (const t of g.tensors) {
    if (t.name.endsWith(SUMS)) weights.add(t.name.slice(0, -SUMS.length));
    else if (t.name.endsWith(COUNTS)) weights.add(t.name.slice(0, -COUNTS.length));
  }
  for (const name of weights) {
    const sums = g.tensors.find((t) => t.name === name + SUMS);
    const counts = g.tensors.find((t) => t.name === name + COUNTS);
    if (!sums || !counts) throw new FormatError(`${name} has ${sums ? 'sums but no counts' : 'counts but no sums'}`, (sums ?? counts)!.byteOffset, source.name);
    for (const t of [sums, counts]) {
      if (t.type.name !== 'F32') throw new FormatError(`${t.name} must be F32, is ${t.type.name}`, t.byteOffset, source.name);
    }
    const entry = {
      sums: new Float32Array((await readGgufTensor(g, sums)).slice().buffer),
      counts: new Float32Array((await readGgufTensor(g, counts)).slice().buffer),
    };
    if (entry.counts.length === 0 || entry.sums.length % entry.counts.length !== 0) {
      throw new FormatError(`${name} has ${entry.sums.length} sums for ${entry.counts.length} experts`, sums.byteOffset, source.name);
    }
    checkFinite(source.name, name, entry.sums);
    m.entries.set(name, entry);
  }
  if (m.entries.size === 0) throw new FormatError('the importance matrix has no entries', 0, source.name);
  return m;
}

async function readLegacyImatrix(source: ByteSource): Promise<ImportanceMatrix> {
  const bytes = await source.read(0, source.byteLength);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const need = (n: number, what: string) => {
    if (at + n > bytes.byteLength) throw new FormatError(`truncated: ${what} needs bytes up to ${at + n} but the file has ${bytes.byteLength}`, at, source.name);
  };
  const i32 = (what: string) => {
    need(4, what);
    const v = view.getInt32(at, true);
    at += 4;
    return v;
  };
  const text = (len: number, what: string) => {
    need(len, what);
    const s = new TextDecoder().decode(bytes.subarray(at, at + len));
    at += len;
    return s;
  };
  const n = i32('the entry count');
  if (n < 1) throw new FormatError(`not an importance matrix (entry count ${n})`, 0, source.name);
  const m: ImportanceMatrix = { entries: new Map(), datasets: [], chunkCount: 0, chunkSize: 0, legacy: true };
  for (let i = 0; i < n; i++) {
    const len = i32(`the name length of entry ${i + 1}`);
    if (len < 0 || len > 4096) throw new FormatError(`entry ${i + 1} has a name length of ${len}`, at - 4, source.name);
    const name = text(len, `the name of entry ${i + 1}`);
    const ncall = i32(`the call count of ${name}`);
    const nval = i32(`the value count of ${name}`);
    if (nval < 1) throw new FormatError(`${name} has ${nval} values`, at - 4, source.name);
    need(4 * nval, `the ${nval} values of ${name}`);
    const sums = new Float32Array(bytes.slice(at, at + 4 * nval).buffer);
    at += 4 * nval;
    checkFinite(source.name, name, sums);
    m.entries.set(name, { sums, counts: Float32Array.of(ncall) });
  }
  if (at + 4 <= bytes.byteLength) {
    m.chunkCount = i32('the chunk count');
    if (at + 4 <= bytes.byteLength) {
      const len = i32('the dataset name length');
      if (len > 0 && at + len <= bytes.byteLength) m.datasets.push(text(len, 'the dataset name'));
    }
  }
  return m;
}

/** Bytes sniffImatrixGguf needs from the start of a file. */
export const IMATRIX_SNIFF_BYTES = 64;

/**
 * Whether the first bytes of a file are a GGUF whose first key is general.type = "imatrix", as
 * llama-imatrix and the studio write them (for routing a dropped file without parsing a whole
 * header, which for a model can be megabytes of vocabulary).
 */
export function sniffImatrixGguf(head: Uint8Array): boolean {
  if (head.byteLength < 24) return false;
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (v.getUint32(0, true) !== GGUF_MAGIC) return false;
  const key = 'general.type';
  const value = 'imatrix';
  let at = 24;
  const need = 8 + key.length + 4 + 8 + value.length;
  if (head.byteLength < at + need) return false;
  if (Number(v.getBigUint64(at, true)) !== key.length) return false;
  at += 8;
  if (new TextDecoder().decode(head.subarray(at, at + key.length)) !== key) return false;
  at += key.length;
  if (v.getUint32(at, true) !== 8) return false; // GGUF string
  at += 4;
  if (Number(v.getBigUint64(at, true)) !== value.length) return false;
  at += 8;
  return new TextDecoder().decode(head.subarray(at, at + value.length)) === value;
}

/** Reads either form (GGUF when the file starts with the GGUF magic, else legacy). */
export async function readImatrix(source: ByteSource): Promise<ImportanceMatrix> {
  if (source.byteLength < 4) throw new FormatError(`too short to be an importance matrix (${source.byteLength} bytes)`, 0, source.name);
  const head = await source.read(0, 4);
  const magic = (head[0] | (head[1] << 8) | (head[2] << 16) | (head[3] << 24)) >>> 0;
  return magic === GGUF_MAGIC ? readGgufImatrix(source) : readLegacyImatrix(source);
}

/** Writes the GGUF form, as current llama-imatrix does (entries in name order). */
export async function writeImatrix(sink: ByteSink, m: ImportanceMatrix): Promise<void> {
  const metadata: GgufMetadata = new Map([
    ['general.type', gguf.string('imatrix')],
    ['imatrix.datasets', gguf.strings(m.datasets)],
    ['imatrix.chunk_count', gguf.u32(m.chunkCount)],
    ['imatrix.chunk_size', gguf.u32(m.chunkSize)],
  ]);
  const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const tensors: GgufTensorToWrite[] = [];
  for (const name of [...m.entries.keys()].sort()) {
    const e = m.entries.get(name)!;
    const experts = e.counts.length;
    const cols = e.sums.length / experts;
    tensors.push({ name: name + SUMS, shape: experts > 1 ? [experts, cols] : [cols], type: 'F32', data: () => bytesOf(e.sums) });
    tensors.push({ name: name + COUNTS, shape: experts > 1 ? [experts, 1] : [1], type: 'F32', data: () => bytesOf(e.counts) });
  }
  await writeGguf(sink, metadata, tensors);
}
