// GGUF output against llama.cpp's own files (fixtures/README.md), through the whole seam
// (recipe → plan → compress → exporter): tiny-llama's safetensors and ONNX → F32 GGUF equal
// gguf/model-f32.gguf tensor for tensor and in every metadata key llama.cpp reads; preset and
// --pure type choices and bytes equal llama-quantize's; the plan's size is the file's.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors';
import { openGguf, readGgufTensor, type GgufFile } from '../../formats/gguf/gguf-reader';
import { fixtureSource, itWithFixtures } from '../../formats/gguf/testing/fixtures';
import { ggufTypeRecipe } from '../recipe/shorthands';
import { exportFixtureToGguf } from './testing/export-fixtures';
import { RECIPE_KEY, VERSION_KEY } from './provenance';

const TINY_F32 = 'models/tiny-llama/gguf/model-f32.gguf';
const TINY_Q8_PURE = 'models/tiny-llama/gguf/llama.cpp-quantized/model-Q8_0-pure.gguf';
const SMALL_F16 = 'models/small-llama/gguf/model-f16.gguf';
const SMALL_Q4_K_M = 'models/small-llama/gguf/llama.cpp-quantized/model-Q4_K_M.gguf';
const tinyFiles = (f: string) => [f, 'models/tiny-llama/config.json', 'models/tiny-llama/tokenizer.json', 'models/tiny-llama/tokenizer_config.json'];
const smallFiles = (f: string) => [f, 'models/small-llama/config.json', 'models/small-llama/tokenizer.json', 'models/small-llama/tokenizer_config.json'];

/** Keys that only name the model or say how the studio made it; llama.cpp reads none of them to load or run it. */
const NAMING_KEYS = new Set(['general.name', 'general.type', 'general.size_label', RECIPE_KEY, VERSION_KEY]);

function plain(v: unknown): unknown {
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  return v;
}

function expectSameMetadata(ours: GgufFile, theirs: GgufFile): void {
  const keys = (f: GgufFile) => [...f.metadata.keys()].filter((k) => !NAMING_KEYS.has(k)).sort();
  expect(keys(ours)).toEqual(keys(theirs));
  for (const k of keys(theirs)) {
    const a = ours.metadata.get(k)!;
    const b = theirs.metadata.get(k)!;
    expect({ k, type: a.type, el: 'elementType' in a ? a.elementType : undefined }).toEqual({ k, type: b.type, el: 'elementType' in b ? b.elementType : undefined });
    expect(plain(a.value), k).toEqual(plain(b.value));
  }
}

async function expectSameTensors(ours: GgufFile, theirs: GgufFile): Promise<void> {
  expect(ours.tensors.map((t) => [t.name, t.type.name, t.dims])).toEqual(theirs.tensors.map((t) => [t.name, t.type.name, t.dims]));
  for (const t of theirs.tensors) {
    const a = await readGgufTensor(ours, t.name);
    const b = await readGgufTensor(theirs, t);
    expect(Buffer.compare(a, b), t.name).toBe(0);
  }
}

describe('convert → GGUF F32 equals llama.cpp convert_hf_to_gguf', () => {
  for (const input of ['model.safetensors', 'onnx/model.onnx']) {
    itWithFixtures(tinyFiles(`models/tiny-llama/${input}`).concat(TINY_F32), `tiny-llama ${input}: same tensors (names, shapes, types, bytes) and metadata`, async () => {
      const { file, plan, files } = await exportFixtureToGguf('tiny-llama', input, ggufTypeRecipe('F32', false));
      const theirs = await openGguf(await fixtureSource(TINY_F32));
      await expectSameTensors(file, theirs);
      expectSameMetadata(file, theirs);
      expect(file.metadata.get('general.name')).toEqual({ type: 'string', value: 'tiny-llama' });
      expect(JSON.parse(String(file.metadata.get(RECIPE_KEY)!.value))).toEqual(ggufTypeRecipe('F32', false));
      expect(plan.tensors.filter((t) => t.fallback)).toEqual([]);
      expect(plan.outputBytes).toBe(files[0].byteLength);
    });
  }

  itWithFixtures([TINY_F32], 'the F32 GGUF itself round-trips (dequantize, unpermute, permute)', async () => {
    const theirs = await openGguf(await fixtureSource(TINY_F32));
    const { file } = await exportFixtureToGguf('tiny-llama', 'gguf/model-f32.gguf', ggufTypeRecipe('F32', false));
    await expectSameTensors(file, theirs);
    expectSameMetadata(file, theirs);
  });
});

