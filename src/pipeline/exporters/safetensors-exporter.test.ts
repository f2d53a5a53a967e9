// safetensors output through the seam: tiny-llama round trip (F32 bytes equal per tensor), ONNX
// → HF names, shapes and values of the fixture checkpoint (the tied lm_head copy dropped), dtype
// choice, sharding with an index, the recipe in __metadata__, and the plan's size = the files'.
import { describe, expect } from 'vitest';
import type { ByteSource } from '../../core/byte-source';
import type { RecipeDtype } from '../../core/recipe';
import { fixtureSource, itWithFixtures } from '../../formats/gguf/testing/fixtures';
import { openSafetensorsCheckpoint } from '../../formats/safetensors/safetensors-checkpoint';
import { openSafetensors, readSafetensorsFloats, readSafetensorsTensor } from '../../formats/safetensors/safetensors-reader';
import { dtypeRecipe } from '../recipe/shorthands';
import { RECIPE_KEY, VERSION_KEY } from './provenance';
import { checkpointConfig } from './safetensors-config';
import { exportFixture, type FixtureModel } from './testing/export-fixtures';

const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

async function convert(model: FixtureModel, file: string, options: { dtype?: RecipeDtype; maxShardBytes?: number } = {}): Promise<ByteSource[]> {
  const { plan, files } = await exportFixture(model, file, dtypeRecipe(options.dtype), 'safetensors', { context: { maxShardBytes: options.maxShardBytes } });
  expect(plan.outputBytes).toBe(files.reduce((n, f) => n + f.byteLength, 0));
  return files;
}

describe('convert → safetensors', () => {
  itWithFixtures(['models/tiny-llama/model.safetensors', 'models/tiny-llama/config.json'], 'tiny-llama safetensors → f32: every tensor byte-identical', async () => {
    const [out] = await convert('tiny-llama', 'model.safetensors', { dtype: 'f32' });
    const ours = await openSafetensors(out);
    const theirs = await openSafetensors(await fixtureSource('models/tiny-llama/model.safetensors'));
    expect(ours.metadata).toMatchObject({ format: 'pt', [VERSION_KEY]: expect.any(String) });
    expect(JSON.parse(ours.metadata![RECIPE_KEY])).toEqual(dtypeRecipe('f32'));
    expect(ours.tensors.map((t) => [t.name, t.dtype, t.shape]).sort()).toEqual(theirs.tensors.map((t) => [t.name, t.dtype, t.shape]).sort());
    for (const t of theirs.tensors) expect(Buffer.compare(await readSafetensorsTensor(ours, t.name), await readSafetensorsTensor(theirs, t)), t.name).toBe(0);
  });

  itWithFixtures(['models/small-llama/onnx/model.onnx', 'models/small-llama/model.safetensors', 'models/small-llama/config.json'], 'small-llama ONNX (float32) → bf16 safetensors: the checkpoint\'s names, shapes and bytes (tied lm_head dropped)', async () => {
    // The ONNX export holds the float32 training weights; the checkpoint is their bf16 rounding (RNE).
    const [out] = await convert('small-llama', 'onnx/model.onnx', { dtype: 'bf16' });
    const ours = await openSafetensors(out);
    const theirs = await openSafetensors(await fixtureSource('models/small-llama/model.safetensors'));
    expect(ours.tensors.map((t) => [t.name, t.dtype, t.shape]).sort()).toEqual(theirs.tensors.map((t) => [t.name, t.dtype, t.shape]).sort());
    for (const t of theirs.tensors) expect(Buffer.compare(await readSafetensorsTensor(ours, t.name), await readSafetensorsTensor(theirs, t)), t.name).toBe(0);
  });

  itWithFixtures(['models/tiny-llama/onnx/model.onnx', 'models/tiny-llama/model.safetensors', 'models/tiny-llama/config.json'], 'tiny-llama ONNX → safetensors (f32): equal values, lm_head kept (untied)', async () => {
    const [out] = await convert('tiny-llama', 'onnx/model.onnx');
    const ours = await openSafetensors(out);
    const theirs = await openSafetensors(await fixtureSource('models/tiny-llama/model.safetensors'));
    expect(ours.tensors.map((t) => [t.name, t.dtype, t.shape]).sort()).toEqual(theirs.tensors.map((t) => [t.name, t.dtype, t.shape]).sort());
    for (const t of theirs.tensors) {
      const [a, b] = [await readSafetensorsFloats(ours, t.name), await readSafetensorsFloats(theirs, t)];
      expect(Buffer.compare(bytesOf(a), bytesOf(b)), t.name).toBe(0);
    }
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
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (Math.abs(b[i]) || 1));
    expect(worst).toBeLessThanOrEqual(2 ** -8);
    expect(checkpointConfig({ dtype: 'float32', x: 1 }, { recipe: dtypeRecipe('bf16'), tensors: [] })).toEqual({ dtype: 'bfloat16', x: 1 });
    expect(checkpointConfig({ intermediate_size: 768, x: 1 }, { recipe: dtypeRecipe(undefined), tensors: [], mlpWidth: { from: 768, to: 576 } })).toEqual({ intermediate_size: 576, x: 1 });
  });
});
