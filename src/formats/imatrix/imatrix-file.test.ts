// The importance-matrix reader and writer (layout: imatrix-file.ts): both of llama.cpp's forms of
// the fixture (written by llama-imatrix) give the same importance, the studio's GGUF form round
// trips, and damaged files are refused with what and where.
import { describe, expect, it } from 'vitest';
import { blobSink, concatChunks } from '../../core/byte-sink';
import { bytesSource } from '../../core/byte-source';
import { FormatError } from '../../core/errors';
import { fixtureSource, itWithFixtures } from '../gguf/testing/fixtures';
import { IMATRIX_SNIFF_BYTES, importanceOf, readImatrix, sniffImatrixGguf, writeImatrix, type ImportanceMatrix } from './imatrix-file';

const DIR = 'models/small-llama/gguf/llama.cpp-imatrix';

async function written(m: ImportanceMatrix): Promise<Uint8Array> {
  const sink = blobSink();
  await writeImatrix(sink, m);
  return concatChunks(sink.chunks);
}

function legacyFile(entries: [string, number, number[]][], trailer = true): Uint8Array {
  const parts: number[] = [];
  const i32 = (v: number) => parts.push(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff);
  i32(entries.length);
  for (const [name, ncall, values] of entries) {
    i32(name.length);
    for (const c of name) parts.push(c.charCodeAt(0));
    i32(ncall);
    i32(values.length);
    for (const v of values) for (const b of new Uint8Array(Float32Array.of(v).buffer)) parts.push(b);
  }
  if (trailer) {
    i32(7);
    i32(4);
    for (const c of 'text') parts.push(c.charCodeAt(0));
  }
  return Uint8Array.from(parts);
}

describe('importance matrix files', () => {
  itWithFixtures([`${DIR}/imatrix.gguf`, `${DIR}/imatrix.dat`], "llama-imatrix's GGUF and legacy files give the same importance", async () => {
    const g = await readImatrix(await fixtureSource(`${DIR}/imatrix.gguf`));
    const d = await readImatrix(await fixtureSource(`${DIR}/imatrix.dat`));
    expect(g.legacy).toBe(false);
    expect(d.legacy).toBe(true);
    expect([g.chunkCount, g.chunkSize, g.datasets]).toEqual([128, 256, ['wikitext-2-valid.txt']]);
    expect(g.entries.size).toBe(56);
    expect([...d.entries.keys()].sort()).toEqual([...g.entries.keys()].sort());
    for (const name of g.entries.keys()) {
      const a = importanceOf(g, name)!;
      const b = importanceOf(d, name)!;
      expect(a.length).toBe(name.includes('ffn_down') ? 768 : 256);
      for (let j = 0; j < a.length; j++) expect(Math.abs(a[j] - b[j])).toBeLessThanOrEqual(1e-6 * Math.abs(a[j]) + 1e-12);
    }
    expect(importanceOf(g, 'token_embd.weight')).toBeUndefined();
  });

  it('round-trips the GGUF form, including several experts', async () => {
    const m: ImportanceMatrix = {
      entries: new Map([
        ['blk.0.ffn_up.weight', { sums: Float32Array.of(4, 8, 12, 16), counts: Float32Array.of(4) }],
        ['blk.0.ffn_down_exps.weight', { sums: Float32Array.of(1, 2, 3, 4, 5, 6), counts: Float32Array.of(2, 0) }],
      ]),
      datasets: ['calibration.txt'],
      chunkCount: 3,
      chunkSize: 256,
      legacy: false,
    };
    const back = await readImatrix(bytesSource(await written(m), 'imatrix.gguf'));
    expect([back.datasets, back.chunkCount, back.chunkSize, back.legacy]).toEqual([['calibration.txt'], 3, 256, false]);
    expect(Array.from(importanceOf(back, 'blk.0.ffn_up.weight')!)).toEqual([1, 2, 3, 4]);
    // An expert never routed to (count 0) gets 1s, as llama-quantize does.
    expect(Array.from(importanceOf(back, 'blk.0.ffn_down_exps.weight')!)).toEqual([0.5, 1, 1.5, 1, 1, 1]);
  });

  it('reads the legacy form: values / ncall, optional trailer', async () => {
    const m = await readImatrix(bytesSource(legacyFile([['blk.0.attn_q.weight', 2, [2, 4]]]), 'imatrix.dat'));
    expect(Array.from(importanceOf(m, 'blk.0.attn_q.weight')!)).toEqual([1, 2]);
    expect([m.chunkCount, m.datasets]).toEqual([7, ['text']]);
    const bare = await readImatrix(bytesSource(legacyFile([['w', 1, [3]]], false), 'imatrix.dat'));
    expect(bare.chunkCount).toBe(0);
  });

  it('refuses damaged files, saying what and where', async () => {
    const good = legacyFile([['blk.0.attn_q.weight', 2, [2, 4]]]);
    await expect(readImatrix(bytesSource(good.subarray(0, 38), 'cut.dat'))).rejects.toThrow(/cut.dat: truncated: the 2 values of blk.0.attn_q.weight/);
    await expect(readImatrix(bytesSource(legacyFile([['w', 1, [NaN]]]), 'nan.dat'))).rejects.toThrow(/entry w has a non-finite value \(NaN\) at column 0/);
    await expect(readImatrix(bytesSource(new Uint8Array(2), 'tiny.dat'))).rejects.toThrow(FormatError);
    await expect(readImatrix(bytesSource(new Uint8Array(8), 'zero.dat'))).rejects.toThrow(/not an importance matrix \(entry count 0\)/);
    const onlySums: ImportanceMatrix = { entries: new Map([['w', { sums: Float32Array.of(1), counts: Float32Array.of(1) }]]), datasets: [], chunkCount: 0, chunkSize: 0, legacy: false };
    const bytes = await written(onlySums);
    // Rename "w.counts" to "w.countz" in the header: the sums lose their counts.
    const text = new TextDecoder('latin1').decode(bytes);
    const at = text.indexOf('w.counts');
    bytes[at + 7] = 'z'.charCodeAt(0);
    await expect(readImatrix(bytesSource(bytes, 'half.gguf'))).rejects.toThrow(/half.gguf: w has sums but no counts/);
  });

  itWithFixtures([`${DIR}/imatrix.gguf`, 'models/small-llama/gguf/model-f16.gguf'], 'tells an importance-matrix GGUF from a model by its first bytes', async () => {
    const head = async (path: string) => (await fixtureSource(path)).read(0, IMATRIX_SNIFF_BYTES);
    expect(sniffImatrixGguf(await head(`${DIR}/imatrix.gguf`))).toBe(true);
    expect(sniffImatrixGguf(await head('models/small-llama/gguf/model-f16.gguf'))).toBe(false);
    const ours = await written({ entries: new Map([['w', { sums: Float32Array.of(1), counts: Float32Array.of(1) }]]), datasets: [], chunkCount: 0, chunkSize: 0, legacy: false });
    expect(sniffImatrixGguf(ours.subarray(0, IMATRIX_SNIFF_BYTES))).toBe(true);
    expect(sniffImatrixGguf(new Uint8Array(10))).toBe(false);
  });

  itWithFixtures(['models/small-llama/gguf/model-f16.gguf'], 'refuses a model GGUF given as an importance matrix', async () => {
    await expect(readImatrix(await fixtureSource('models/small-llama/gguf/model-f16.gguf'))).rejects.toThrow(/model-f16.gguf: a GGUF model, not an importance matrix/);
  });
});
