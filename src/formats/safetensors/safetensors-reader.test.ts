// safetensors reader, checkpoint (sharded) opener and writer: the fixtures' checkpoints, every
// header rule of FORMATS §5 as a FormatError with its message, and sharded write → open.
import { describe, expect, it } from 'vitest';
import { blobSink, concatChunks, type ByteSink } from '../../core/byte-sink';
import { bytesSource, type ByteSource } from '../../core/byte-source';
import { FormatError, MissingFileError, UnsupportedModelError, UsageError } from '../../core/errors';
import { safetensorsModelIndex } from '../../model/safetensors-index';
import { fixtureSource, itWithFixtures } from '../gguf/testing/fixtures';
import { openSafetensorsCheckpoint } from './safetensors-checkpoint';
import { openSafetensors, readSafetensorsFloats, readSafetensorsTensor } from './safetensors-reader';
import { writeSafetensors, writeShardedSafetensors, type SafetensorsTensorToWrite } from './safetensors-writer';

/** A file from a header object and a data length (no padding; header as given). */
function raw(header: unknown, dataBytes: number, headerText = JSON.stringify(header)): Uint8Array {
  const h = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + h.byteLength + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.byteLength), true);
  out.set(h, 8);
  return out;
}

async function formatError(bytes: Uint8Array): Promise<FormatError> {
  try {
    await openSafetensors(bytesSource(bytes, 'bad.safetensors'));
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return e as FormatError;
  }
  throw new Error('expected a FormatError');
}

const t = (dtype: string, shape: number[], begin: number, end: number) => ({ dtype, shape, data_offsets: [begin, end] });

async function writeToBytes(tensors: SafetensorsTensorToWrite[], metadata?: Record<string, string>): Promise<Uint8Array> {
  const sink = blobSink();
  await writeSafetensors(sink, tensors, metadata);
  return concatChunks(sink.chunks);
}

describe('safetensors: fixtures', () => {
  for (const [model, dtype, arch] of [['tiny-llama', 'F32', 'llama'], ['small-llama', 'BF16', 'llama']] as const) {
    const st = `models/${model}/model.safetensors`;
    const cfg = `models/${model}/config.json`;
    itWithFixtures([st, cfg], `${model}: header, ModelIndex roles and [out, in] layouts, lazy ${dtype} reads`, async () => {
      const ckpt = await openSafetensorsCheckpoint([await fixtureSource(st), await fixtureSource(cfg)]);
      const index = safetensorsModelIndex(ckpt);
      expect(index.architecture).toBe(arch);
      expect(index.format).toBe('safetensors');
      const q = index.tensors.find((x) => x.name === 'model.layers.0.self_attn.q_proj.weight')!;
      expect(q).toMatchObject({ role: 'matmul-weight', layer: 'model.layers.0.self_attn.q_proj', dtype: dtype.toLowerCase() });
      expect(q.layout).toEqual({ rows: q.shape[0], cols: q.shape[1], rowStride: q.shape[1], colStride: 1 });
      expect(index.tensors.find((x) => x.name === 'model.embed_tokens.weight')?.role).toBe('embedding');
      expect(index.tensors.find((x) => x.name === 'model.norm.weight')?.role).toBe('norm');
      expect(index.tensors.filter((x) => x.role === 'norm').length).toBe(2 * (ckpt.config!.num_hidden_layers as number) + 1);
      const f = ckpt.tensors.find((x) => x.name === 'model.norm.weight')!;
      const values = await readSafetensorsFloats(f.file, f);
      expect(values.length).toBe(f.numel);
      expect(values.every((v) => Number.isFinite(v))).toBe(true);
    });
  }

  itWithFixtures(['models/tiny-llama/model.safetensors'], 'tiny-llama: rewriting every tensor gives a file that reads back identically', async () => {
    const f = await openSafetensors(await fixtureSource('models/tiny-llama/model.safetensors'));
    const bytes = await writeToBytes(f.tensors.map((x) => ({ ...x, data: () => readSafetensorsTensor(f, x) })), f.metadata);
    const g = await openSafetensors(bytesSource(bytes, 'copy.safetensors'));
    expect(g.metadata).toEqual(f.metadata);
    expect(g.tensors.map((x) => [x.name, x.dtype, x.shape])).toEqual(f.tensors.map((x) => [x.name, x.dtype, x.shape]));
    for (const x of g.tensors) {
      const a = await readSafetensorsTensor(g, x);
      const b = await readSafetensorsTensor(f, x.name);
      expect(Buffer.compare(a, b), x.name).toBe(0);
    }
  });
});

