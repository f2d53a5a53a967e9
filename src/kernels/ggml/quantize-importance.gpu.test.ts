// Importance-weighted GPU quantization (quantizeGgmlGpu with an importance vector) vs quantizeGgmlRef(type, x,
// importance), byte for byte: seeded rows with heavy-tailed importance (dead columns included)
// and special blocks, then small-llama's weights with the importance matrix llama-imatrix
// wrote, also against the blocks llama-quantize --imatrix wrote (model-<TYPE>[_S]-pure-imatrix.gguf).
import { afterAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../core/byte-source';
import { ShapeError, UnsupportedModelError } from '../../core/errors';
import { ggmlTypeByName } from '../../core/ggml-types';
import { readGgufTensor } from '../../formats/gguf/gguf-reader';
import { importanceOf, readImatrix } from '../../formats/imatrix/imatrix-file';
import { fetchFixtures } from '../../eval/testing/browser-fixtures';
import { acquireBrowserGpu } from '../../gpu/browser-gpu';
import { gpuForTests } from '../../gpu/testing';
import { dequantizeGgmlRef, quantizeGgmlRef } from '../../quant/ggml/ggml-codec';
import { IMPORTANCE_TYPES } from '../../quant/ggml/importance-quantize';
import { seededRandom, seededWeights } from '../quant/rtn-compare';
import { GPU_IMPORTANCE_TYPES, quantizeGgmlGpu } from './quantize';
import { addComparison, type BlockComparison, compareBlockBytes, openGgufFixtures } from './testing/ggml-gpu-compare';

const { ctx, skipReason } = await gpuForTests(acquireBrowserGpu);
const gpuIt = ctx ? it : it.skip;
if (!ctx) console.warn(skipReason);
afterAll(() => ctx?.destroy());

/** Share of blocks that must be identical: every legacy block (FORMATS §4.4b), ≥ 99.9 % of k-quants (§4.3, best-effort). */
const minIdenticalShare = (typeName: string) => (ggmlTypeByName(typeName)!.blockSize === 32 ? 1 : 0.999);
/** Importance-weighted squared error of the GPU blocks may exceed the reference's by at most this factor. */
const MAX_ERROR_RATIO = 1 + 1e-9;
/** The llama-quantize --imatrix file of small-llama that holds each type (fixtures/README.md). */
const FIXTURE_FILE: Record<string, string> = { Q4_0: 'Q4_0', Q2_K: 'Q2_K', Q3_K: 'Q3_K_S', Q4_K: 'Q4_K_S', Q5_K: 'Q5_K_S', Q6_K: 'Q6_K' };
/** Super-blocks of small-llama taken per type, in file order (SwiftShader time). */
const FIXTURE_BLOCKS = 2048;

/** Seeded importance with calibration statistics: log-normal spread, some dead columns, one outlier channel. */
function seededImportance(cols: number, seed: number): Float32Array {
  const rnd = seededRandom(seed);
  return Float32Array.from({ length: cols }, (_, j) => (j % 37 === 5 ? 0 : j === 3 ? 500 : Math.exp(3 * (rnd() - 0.5))));
}

function weightedError(typeName: string, bytes: Uint8Array, x: Float32Array, importance: Float32Array): number {
  const y = dequantizeGgmlRef(typeName, bytes);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += importance[i % importance.length] * (y[i] - x[i]) ** 2;
  return s;
}

interface Tally extends BlockComparison {
  errGpu: number;
  errRef: number;
}

async function check(typeName: string, x: Float32Array, importance: Float32Array, label: string, t: Tally): Promise<Uint8Array> {
  const gpu = await quantizeGgmlGpu(ctx!, typeName, x, { importance });
  const ref = quantizeGgmlRef(typeName, x, importance);
  addComparison(t, compareBlockBytes(gpu, ref, ggmlTypeByName(typeName)!.blockBytes, label));
  t.errGpu += weightedError(typeName, gpu, x, importance);
  t.errRef += weightedError(typeName, ref, x, importance);
  return gpu;
}

function expectClose(typeName: string, what: string, t: Tally): void {
  const share = t.identical / t.blocks;
  console.log(`${typeName} ${what}: ${t.identical}/${t.blocks} blocks identical to the reference (${(100 * share).toFixed(3)} %), Σw(x̂−x)² GPU ${t.errGpu.toPrecision(8)} vs ${t.errRef.toPrecision(8)}${t.first ? `; first difference: ${t.first}` : ""}`);
  expect(share, t.first).toBeGreaterThanOrEqual(minIdenticalShare(typeName));
  expect(t.errGpu).toBeLessThanOrEqual(t.errRef * MAX_ERROR_RATIO);
}

describe('quantizeGgmlGpu with importance vs the importance-weighted reference', () => {
  for (const typeName of GPU_IMPORTANCE_TYPES) {
    gpuIt(`${typeName}: seeded rows and special super-blocks`, async () => {
      const seed = ggmlTypeByName(typeName)!.id * 17;
      const t: Tally = { blocks: 0, identical: 0, errGpu: 0, errRef: 0 };
      await check(typeName, seededWeights(512 * 12, seed), seededImportance(512, seed + 1), 'rows of 512', t);
      const special = seededWeights(256 * 6, seed + 2);
      special.fill(0, 0, 256); // all zero
      special.fill(0, 256 + 64, 256 + 96); // one zero sub-block
      for (let i = 512; i < 768; i++) special[i] = ((i % 9) - 4) * 0.125; // exact ties
      for (let i = 768; i < 1024; i++) special[i] = Math.abs(special[i]) + 0.01; // min > 0 (clamped to 0)
      await check(typeName, special, seededImportance(256, seed + 3), 'special', t);
      await check(typeName, special, new Float32Array(256).fill(1), 'uniform importance', t);
      expectClose(typeName, 'seeded', t);
    });

    // Q4_1, Q5_0 and Q5_1 have no llama-quantize --imatrix fixture: the seeded rows hold them to the reference.
    if (!FIXTURE_FILE[typeName]) continue;
    gpuIt(`${typeName}: small-llama with llama-imatrix's matrix, also against llama-quantize --imatrix`, async () => {
      const dir = 'models/small-llama/gguf';
      const got = await openGgufFixtures({ source: `${dir}/model-f16.gguf`, quantized: `${dir}/llama.cpp-imatrix/model-${FIXTURE_FILE[typeName]}-pure-imatrix.gguf` });
      const im = await fetchFixtures({ imatrix: `${dir}/llama.cpp-imatrix/imatrix.gguf`.split('/') });
      if (got.missing !== undefined || im.missing !== undefined) return console.warn(`skipped: ${got.missing ?? im.missing}`);
      const matrix = await readImatrix(bytesSource(new Uint8Array(im.files.imatrix), 'imatrix.gguf'));
      const { source, quantized } = got.files;
      const t: Tally = { blocks: 0, identical: 0, errGpu: 0, errRef: 0 };
      const vsLlama: BlockComparison = { blocks: 0, identical: 0 };
      for (const q of quantized.tensors) {
        const importance = importanceOf(matrix, q.name);
        if (q.type.name !== typeName || !importance || t.blocks >= FIXTURE_BLOCKS) continue;
        const s = source.tensors.find((x) => x.name === q.name)!;
        const x = dequantizeGgmlRef(s.type.name, await readGgufTensor(source, s));
        const gpu = await check(typeName, x, importance, q.name, t);
        addComparison(vsLlama, compareBlockBytes(gpu, await readGgufTensor(quantized, q), ggmlTypeByName(typeName)!.blockBytes, `${q.name} vs llama.cpp`));
      }
      console.log(`${typeName} small-llama + imatrix: ${vsLlama.identical}/${vsLlama.blocks} blocks identical to llama-quantize --imatrix`);
      expect(t.blocks).toBeGreaterThan(0);
      expectClose(typeName, 'small-llama', t);
      expect(vsLlama.identical / vsLlama.blocks, vsLlama.first).toBeGreaterThanOrEqual(minIdenticalShare(typeName));
    });
  }

  it('has a kernel for every type whose reference takes importance', () => {
    expect([...GPU_IMPORTANCE_TYPES].sort()).toEqual([...IMPORTANCE_TYPES].sort());
  });

  gpuIt('refuses types without a kernel, rows that do not fit, and non-finite values', async () => {
    await expect(quantizeGgmlGpu(ctx!, 'Q8_0', new Float32Array(256), { importance: new Float32Array(256) })).rejects.toThrow(UnsupportedModelError);
    await expect(quantizeGgmlGpu(ctx!, 'Q4_K', new Float32Array(512), { importance: new Float32Array(384) })).rejects.toThrow(/not whole rows of 384/);
    const x = new Float32Array(256);
    x[9] = Infinity;
    const err = await quantizeGgmlGpu(ctx!, 'Q5_K', x, { importance: new Float32Array(256) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShapeError);
    expect((err as Error).message).toBe('cannot quantize to Q5_K: value Infinity at element 9 is not finite');
  });

  gpuIt('past maxStorageBufferBindingSize, goes in slices of whole importance rows to the same bytes', async () => {
    // 4096 bytes bind 1024 floats: two rows of 512 a pass, five rows in three passes.
    const small = { ...ctx!, limits: { ...ctx!.limits, maxStorageBufferBindingSize: 4096 } };
    const x = seededWeights(512 * 5, 77);
    const rnd = seededRandom(78);
    const importance = Float32Array.from({ length: 512 }, () => rnd() * 4);
    for (const type of ['Q4_0', 'Q4_K']) {
      expect(await quantizeGgmlGpu(small, type, x, { importance }), type).toEqual(await quantizeGgmlGpu(ctx!, type, x, { importance }));
    }
  });
});
