// GPU quantization (quantizeGgmlGpu) vs quantizeGgmlRef, byte for byte. Legacy types: seeded
// weight-like rows with special blocks (zeros, ± abs-max ties, exact rounding ties, fp16 rounding
// ties and subnormal/overflowing d and m), and every weight of tiny-llama's F32 GGUF, also checked
// against the bytes llama.cpp wrote into model-<TYPE>-pure.gguf. K-quants: seeded super-blocks and
// small-llama weights against the reference and llama.cpp's *-pure files.
import { afterAll, describe, expect, it } from 'vitest';
import { GpuLimitError, ShapeError, UnsupportedModelError } from '../../core/errors';
import { f16BitsToF32, f32ToF16Bits } from '../../core/float16';
import { ggmlTypeByName } from '../../core/ggml-types';
import { readGgufTensor } from '../../formats/gguf/gguf-reader';
import { acquireBrowserGpu } from '../../gpu/browser-gpu';
import { gpuForTests } from '../../gpu/testing';
import { dequantizeGgmlRef, quantizeGgmlRef } from '../../quant/ggml/ggml-codec';
import { seededRandom, seededWeights } from '../quant/rtn-compare';
import { addComparison, type BlockComparison, compareBlockBytes, openGgufFixtures } from './testing/ggml-gpu-compare';
import { GPU_QUANTIZE_TYPES, quantizeGgmlGpu } from './quantize';

const { ctx, skipReason } = await gpuForTests(acquireBrowserGpu);
const gpuIt = ctx ? it : it.skip;
if (!ctx) console.warn(skipReason);
afterAll(() => ctx?.destroy());

/** Named limit (STYLE.md "Tests"): share of legacy blocks allowed to differ from the reference. */
const MAX_DIFFERING_BLOCK_SHARE = 0;
/** K-quants follow float32 searches with many sums (FORMATS §4.3): share that must be identical. */
const MIN_KQUANT_IDENTICAL_SHARE = 0.999;
/** Dequantized squared error of the GPU blocks may exceed the reference's by at most this factor. */
const MAX_KQUANT_ERROR_RATIO = 1 + 1e-9;

/** Tensors of small-llama are taken in file order until this many super-blocks (CPU time). */
const KQUANT_FIXTURE_BLOCKS = 8192;

/** The llama.cpp preset whose small-llama *-pure file holds each k-quant. */
const PURE_FILE_TYPE: Record<string, string> = { Q2_K: 'Q2_K', Q3_K: 'Q3_K_S', Q4_K: 'Q4_K_S', Q5_K: 'Q5_K_S', Q6_K: 'Q6_K' };

const LEGACY_TYPES = GPU_QUANTIZE_TYPES.filter((t) => ggmlTypeByName(t)!.blockSize === 32);

async function check(typeName: string, values: Float32Array, label: string): Promise<BlockComparison> {
  const got = await quantizeGgmlGpu(ctx!, typeName, values);
  return compareBlockBytes(got, quantizeGgmlRef(typeName, values), ggmlTypeByName(typeName)!.blockBytes, label);
}

/** Blocks that probe each rounding step of the references; 32 values each. */
function specialBlocks(seed: number): Float32Array {
  const rnd = seededRandom(seed);
  const blocks: number[][] = [];
  blocks.push(new Array(32).fill(0)); // d = 0, id = 0
  const tie = seededWeights(32, seed + 1);
  tie[3] = -0.75;
  tie[9] = 0.75; // ± the same abs-max: the first one wins (Q4_0/Q5_0 sign of d)
  blocks.push(Array.from(tie));
  // Exact code ties for Q8_0 (d = 1: x·id = k + 0.5, roundf away from zero).
  blocks.push(Array.from({ length: 32 }, (_, i) => (i === 0 ? 127 : (i % 2 ? -1 : 1) * (i + 0.5))));
  // Q4_0 with d = 1 and Q5_0 with d = 0.5 (max = −8): x·id + 8.5 lands on integers and on .5.
  blocks.push(Array.from({ length: 32 }, (_, i) => (i === 0 ? -8 : (i % 16) - 8 + (i % 3) * 0.25)));
  // fp16 rounding of d and m: mins exactly halfway between two fp16 values (both parities),
  // in the normal and subnormal range, and near the overflow threshold 65520.
  for (let k = 0; k < 24; k++) {
    const bits = k < 8 ? 1 + Math.floor(rnd() * 0x3fe) : k < 20 ? 0x400 + Math.floor(rnd() * 0x7000) : 0x7bfe;
    const lo = f16BitsToF32(bits);
    const mid = (lo + f16BitsToF32(bits + 1)) / 2;
    const sign = k % 2 ? -1 : 1;
    const scale = Math.abs(mid) * (k === 23 ? 0 : 0.001);
    blocks.push(Array.from({ length: 32 }, (_, i) => sign * mid + (i === 0 ? 0 : i * scale * rnd())));
  }
  blocks.push(Array.from({ length: 32 }, (_, i) => (i - 16) * 1e-7)); // d in the fp16 subnormal range
  blocks.push(Array.from({ length: 32 }, (_, i) => (i === 5 ? 70000 : i * 100 - 1000))); // amax/127 ≈ 551; Q4_x d
  blocks.push(Array.from({ length: 32 }, (_, i) => (i === 5 ? -1e7 : i))); // d overflows fp16 → Inf
  return Float32Array.from(blocks.flat());
}