describe('safetensors: validation', () => {
  it('accepts padding spaces, __metadata__, empty and scalar tensors', async () => {
    const header = { __metadata__: { format: 'pt' }, a: t('F32', [2], 0, 8), e: t('F16', [0, 3], 8, 8), s: t('BF16', [], 8, 10) };
    const f = await openSafetensors(bytesSource(raw(header, 10, JSON.stringify(header) + '   '), 'ok.safetensors'));
    expect(f.metadata).toEqual({ format: 'pt' });
    expect(f.tensors.map((x) => [x.name, x.numel, x.byteOffset - f.dataOffset])).toEqual([['a', 2, 0], ['e', 0, 8], ['s', 1, 8]]);
  });

  it('rejects each header rule violation with a message', async () => {
    expect((await formatError(new Uint8Array(5))).message).toMatch(/too short/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 60n, true);
    expect((await formatError(huge)).message).toMatch(/exceeds the 100000000-byte limit/);
    new DataView(huge.buffer).setBigUint64(0, 100n, true);
    expect((await formatError(huge)).message).toMatch(/header length 100 runs past the end of the file \(16 bytes\)/);
    expect((await formatError(raw(null, 0, '[1]'))).message).toMatch(/must start with "\{"/);
    expect((await formatError(raw(null, 0, '{"a":'))).message).toMatch(/not valid UTF-8 JSON/);
    expect((await formatError(raw(null, 8, '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'))).message).toMatch(/lists "a" twice/);
    expect((await formatError(raw({ a: t('F33', [1], 0, 4) }, 4))).message).toMatch(/unknown dtype "F33"/);
    // Names of Object.prototype members are not dtypes either (a fuzz run found "constructor" slipping through).
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect((await formatError(raw({ a: t(name, [1], 0, 4) }, 4))).message).toBe(`bad.safetensors: tensor "a": unknown dtype "${name}" (at byte 8)`);
    }
    expect((await formatError(raw({ a: t('F32', [-1], 0, 4) }, 4))).message).toMatch(/shape must be an array of non-negative integers/);
    expect((await formatError(raw({ a: t('F32', [1], 4, 0) }, 4))).message).toMatch(/data_offsets must be \[begin, end\]/);
    expect((await formatError(raw({ a: t('F32', [3], 0, 8) }, 8))).message).toMatch(/F32 \[3\] needs 12 bytes but data_offsets span 8/);
    expect((await formatError(raw({ a: t('F4', [3], 0, 1) }, 1))).message).toMatch(/needs 1.5 bytes/);
    expect((await formatError(raw({ a: t('F32', [1], 4, 8) }, 8))).message).toMatch(/starts at data offset 4, leaving a hole after 0/);
    expect((await formatError(raw({ a: t('F32', [2], 0, 8), b: t('F32', [1], 4, 8) }, 8))).message).toMatch(/overlaps the tensor ending at 8/);
    expect((await formatError(raw({ a: t('F32', [1], 0, 4) }, 6))).message).toMatch(/tensors end at file offset \d+ but the file has \d+ bytes/);
    expect((await formatError(raw({ a: t('F32', [4], 0, 16) }, 8))).message).toMatch(/end 16 is past the 8-byte data buffer/);
    expect((await formatError(raw({ __metadata__: { n: 1 } }, 0))).message).toMatch(/__metadata__\["n"\] must be a string/);
  });

  it('reads F32/F16/BF16 as floats; other dtypes are UnsupportedModelError when their values are needed', async () => {
    const bytes = await writeToBytes([
      { name: 'h', dtype: 'F16', shape: [2], data: () => new Uint8Array([0x00, 0x3c, 0x00, 0xc0]) },
      { name: 'b', dtype: 'BF16', shape: [1], data: () => new Uint8Array([0x80, 0x3f]) },
      { name: 'q', dtype: 'F8_E4M3', shape: [3], data: () => new Uint8Array(3) },
    ]);
    const f = await openSafetensors(bytesSource(bytes, 'mixed.safetensors'));
    expect(Array.from(await readSafetensorsFloats(f, 'h'))).toEqual([1, -2]);
    expect(Array.from(await readSafetensorsFloats(f, 'b'))).toEqual([1]);
    await expect(readSafetensorsFloats(f, 'q')).rejects.toThrow(UnsupportedModelError);
    await expect(readSafetensorsFloats(f, 'q')).rejects.toThrow(/"q" is F8_E4M3; the studio reads only F32, F16 and BF16/);
    expect((await readSafetensorsTensor(f, 'q')).byteLength).toBe(3);
    await expect(readSafetensorsTensor(f, 'zz')).rejects.toThrow(UsageError);
  });
});

