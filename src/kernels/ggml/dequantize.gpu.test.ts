// GPU dequantization (dequantizeGgmlGpu) vs dequantizeGgmlRef, bit for bit: seeded random block
// bytes of every type (all bit patterns, odd byte counts), and every tensor of llama.cpp-quantized
// fixtures (tiny-llama *-pure for legacy types, small-llama *-pure for k-quants, small-llama F16).
import { afterAll, describe, expect, it } from 'vitest';
import { GpuLimitError, ShapeError, UnsupportedModelError } from '../../core/errors';
import { ggmlTypeByName } from '../../core/ggml-types';
import { readGgufTensor } from '../../formats/gguf/gguf-reader';
import { acquireBrowserGpu } from '../../gpu/browser-gpu';
import { gpuForTests } from '../../gpu/testing';
import { dequantizeGgmlRef, quantizeGgmlRef } from '../../quant/ggml/ggml-codec';
import { seededRandom, seededWeights } from '../quant/rtn-compare';
import { dequantizeGgmlGpu, GPU_DEQUANTIZE_TYPES } from './dequantize';
import { addComparison, type BlockComparison, compareBlockValues, openGgufFixtures } from './testing/ggml-gpu-compare';

const { ctx, skipReason } = await gpuForTests(acquireBrowserGpu);
const gpuIt = ctx ? it : it.skip;
if (!ctx) console.warn(skipReason);
afterAll(() => ctx?.destroy());

/** Dequantization is exact: every block must match. */
const MIN_IDENTICAL_SHARE = 1;

function randomBytes(n: number, seed: number): Uint8Array {
  const rnd = seededRandom(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rnd() * 256);
  return out;
}

async function check(typeName: string, bytes: Uint8Array, numel: number, label: string, c = ctx!): Promise<BlockComparison> {
  const got = await dequantizeGgmlGpu(c, typeName, bytes, numel);
  const want = dequantizeGgmlRef(typeName, bytes);
  const t = ggmlTypeByName(typeName)!;
  // Float types count single elements as blocks.
  return compareBlockValues(got, want, t.blockSize, label);
}

describe('dequantizeGgmlGpu vs dequantizeGgmlRef (seeded bytes)', () => {
  for (const typeName of GPU_DEQUANTIZE_TYPES) {
    gpuIt(typeName, async () => {
      const t = ggmlTypeByName(typeName)!;
      // Block counts chosen so the byte length is not a multiple of 4 where the block size allows.
      const blocks = t.blockSize === 1 ? 1001 : 37;
      const bytes = randomBytes(blocks * t.blockBytes, t.id * 7919);
      const r = await check(typeName, bytes, blocks * t.blockSize, typeName);
      expect(r.identical / r.blocks, r.first).toBe(MIN_IDENTICAL_SHARE);
    });
  }

  gpuIt('folds a large dispatch into x·y workgroups', async () => {
    const small = { ...ctx!, limits: { ...ctx!.limits, maxComputeWorkgroupsPerDimension: 7 } };
    for (const typeName of ['Q5_1', 'Q3_K']) {
      const t = ggmlTypeByName(typeName)!;
      const blocks = typeName === 'Q5_1' ? 41 : 5; // 1312 / 1280 elements: 21 / 20 workgroups of 64
      const r = await check(typeName, randomBytes(blocks * t.blockBytes, 99), blocks * t.blockSize, `2-D ${typeName}`, small);
      expect(r.identical, r.first).toBe(r.blocks);
    }
  });
});

const FIXTURES = {
  tinyQ8_0: 'models/tiny-llama/gguf/llama.cpp-quantized/model-Q8_0-pure.gguf',
  tinyQ4_0: 'models/tiny-llama/gguf/llama.cpp-quantized/model-Q4_0-pure.gguf',
  tinyQ4_1: 'models/tiny-llama/gguf/llama.cpp-quantized/model-Q4_1-pure.gguf',
  tinyQ5_0: 'models/tiny-llama/gguf/llama.cpp-quantized/model-Q5_0-pure.gguf',
  tinyQ5_1: 'models/tiny-llama/gguf/llama.cpp-quantized/model-Q5_1-pure.gguf',
  smallQ2_K: 'models/small-llama/gguf/llama.cpp-quantized/model-Q2_K-pure.gguf',
  smallQ3_K: 'models/small-llama/gguf/llama.cpp-quantized/model-Q3_K_S-pure.gguf',
  smallQ4_K: 'models/small-llama/gguf/llama.cpp-quantized/model-Q4_K_S-pure.gguf',
  smallQ5_K: 'models/small-llama/gguf/llama.cpp-quantized/model-Q5_K_S-pure.gguf',
  smallQ6_K: 'models/small-llama/gguf/llama.cpp-quantized/model-Q6_K-pure.gguf',
  smallF16: 'models/small-llama/gguf/model-f16.gguf',
} as const;