describe('quantizeGgmlGpu vs quantizeGgmlRef (seeded)', () => {
  for (const typeName of LEGACY_TYPES) {
    gpuIt(typeName, async () => {
      const seed = ggmlTypeByName(typeName)!.id * 101;
      const total: BlockComparison = { blocks: 0, identical: 0 };
      addComparison(total, await check(typeName, seededWeights(64 * 96, seed), 'weights 64×96'));
      addComparison(total, await check(typeName, specialBlocks(seed), 'special blocks'));
      // Odd block count: the last block's bytes end inside a word.
      addComparison(total, await check(typeName, seededWeights(32 * 13, seed + 5), 'weights 13 blocks'));
      console.log(`${typeName} seeded: ${total.identical}/${total.blocks} blocks identical`);
      expect(1 - total.identical / total.blocks, total.first).toBeLessThanOrEqual(MAX_DIFFERING_BLOCK_SHARE);
    });
  }

  gpuIt('stores d and m with round-to-nearest-even fp16, equal to f32ToF16Bits', async () => {
    // Q4_1 stores the block minimum as m unchanged: one block per probed value.
    const probes = [0, -0, 1, -1, 65504, 65519.996, -65520, 1e-8, 2.98e-8, -2.9802322e-8, 5.96e-8, 6.1035156e-5, 6.10351e-5];
    const rnd = seededRandom(11);
    for (let i = 0; i < 200; i++) {
      const bits = Math.floor(rnd() * 0x7bff);
      probes.push((rnd() < 0.5 ? -1 : 1) * ((f16BitsToF32(bits) + f16BitsToF32(bits + 1)) / 2));
    }
    const values = new Float32Array(probes.length * 32);
    probes.forEach((p, b) => values.fill(Math.fround(p), b * 32, b * 32 + 32));
    const got = await quantizeGgmlGpu(ctx!, 'Q4_1', values);
    const bad: string[] = [];
    probes.forEach((p, b) => {
      const m = got[b * 20 + 2] | (got[b * 20 + 3] << 8);
      if (m !== f32ToF16Bits(p)) bad.push(`${p}: got 0x${m.toString(16)}, expected 0x${f32ToF16Bits(p).toString(16)}`);
    });
    expect(bad).toEqual([]);
  });
});

const FIXTURE_SOURCE = 'models/tiny-llama/gguf/model-f32.gguf';
const pureFile = (typeName: string) => `models/tiny-llama/gguf/llama.cpp-quantized/model-${typeName}-pure.gguf`;

describe('quantizeGgmlGpu vs quantizeGgmlRef and llama.cpp (tiny-llama weights)', () => {
  for (const typeName of LEGACY_TYPES) {
    gpuIt(`${typeName}: every quantized weight of tiny-llama`, async () => {
      const got = await openGgufFixtures({ source: FIXTURE_SOURCE, quantized: pureFile(typeName) });
      if (got.missing !== undefined) return console.warn(`skipped: ${got.missing}`);
      const { source, quantized } = got.files;
      const vsRef: BlockComparison = { blocks: 0, identical: 0 };
      const vsLlama: BlockComparison = { blocks: 0, identical: 0 };
      const blockBytes = ggmlTypeByName(typeName)!.blockBytes;
      for (const t of quantized.tensors) {
        if (t.type.name !== typeName) continue;
        const s = source.tensors.find((x) => x.name === t.name);
        expect(s?.type.name, t.name).toBe('F32');
        const values = new Float32Array((await readGgufTensor(source, s!)).slice().buffer);
        const gpu = await quantizeGgmlGpu(ctx!, typeName, values);
        addComparison(vsRef, compareBlockBytes(gpu, quantizeGgmlRef(typeName, values), blockBytes, `${t.name} vs reference`));
        addComparison(vsLlama, compareBlockBytes(gpu, await readGgufTensor(quantized, t), blockBytes, `${t.name} vs llama.cpp`));
      }
      console.log(
        `${typeName} tiny-llama: ${vsRef.identical}/${vsRef.blocks} blocks identical to quantizeGgmlRef, ` +
          `${vsLlama.identical}/${vsLlama.blocks} to llama-quantize`,
      );
      expect(vsRef.blocks).toBeGreaterThan(0);
      expect(1 - vsRef.identical / vsRef.blocks, vsRef.first).toBeLessThanOrEqual(MAX_DIFFERING_BLOCK_SHARE);
      expect(1 - vsLlama.identical / vsLlama.blocks, vsLlama.first).toBeLessThanOrEqual(MAX_DIFFERING_BLOCK_SHARE);
    });
  }
});