describe('convert → quantized GGUF equals llama-quantize', () => {
  itWithFixtures([TINY_F32, TINY_Q8_PURE], 'tiny-llama F32 GGUF → Q8_0 --pure: every tensor byte-identical', async () => {
    const { file, plan, files } = await exportFixtureToGguf('tiny-llama', 'gguf/model-f32.gguf', ggufTypeRecipe('Q8_0', true));
    const theirs = await openGguf(await fixtureSource(TINY_Q8_PURE));
    expect(file.tensors.map((t) => t.name).sort()).toEqual(theirs.tensors.map((t) => t.name).sort());
    for (const t of theirs.tensors) {
      const ours = file.tensors.find((x) => x.name === t.name)!;
      expect([ours.type.name, ours.dims]).toEqual([t.type.name, t.dims]);
      expect(Buffer.compare(await readGgufTensor(file, ours), await readGgufTensor(theirs, t)), t.name).toBe(0);
    }
    expect(file.metadata.get('general.file_type')).toEqual({ type: 'u32', value: 7 });
    expect(plan.tensors.filter((t) => t.fallback)).toEqual([]);
    expect(plan.outputBytes).toBe(files[0].byteLength);
  });

  itWithFixtures(smallFiles('models/small-llama/model.safetensors').concat(SMALL_Q4_K_M), 'small-llama bf16 safetensors → Q4_K_M: llama.cpp\'s type mix and shapes', async () => {
    const { file } = await exportFixtureToGguf('small-llama', 'model.safetensors', ggufTypeRecipe('Q4_K_M', false));
    const theirs = await openGguf(await fixtureSource(SMALL_Q4_K_M));
    const byName = (f: GgufFile) => f.tensors.map((t) => [t.name, t.type.name, t.dims]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(byName(file)).toEqual(byName(theirs));
    expectSameMetadata(file, theirs);
  }, 300_000);

  itWithFixtures([SMALL_F16, SMALL_Q4_K_M], 'small-llama F16 GGUF → Q4_K_M: ≥ 99.9 % of blocks identical to llama-quantize (FORMATS §4.3)', async () => {
    const { file } = await exportFixtureToGguf('small-llama', 'gguf/model-f16.gguf', ggufTypeRecipe('Q4_K_M', false));
    const theirs = await openGguf(await fixtureSource(SMALL_Q4_K_M));
    let blocks = 0;
    let identical = 0;
    for (const t of theirs.tensors) {
      const a = await readGgufTensor(file, t.name);
      const b = await readGgufTensor(theirs, t);
      expect(a.byteLength, t.name).toBe(b.byteLength);
      const bb = t.type.blockBytes;
      for (let i = 0; i < a.byteLength; i += bb) {
        blocks++;
        if (Buffer.compare(a.subarray(i, i + bb), b.subarray(i, i + bb)) === 0) identical++;
      }
    }
    expect(identical / blocks).toBeGreaterThanOrEqual(0.999);
  }, 300_000);
});

describe('GGUF targets', () => {
  itWithFixtures([TINY_F32], 'k-quants on 128-wide rows fall back as llama.cpp reports', async () => {
    const { plan } = await exportFixtureToGguf('tiny-llama', 'gguf/model-f32.gguf', ggufTypeRecipe('Q4_K_S', true));
    const fallbacks = plan.tensors.flatMap((t) => (t.fallback ? [t.fallback] : []));
    expect(fallbacks.length).toBe(30);
    expect(fallbacks[0]).toMatchObject({ from: 'Q4_K', to: 'Q5_0' });
    expect(fallbacks[0].message).toMatch(/ncols 128 not divisible by 256 \(required for type Q4_K\) -> falling back to Q5_0/);
    expect(plan.notes).toContain('llama.cpp: WARNING: 30 of 39 tensor(s) required fallback quantization');
  }, 120_000);

  it('reads --type and --pure as recipes', () => {
    expect(ggufTypeRecipe('f16', false)).toEqual({ recipe: 1, dtype: 'f16', rules: [] });
    expect(ggufTypeRecipe('Q4_K_M', false)).toEqual({ recipe: 1, preset: 'Q4_K_M', rules: [] });
    expect(ggufTypeRecipe('Q4_K_M', true)).toEqual({ recipe: 1, preset: 'Q4_K_M', pure: true, rules: [] });
    expect(ggufTypeRecipe('Q5_1', true)).toEqual({ recipe: 1, preset: 'Q5_1', rules: [] });
    expect(() => ggufTypeRecipe('Q5_1', false)).toThrow(/only available with --pure/);
    expect(() => ggufTypeRecipe('Q9', false)).toThrow(UsageError);
  });
});
