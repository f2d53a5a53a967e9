// GGUF conversion against llama.cpp's own files (fixtures/README.md): tiny-llama's safetensors
// and ONNX → F32 GGUF equal gguf/model-f32.gguf tensor for tensor and in every metadata key
// llama.cpp reads; preset and --pure type choices and bytes equal llama-quantize's.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors';
import { openGguf, readGgufTensor, type GgufFile } from '../../formats/gguf/gguf-reader';
import { fixtureSource, itWithFixtures } from '../../formats/gguf/testing/fixtures';
import { parseGgufTarget } from './gguf-target';
import { convertFixtureToGguf, fixtureWeights } from './testing/convert-fixtures';

const TINY_F32 = 'models/tiny-llama/gguf/model-f32.gguf';
const TINY_Q8_PURE = 'models/tiny-llama/gguf/llama.cpp-quantized/model-Q8_0-pure.gguf';
const SMALL_F16 = 'models/small-llama/gguf/model-f16.gguf';
const SMALL_Q4_K_M = 'models/small-llama/gguf/llama.cpp-quantized/model-Q4_K_M.gguf';
const tinyFiles = (f: string) => [f, 'models/tiny-llama/config.json', 'models/tiny-llama/tokenizer.json', 'models/tiny-llama/tokenizer_config.json'];
const smallFiles = (f: string) => [f, 'models/small-llama/config.json', 'models/small-llama/tokenizer.json', 'models/small-llama/tokenizer_config.json'];

/** Keys that only name the model; llama.cpp reads none of them to load or run it. */
const NAMING_KEYS = new Set(['general.name', 'general.type', 'general.size_label']);

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
      const { file, result } = await convertFixtureToGguf('tiny-llama', await fixtureWeights('tiny-llama', input), { target: parseGgufTarget('F32') });
      const theirs = await openGguf(await fixtureSource(TINY_F32));
      await expectSameTensors(file, theirs);
      expectSameMetadata(file, theirs);
      expect(file.metadata.get('general.name')).toEqual({ type: 'string', value: 'tiny-llama' });
      expect(result.fallbacks).toEqual([]);
      expect(result.tensors).toHaveLength(theirs.tensors.length);
    });
  }

  itWithFixtures([TINY_F32], 'the F32 GGUF itself round-trips (dequantize, unpermute, permute)', async () => {
    const theirs = await openGguf(await fixtureSource(TINY_F32));
    const { file } = await convertFixtureToGguf('tiny-llama', await fixtureWeights('tiny-llama', 'gguf/model-f32.gguf'), { target: parseGgufTarget('F32') });
    await expectSameTensors(file, theirs);
    expectSameMetadata(file, theirs);
  });
});

describe('convert → quantized GGUF equals llama-quantize', () => {
  itWithFixtures([TINY_F32, TINY_Q8_PURE], 'tiny-llama F32 GGUF → Q8_0 --pure: every tensor byte-identical', async () => {
    const { file, result } = await convertFixtureToGguf('tiny-llama', await fixtureWeights('tiny-llama', 'gguf/model-f32.gguf'), { target: parseGgufTarget('Q8_0', true) });
    const theirs = await openGguf(await fixtureSource(TINY_Q8_PURE));
    expect(file.tensors.map((t) => t.name).sort()).toEqual(theirs.tensors.map((t) => t.name).sort());
    for (const t of theirs.tensors) {
      const ours = file.tensors.find((x) => x.name === t.name)!;
      expect([ours.type.name, ours.dims]).toEqual([t.type.name, t.dims]);
      expect(Buffer.compare(await readGgufTensor(file, ours), await readGgufTensor(theirs, t)), t.name).toBe(0);
    }
    expect(file.metadata.get('general.file_type')).toEqual({ type: 'u32', value: 7 });
    expect(result.fallbacks).toEqual([]);
  });

  itWithFixtures(smallFiles('models/small-llama/model.safetensors').concat(SMALL_Q4_K_M), 'small-llama bf16 safetensors → Q4_K_M: llama.cpp\'s type mix and shapes', async () => {
    const { file } = await convertFixtureToGguf('small-llama', await fixtureWeights('small-llama', 'model.safetensors'), { target: parseGgufTarget('Q4_K_M') });
    const theirs = await openGguf(await fixtureSource(SMALL_Q4_K_M));
    const byName = (f: GgufFile) => f.tensors.map((t) => [t.name, t.type.name, t.dims]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(byName(file)).toEqual(byName(theirs));
    expectSameMetadata(file, theirs);
  }, 300_000);

  itWithFixtures([SMALL_F16, SMALL_Q4_K_M], 'small-llama F16 GGUF → Q4_K_M: ≥ 99.9 % of blocks identical to llama-quantize (FORMATS §4.3)', async () => {
    const { file } = await convertFixtureToGguf('small-llama', await fixtureWeights('small-llama', 'gguf/model-f16.gguf'), { target: parseGgufTarget('Q4_K_M') });
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
    const { result } = await convertFixtureToGguf('tiny-llama', await fixtureWeights('tiny-llama', 'gguf/model-f32.gguf'), { target: parseGgufTarget('Q4_K_S', true) });
    expect(result.fallbacks.length).toBe(30);
    expect(result.fallbacks[0].message).toMatch(/ncols 128 not divisible by 256 \(required for type Q4_K\) -> falling back to Q5_0/);
    expect(result.fallbackSummary).toBe('WARNING: 30 of 39 tensor(s) required fallback quantization');
  }, 120_000);

  it('parses --type and --pure', () => {
    expect(parseGgufTarget('f16')).toEqual({ name: 'F16', fileType: 1, float: 'F16' });
    expect(parseGgufTarget('Q4_K_M')).toMatchObject({ fileType: 15, preset: 'Q4_K_M', pureType: undefined });
    expect(parseGgufTarget('Q4_K_M', true)).toMatchObject({ pureType: 'Q4_K' });
    expect(parseGgufTarget('Q5_1', true)).toMatchObject({ fileType: 9, pureType: 'Q5_1' });
    expect(() => parseGgufTarget('Q5_1')).toThrow(/only available with --pure/);
    expect(() => parseGgufTarget('Q9')).toThrow(UsageError);
  });
});