/** Σ(x̂ − x)² of the dequantized blocks. */
function sqError(typeName: string, bytes: Uint8Array, x: Float32Array): number {
  const y = dequantizeGgmlRef(typeName, bytes);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (y[i] - x[i]) ** 2;
  return s;
}

interface KQuantTally extends BlockComparison {
  sqErrGpu: number;
  sqErrRef: number;
}

async function checkKQuant(typeName: string, values: Float32Array, label: string, tally: KQuantTally): Promise<Uint8Array> {
  const gpu = await quantizeGgmlGpu(ctx!, typeName, values);
  const ref = quantizeGgmlRef(typeName, values);
  addComparison(tally, compareBlockBytes(gpu, ref, ggmlTypeByName(typeName)!.blockBytes, label));
  tally.sqErrGpu += sqError(typeName, gpu, values);
  tally.sqErrRef += sqError(typeName, ref, values);
  return gpu;
}

function expectKQuant(typeName: string, what: string, t: KQuantTally): void {
  const share = t.identical / t.blocks;
  console.log(
    `${typeName} ${what}: ${t.identical}/${t.blocks} blocks identical to quantizeGgmlRef (${(100 * share).toFixed(3)} %), ` +
      `Σ(x̂−x)² GPU ${t.sqErrGpu.toPrecision(8)} vs reference ${t.sqErrRef.toPrecision(8)}`,
  );
  expect(share, t.first).toBeGreaterThanOrEqual(MIN_KQUANT_IDENTICAL_SHARE);
  expect(t.sqErrGpu).toBeLessThanOrEqual(t.sqErrRef * MAX_KQUANT_ERROR_RATIO);
}

/** Super-blocks that probe the k-quant searches: zeros, a zero sub-block, tiny and huge values, ties. */
function specialSuperBlocks(seed: number): Float32Array {
  const out = seededWeights(256 * 8, seed);
  out.fill(0, 0, 256); // all zero: the block stays zeros
  out.fill(0, 256 + 32, 256 + 48); // one zero sub-block
  for (let i = 512; i < 768; i++) out[i] *= 1e-4; // d near the fp16 subnormal range
  for (let i = 768; i < 1024; i++) out[i] *= 1e4;
  for (let i = 1024; i < 1280; i++) out[i] = ((i % 9) - 4) * 0.125; // many exact ties
  out[1280 + 7] = -0.9;
  out[1280 + 200] = 0.9; // ± the same abs-max in different sub-blocks
  return out;
}

describe('quantizeGgmlGpu k-quants vs quantizeGgmlRef', () => {
  const kTypes = GPU_QUANTIZE_TYPES.filter((t) => ggmlTypeByName(t)!.blockSize === 256);
  for (const typeName of kTypes) {
    gpuIt(`${typeName}: seeded super-blocks`, async () => {
      const tally: KQuantTally = { blocks: 0, identical: 0, sqErrGpu: 0, sqErrRef: 0 };
      const seed = ggmlTypeByName(typeName)!.id * 31;
      await checkKQuant(typeName, seededWeights(256 * 24, seed), 'weights', tally);
      await checkKQuant(typeName, specialSuperBlocks(seed + 1), 'special', tally);
      expectKQuant(typeName, 'seeded', tally);
    });

    gpuIt(`${typeName}: small-llama weights, also against llama-quantize`, async () => {
      const fileType = PURE_FILE_TYPE[typeName];
      const got = await openGgufFixtures({
        source: 'models/small-llama/gguf/model-f16.gguf',
        quantized: `models/small-llama/gguf/llama.cpp-quantized/model-${fileType}-pure.gguf`,
      });
      if (got.missing !== undefined) return console.warn(`skipped: ${got.missing}`);
      const { source, quantized } = got.files;
      const tally: KQuantTally = { blocks: 0, identical: 0, sqErrGpu: 0, sqErrRef: 0 };
      const vsLlama: BlockComparison = { blocks: 0, identical: 0 };
      const blockBytes = ggmlTypeByName(typeName)!.blockBytes;
      for (const t of quantized.tensors) {
        if (t.type.name !== typeName || tally.blocks >= KQUANT_FIXTURE_BLOCKS) continue;
        const s = source.tensors.find((x) => x.name === t.name)!;
        const values = dequantizeGgmlRef(s.type.name, await readGgufTensor(source, s));
        const gpu = await checkKQuant(typeName, values, t.name, tally);
        addComparison(vsLlama, compareBlockBytes(gpu, await readGgufTensor(quantized, t), blockBytes, `${t.name} vs llama.cpp`));
      }
      console.log(`${typeName} small-llama: ${vsLlama.identical}/${vsLlama.blocks} blocks identical to llama-quantize`);
      expectKQuant(typeName, 'small-llama', tally);
      expect(vsLlama.identical / vsLlama.blocks, vsLlama.first).toBeGreaterThanOrEqual(MIN_KQUANT_IDENTICAL_SHARE);
    });
  }
});

