// safetensors export: tiny-llama round trip (F32 bytes equal per tensor), ONNX → HF names,
// shapes and values of the fixture checkpoint (the tied lm_head copy dropped), dtype choice and
// sharding with an index.
import { describe, expect } from 'vitest';
import { blobSink, concatChunks, type ByteSink } from '../../core/byte-sink';
import { bytesSource, type ByteSource } from '../../core/byte-source';
import { fixtureSource, itWithFixtures } from '../../formats/gguf/testing/fixtures';
import { openSafetensorsCheckpoint } from '../../formats/safetensors/safetensors-checkpoint';
import { openSafetensors, readSafetensorsFloats, readSafetensorsTensor } from '../../formats/safetensors/safetensors-reader';
import { configForDtype, convertToSafetensors, type SafetensorsConvertOptions } from './convert-safetensors';
import { fixtureWeights, type FixtureModel } from './testing/convert-fixtures';

async function convert(model: FixtureModel, file: string, options: SafetensorsConvertOptions = {}): Promise<ByteSource[]> {
  const sinks = new Map<string, ReturnType<typeof blobSink>>();
  const result = await convertToSafetensors(await fixtureWeights(model, file), (name): ByteSink => {
    const s = blobSink();
    sinks.set(name, s);
    return s;
  }, options);
  expect(result.files).toEqual([...sinks.keys()]);
  expect(result.bytes).toBe([...sinks.values()].reduce((n, s) => n + s.bytesWritten, 0));
  return result.files.map((n) => bytesSource(concatChunks(sinks.get(n)!.chunks), n));
}

describe('convert → safetensors', () => {
  itWithFixtures(['models/tiny-llama/model.safetensors', 'models/tiny-llama/config.json'], 'tiny-llama safetensors → f32: every tensor byte-identical', async () => {
    const [out] = await convert('tiny-llama', 'model.safetensors', { dtype: 'f32' });
    const ours = await openSafetensors(out);
    const theirs = await openSafetensors(await fixtureSource('models/tiny-llama/model.safetensors'));
    expect(ours.metadata).toEqual({ format: 'pt' });
    expect(ours.tensors.map((t) => [t.name, t.dtype, t.shape]).sort()).toEqual(theirs.tensors.map((t) => [t.name, t.dtype, t.shape]).sort());
    for (const t of theirs.tensors) expect(Buffer.compare(await readSafetensorsTensor(ours, t.name), await readSafetensorsTensor(theirs, t)), t.name).toBe(0);
  });

  itWithFixtures(['models/small-llama/onnx/model.onnx', 'models/small-llama/model.safetensors', 'models/small-llama/config.json'], 'small-llama ONNX → safetensors: the checkpoint\'s names, shapes and values (tied lm_head dropped)', async () => {
    const [out] = await convert('small-llama', 'onnx/model.onnx');
    const ours = await openSafetensors(out);
    const theirs = await openSafetensors(await fixtureSource('models/small-llama/model.safetensors'));
    expect(ours.tensors.map((t) => [t.name, t.shape]).sort()).toEqual(theirs.tensors.map((t) => [t.name, t.shape]).sort());
    expect(ours.tensors.every((t) => t.dtype === 'F32')).toBe(true);
    for (const t of theirs.tensors) expect(await readSafetensorsFloats(ours, t.name), t.name).toEqual(await readSafetensorsFloats(theirs, t));
  });

  itWithFixtures(['models/tiny-llama/model.safetensors', 'models/tiny-llama/config.json'], 'dtype bf16 with a tiny shard limit: shards + index that open as one checkpoint', async () => {
    const files = await convert('tiny-llama', 'model.safetensors', { dtype: 'bf16', maxShardBytes: 1 << 20 });
    expect(files.length).toBeGreaterThan(2);
    expect(files[files.length - 1].name).toBe('model.safetensors.index.json');
    expect(files[0].name).toMatch(/^model-00001-of-000\d\d\.safetensors$/);
    const ckpt = await openSafetensorsCheckpoint(files);
    expect(ckpt.tensors).toHaveLength(39);
    expect(ckpt.tensors.every((t) => t.dtype === 'BF16')).toBe(true);
    const theirs = await openSafetensors(await fixtureSource('models/tiny-llama/model.safetensors'));
    const q = ckpt.tensors.find((t) => t.name === 'model.layers.1.self_attn.q_proj.weight')!;
    const a = await readSafetensorsFloats(q.file, q);
    const b = await readSafetensorsFloats(theirs, q.name);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(Math.abs(b[i]) * 2 ** -8);
    expect(configForDtype({ dtype: 'float32', x: 1 }, 'bf16')).toEqual({ dtype: 'bfloat16', x: 1 });
  });
});
