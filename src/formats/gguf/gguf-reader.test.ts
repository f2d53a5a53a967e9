// GGUF reader on llama.cpp's files (fixtures) and on hand-made broken ones: every validation
// rule gives a FormatError (or UnsupportedModelError for valid-but-unsupported files) with a
// message naming what was wrong and the byte offset.
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../core/byte-source';
import { FormatError, UnsupportedModelError, UsageError } from '../../core/errors';
import { ggufModelIndex } from '../../model/gguf-index';
import { openGguf, readGgufTensor } from './gguf-reader';
import { fixtureSource, itWithFixtures } from './testing/fixtures';
import { RawGguf } from './testing/raw-gguf';

const TINY = 'models/tiny-llama/gguf/model-f32.gguf';
const SMALL_Q4_K_M = 'models/small-llama/gguf/llama.cpp-quantized/model-Q4_K_M.gguf';

const open = (r: RawGguf | Uint8Array) => openGguf(bytesSource(r instanceof RawGguf ? r.bytes() : r, 'bad.gguf'));

async function formatError(r: RawGguf): Promise<FormatError> {
  try {
    await open(r);
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return e as FormatError;
  }
  throw new Error('expected a FormatError, but the file parsed');
}

/** A valid file with one F32 tensor of `n` elements, optionally with extra KV pairs first. */
function oneTensor(n = 8, kv: (r: RawGguf) => RawGguf = (r) => r, kvCount = 0): RawGguf {
  const r = kv(new RawGguf().header(1, kvCount)).tensorInfo('w', [n], 0, 0).padTo(32);
  return r.zeros(4 * n);
}

describe('GGUF reader: fixtures', () => {
  itWithFixtures([TINY], 'reads tiny-llama F32: metadata types, tensor infos, lazy tensor bytes', async () => {
    const g = await openGguf(await fixtureSource(TINY));
    expect(g.version).toBe(3);
    expect(g.alignment).toBe(32);
    expect(g.metadata.get('general.architecture')).toEqual({ type: 'string', value: 'llama' });
    expect(g.metadata.get('llama.block_count')).toEqual({ type: 'u32', value: 4 });
    const tokens = g.metadata.get('tokenizer.ggml.tokens');
    expect(tokens?.type === 'array' && tokens.elementType === 'string' && tokens.value.length).toBe(4096);
    expect(g.tensors).toHaveLength(39);
    const q = g.tensors.find((t) => t.name === 'blk.0.attn_q.weight')!;
    expect([q.type.name, q.dims, q.shape, q.byteLength]).toEqual(['F32', [128, 128], [128, 128], 65536]);
    const bytes = await readGgufTensor(g, 'blk.3.attn_norm.weight');
    expect(bytes.byteLength).toBe(512);
    await expect(readGgufTensor(g, 'nope')).rejects.toThrow(UsageError);
  });

  itWithFixtures([TINY, SMALL_Q4_K_M], 'indexes GGUF as a ModelIndex: roles, HF layer names, [out, in] layouts', async () => {
    const tiny = ggufModelIndex(await openGguf(await fixtureSource(TINY)));
    expect(tiny.architecture).toBe('llama');
    expect(tiny.paramCount).toBe(2 * 4096 * 128 + 4 * (2 * 128 * 128 + 2 * 64 * 128 + 3 * 128 * 384 + 2 * 128) + 128);
    const role = (name: string) => tiny.tensors.find((t) => t.name === name)!;
    expect(role('token_embd.weight')).toMatchObject({ role: 'embedding', layer: 'model.embed_tokens', layout: { rows: 4096, cols: 128, rowStride: 128, colStride: 1 } });
    expect(role('output.weight')).toMatchObject({ role: 'matmul-weight', layer: 'lm_head' });
    expect(role('blk.2.ffn_down.weight')).toMatchObject({ role: 'matmul-weight', layer: 'model.layers.2.mlp.down_proj', shape: [128, 384], layout: { rows: 128, cols: 384, rowStride: 384, colStride: 1 } });
    expect(role('blk.0.attn_k.weight')).toMatchObject({ layer: 'model.layers.0.self_attn.k_proj', shape: [64, 128], dtype: 'f32' });
    expect(role('output_norm.weight')).toMatchObject({ role: 'norm', layer: 'model.norm' });
    expect(role('blk.1.ffn_norm.weight').layout).toBeUndefined();
    expect(tiny.tensors.filter((t) => t.role === 'matmul-weight')).toHaveLength(4 * 7 + 1);
    const small = ggufModelIndex(await openGguf(await fixtureSource(SMALL_Q4_K_M)));
    expect(small.tensors.find((t) => t.name === 'token_embd.weight')?.dtype).toBe('Q6_K');
    expect(small.bytesByRole.embedding).toBe((8192 * 256 / 256) * 210);
    expect(small.tensors.some((t) => t.layer === 'lm_head')).toBe(false); // tied
  });
});