describe('quantizeGgmlGpu errors', () => {
  gpuIt('throws UnsupportedModelError for types without a GPU kernel', async () => {
    for (const typeName of ['F16', 'BF16', 'IQ4_NL', 'Q8_K']) {
      const err = await quantizeGgmlGpu(ctx!, typeName, new Float32Array(256)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsupportedModelError);
      expect((err as Error).message).toContain(`quantizing to ggml type ${typeName} on the GPU is not implemented`);
    }
  });

  gpuIt('folds a large dispatch into x·y workgroups', async () => {
    const small = { ...ctx!, limits: { ...ctx!.limits, maxComputeWorkgroupsPerDimension: 3 } };
    // 453 blocks = 8 workgroups of 64 → 3×3. The k-quants take an invocation per sub-block: Q4_K/Q5_K
    // 8 a super-block, so 50 → 7 workgroups (3×3) and 45 → 6 (3×2, the last one 40/64 busy); Q2_K,
    // Q3_K and Q6_K 16, so 30 → 8 (3×3, the last one half busy) and 17 → 5 (3×2).
    for (const [typeName, numel] of [['Q4_0', 453 * 32], ['Q4_K', 50 * 256], ['Q5_K', 45 * 256], ['Q2_K', 17 * 256], ['Q3_K', 30 * 256], ['Q6_K', 30 * 256]] as const) {
      const values = seededWeights(numel, 3);
      const got = await quantizeGgmlGpu(small, typeName, values);
      const r = compareBlockBytes(got, quantizeGgmlRef(typeName, values), ggmlTypeByName(typeName)!.blockBytes, `2-D ${typeName}`);
      expect(r.identical, r.first).toBe(r.blocks);
    }
  });

  gpuIt('past maxStorageBufferBindingSize, quantizes in slices of whole blocks to the same bytes', async () => {
    // 1024 bytes bind 256 floats: 8 Q8_0 blocks, or one Q4_K super-block, a pass.
    const small = { ...ctx!, limits: { ...ctx!.limits, maxStorageBufferBindingSize: 1024 } };
    const values = seededWeights(256 * 7, 41); // 7 passes
    expect(await quantizeGgmlGpu(small, 'Q8_0', values)).toEqual(quantizeGgmlRef('Q8_0', values));
    expect(await quantizeGgmlGpu(small, 'Q4_K', values)).toEqual(await quantizeGgmlGpu(ctx!, 'Q4_K', values));
    // A NaN in a later slice is named by its place in the whole tensor.
    const bad = values.slice();
    bad[1500] = NaN;
    await expect(quantizeGgmlGpu(small, 'Q8_0', bad)).rejects.toThrow('cannot quantize to Q8_0: value NaN at element 1500 is not finite');
    // A block (here a super-block of 256) that alone passes the limit cannot be sliced.
    const tiny = { ...ctx!, limits: { ...ctx!.limits, maxStorageBufferBindingSize: 512 } };
    const err = await quantizeGgmlGpu(tiny, 'Q4_K', values).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuLimitError);
    expect((err as Error).message).toBe('quantizing to Q4_K: one row of 256 values (1024 bytes) is more than this GPU binds (512 bytes)');
  });

  gpuIt('rejects partial blocks and non-finite values before touching the GPU', async () => {
    await expect(quantizeGgmlGpu(ctx!, 'Q8_0', new Float32Array(40))).rejects.toThrow(/Q8_0 needs a multiple of 32 elements, got 40/);
    const values = new Float32Array(64);
    values[37] = NaN;
    const err = await quantizeGgmlGpu(ctx!, 'Q4_0', values).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShapeError);
    expect((err as Error).message).toBe('cannot quantize to Q4_0: value NaN at element 37 is not finite');
    expect(await quantizeGgmlGpu(ctx!, 'Q4_0', new Float32Array(0))).toEqual(new Uint8Array(0));
  });
});