describe('safetensors: sharded checkpoints', () => {
  const tensors: SafetensorsTensorToWrite[] = [
    { name: 'model.embed_tokens.weight', dtype: 'F32', shape: [4, 8], data: () => new Uint8Array(128).fill(1) },
    { name: 'model.layers.0.mlp.up_proj.weight', dtype: 'F16', shape: [16, 8], data: () => new Uint8Array(256).fill(2) },
    { name: 'model.norm.weight', dtype: 'BF16', shape: [8], data: () => new Uint8Array(16).fill(3) },
  ];

  async function writeAll(maxShardBytes: number): Promise<ByteSource[]> {
    const sinks = new Map<string, ReturnType<typeof blobSink>>();
    const names = await writeShardedSafetensors((n): ByteSink => {
      const s = blobSink();
      sinks.set(n, s);
      return s;
    }, tensors, { maxShardBytes });
    return names.map((n) => bytesSource(concatChunks(sinks.get(n)!.chunks), n));
  }

  it('writes shards + index and opens them as one checkpoint', async () => {
    const files = await writeAll(200);
    expect(files.map((f) => f.name)).toEqual(['model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors', 'model.safetensors.index.json']);
    const config = bytesSource(new TextEncoder().encode('{"architectures":["MistralForCausalLM"]}'), 'config.json');
    const ckpt = await openSafetensorsCheckpoint([...files, config]);
    expect(ckpt.shards).toHaveLength(3);
    expect(ckpt.tensors.map((x) => [x.name, x.file.source.name])).toEqual([
      ['model.embed_tokens.weight', 'model-00001-of-00003.safetensors'],
      ['model.layers.0.mlp.up_proj.weight', 'model-00002-of-00003.safetensors'],
      ['model.norm.weight', 'model-00003-of-00003.safetensors'],
    ]);
    const index = JSON.parse(new TextDecoder().decode(await files[3].read(0, files[3].byteLength)));
    expect(index.metadata.total_size).toBe(128 + 256 + 16);
    const mi = safetensorsModelIndex(ckpt);
    expect(mi.architecture).toBe('mistral');
    expect(mi.fileBytes).toBe(files.reduce((n, f) => n + f.byteLength, 0));
    expect(mi.paramsByRole).toMatchObject({ embedding: 32, 'matmul-weight': 128, norm: 8 });
  });

  it('one shard is a plain model.safetensors; a missing shard is a MissingFileError', async () => {
    expect((await writeAll(1e9)).map((f) => f.name)).toEqual(['model.safetensors']);
    const files = await writeAll(200);
    await expect(openSafetensorsCheckpoint([files[0], files[2], files[3]])).rejects.toThrow(MissingFileError);
    await expect(openSafetensorsCheckpoint([files[0], files[1]])).rejects.toThrow(/without model.safetensors.index.json/);
  });

  it('an index that disagrees with its shards is a FormatError', async () => {
    const files = await writeAll(200);
    const bad = bytesSource(new TextEncoder().encode(JSON.stringify({ weight_map: { 'model.norm.weight': 'model-00001-of-00003.safetensors' } })), 'model.safetensors.index.json');
    await expect(openSafetensorsCheckpoint([files[0], bad])).rejects.toThrow(/"model.embed_tokens.weight" is in model-00001-of-00003.safetensors but not in the index/);
  });
});