describe('GGUF reader: validation', () => {
  it('accepts a minimal hand-made file', async () => {
    const g = await open(oneTensor());
    expect(g.tensors[0]).toMatchObject({ name: 'w', numel: 8, byteLength: 32, byteOffset: 64 });
  });

  it('rejects a wrong magic at byte 0', async () => {
    const r = new RawGguf().u32(0x46554746).u32(3).u64(0).u64(0);
    const e = await formatError(r);
    expect(e.message).toMatch(/not a GGUF file: magic is 0x46554746/);
    expect(e.byteOffset).toBe(0);
  });

  it('rejects GGUF v1, unknown versions and big-endian files as unsupported', async () => {
    await expect(open(new RawGguf().header(0, 0, 1))).rejects.toThrow(/version 1 is obsolete/);
    await expect(open(new RawGguf().header(0, 0, 4))).rejects.toThrow(UnsupportedModelError);
    await expect(open(new RawGguf().header(0, 0, 0x03000000))).rejects.toThrow(/big-endian/);
  });

  it('rejects a truncated header with the offset where it ran out', async () => {
    const e = await formatError(new RawGguf().u32(0x46554747).u32(3).u64(0));
    expect(e.message).toMatch(/truncated: GGUF header needs 24 bytes but only 16 remain/);
    expect(e.byteOffset).toBe(0);
  });

  it('rejects absurd counts before looping or allocating', async () => {
    expect((await formatError(new RawGguf().header(0, 2n ** 40n))).message).toMatch(/metadata count 1099511627776 cannot fit/);
    expect((await formatError(new RawGguf().header(2n ** 50n, 0))).message).toMatch(/tensor count .* cannot fit/);
    expect((await formatError(new RawGguf().header(-1, 0))).message).toMatch(/tensor count is negative/);
    const hugeArray = new RawGguf().header(0, 1).str('k').i32(9).i32(6).u64(2n ** 40n);
    expect((await formatError(hugeArray)).message).toMatch(/array "k" of 1099511627776 f32 values cannot fit in the 0 bytes left/);
    const hugerArray = new RawGguf().header(0, 1).str('k').i32(9).i32(8).u64(2n ** 61n);
    expect((await formatError(hugerArray)).message).toMatch(/array length of "k" 2305843009213693952 is too large/);
    const hugeString = new RawGguf().header(0, 1).str('k').i32(8).u64(2n ** 62n);
    expect((await formatError(hugeString)).message).toMatch(/length 4611686018427387904 is too large|runs past the end/);
  });

  it('rejects bad metadata: unknown types, nested arrays, bad bools, duplicates, empty keys', async () => {
    expect((await formatError(oneTensor(8, (r) => r.str('k').i32(13).u8(0), 1))).message).toMatch(/"k" has unknown value type 13/);
    expect((await formatError(oneTensor(8, (r) => r.str('k').i32(9).i32(9).u64(0), 1))).message).toMatch(/array of arrays/);
    expect((await formatError(oneTensor(8, (r) => r.str('k').i32(9).i32(77).u64(0), 1))).message).toMatch(/array of unknown type 77/);
    expect((await formatError(oneTensor(8, (r) => r.str('k').i32(7).u8(2), 1))).message).toMatch(/bool "k" has value 2/);
    expect((await formatError(oneTensor(8, (r) => r.str('k').i32(4).u32(1).str('k').i32(4).u32(2), 2))).message).toMatch(/duplicate metadata key "k"/);
    expect((await formatError(oneTensor(8, (r) => r.str('').i32(4).u32(1), 1))).message).toMatch(/metadata key 0 is empty/);
  });

  it('rejects a bad general.alignment', async () => {
    expect((await formatError(oneTensor(8, (r) => r.str('general.alignment').i32(5).i32(32), 1))).message).toMatch(/must be stored as u32, got i32/);
    expect((await formatError(oneTensor(8, (r) => r.str('general.alignment').i32(4).u32(24), 1))).message).toMatch(/24 is not a power of two/);
  });

  it('rejects bad tensor infos: dims, types, block multiples, names', async () => {
    const info = (name: string, dims: (number | bigint)[], type: number, offset = 0) =>
      new RawGguf().header(1, 0).tensorInfo(name, dims, type, offset).padTo(32).zeros(64);
    expect((await formatError(info('w', [], 0))).message).toMatch(/"w" has 0 dimensions, expected 1 to 4/);
    expect((await formatError(info('w', [1, 1, 1, 1, 1], 0))).message).toMatch(/5 dimensions/);
    expect((await formatError(info('w', [2n ** 40n, 2n ** 40n], 0))).message).toMatch(/more than a \d+-byte file can hold/);
    expect((await formatError(info('w', [2n ** 63n], 0))).message).toMatch(/dimension 0 of "w" .* too large/);
    expect((await formatError(info('w', [32], 4))).message).toMatch(/unknown ggml type id 4/);
    expect((await formatError(info('w', [48], 2))).message).toMatch(/row length 48, not a multiple of the Q4_0 block size 32/);
    expect((await formatError(info('x'.repeat(64), [1], 0))).message).toMatch(/GGUF allows at most 63/);
    expect((await formatError(info('w', [1], 0, 8))).message).toMatch(/offset 8 is not a multiple of the alignment 32/);
  });

  it('rejects tensors past the end of the file and overlapping tensors', async () => {
    const past = new RawGguf().header(1, 0).tensorInfo('w', [16], 0, 0).padTo(32).zeros(60);
    const e = await formatError(past);
    expect(e.message).toMatch(/"w" \(64 bytes at 64\) runs past the end of the file \(124 bytes\)/);
    expect(e.byteOffset).toBe(64);
    const overlap = new RawGguf().header(2, 0).tensorInfo('a', [16], 0, 0).tensorInfo('b', [16], 0, 32).padTo(32).zeros(96);
    expect((await formatError(overlap)).message).toMatch(/"b" at data offset 32 overlaps "a" \(0\+64\)/);
    const dup = new RawGguf().header(2, 0).tensorInfo('a', [8], 0, 0).tensorInfo('a', [8], 0, 32).padTo(32).zeros(64);
    expect((await formatError(dup)).message).toMatch(/duplicate tensor name "a"/);
  });
});