/** [fixture, ggml type]: every tensor of that type in the file is compared. */
const FIXTURE_CASES: [keyof typeof FIXTURES, string][] = [
  ['tinyQ8_0', 'Q8_0'],
  ['tinyQ4_0', 'Q4_0'],
  ['tinyQ4_1', 'Q4_1'],
  ['tinyQ5_0', 'Q5_0'],
  ['tinyQ5_1', 'Q5_1'],
  ['smallQ2_K', 'Q2_K'],
  ['smallQ3_K', 'Q3_K'],
  ['smallQ4_K', 'Q4_K'],
  ['smallQ5_K', 'Q5_K'],
  ['smallQ6_K', 'Q6_K'],
  ['smallF16', 'F16'],
];

describe('dequantizeGgmlGpu vs dequantizeGgmlRef (llama.cpp-quantized fixtures)', () => {
  for (const [key, typeName] of FIXTURE_CASES) {
    gpuIt(`${typeName}: every block of every ${typeName} tensor in ${FIXTURES[key].split('/').pop()}`, async () => {
      const got = await openGgufFixtures({ file: FIXTURES[key] });
      if (got.missing !== undefined) return console.warn(`skipped: ${got.missing}`);
      const file = got.files.file;
      const total: BlockComparison = { blocks: 0, identical: 0 };
      let tensors = 0;
      for (const t of file.tensors) {
        if (t.type.name !== typeName) continue;
        tensors++;
        addComparison(total, await check(typeName, await readGgufTensor(file, t), t.numel, t.name));
      }
      console.log(`${typeName} fixture: ${total.identical}/${total.blocks} blocks bit-identical in ${tensors} tensors`);
      expect(tensors).toBeGreaterThan(0);
      expect(total.identical / total.blocks, total.first).toBe(MIN_IDENTICAL_SHARE);
    });
  }
});

describe('dequantizeGgmlGpu errors', () => {
  gpuIt('throws UnsupportedModelError for types without a GPU kernel', async () => {
    for (const typeName of ['F32', 'IQ2_XXS', 'Q8_K', 'nope']) {
      const err = await dequantizeGgmlGpu(ctx!, typeName, new Uint8Array(0), 0).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsupportedModelError);
      expect((err as Error).message).toContain(`dequantizing ggml type ${typeName} on the GPU is not implemented`);
    }
  });

  gpuIt('checks sizes before touching the GPU', async () => {
    await expect(dequantizeGgmlGpu(ctx!, 'Q4_0', new Uint8Array(18), 33)).rejects.toThrow(
      /Q4_0 needs a whole number of 32-element blocks, got 33 elements/,
    );
    await expect(dequantizeGgmlGpu(ctx!, 'Q4_0', new Uint8Array(18), 33)).rejects.toBeInstanceOf(ShapeError);
    await expect(dequantizeGgmlGpu(ctx!, 'Q6_K', new Uint8Array(211), 256)).rejects.toThrow(
      /256 elements of Q6_K take 210 bytes, got 211/,
    );
    expect(await dequantizeGgmlGpu(ctx!, 'Q8_0', new Uint8Array(0), 0)).toEqual(new Float32Array(0));
  });

  gpuIt('past maxStorageBufferBindingSize, decodes in slices of whole blocks to the same values', async () => {
    // 1024 bytes bind 256 floats: 8 Q4_0 blocks (18 bytes each: slices start off 4-byte alignment) or one Q6_K super-block a pass.
    const small = { ...ctx!, limits: { ...ctx!.limits, maxStorageBufferBindingSize: 1024 } };
    const values = seededWeights(256 * 5 + 32 * 3, 19);
    for (const type of ['Q4_0', 'Q6_K']) {
      const n = type === 'Q6_K' ? 256 * 5 : values.length;
      const blocks = quantizeGgmlRef(type, values.subarray(0, n));
      expect(await dequantizeGgmlGpu(small, type, blocks, n), type).toEqual(dequantizeGgmlRef(type, blocks));
    }
    const tiny = { ...ctx!, limits: { ...ctx!.limits, maxStorageBufferBindingSize: 512 } };
    const err = await dequantizeGgmlGpu(tiny, 'Q6_K', quantizeGgmlRef('Q6_K', values.subarray(0, 256)), 256).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuLimitError);
    expect((err as Error).message).toBe('dequantizing Q6_K: one block of 256 values (1024 bytes) is more than this GPU binds (512 bytes)');
  });
});
