// The CPU references against llama.cpp itself (fixtures/README.md "Reference quantizations"):
// re-quantize every weight of the fixture's F32/F16 GGUF and compare, block by block, with the
// bytes llama-quantize (b10573) wrote into model-<TYPE>-pure.gguf. Legacy types must match every
// block (FORMATS §4.4b); k-quants must match ≥ 99.9 % of blocks (FORMATS §4.3: best-effort) and
// their dequantized error must be no worse than llama.cpp's.
import { describe, expect } from 'vitest';
import { openGguf, readGgufTensor, type GgufFile } from '../../formats/gguf/gguf-reader';
import { fixtureSource, itWithFixtures } from '../../formats/gguf/testing/fixtures';
import { dequantizeGgmlRef, quantizeGgmlRef } from './ggml-codec';

/** Named thresholds: share of blocks identical to llama.cpp's. */
const MIN_IDENTICAL_SHARE = { legacy: 1, kQuant: 0.999 } as const;
/** Our squared error may exceed llama.cpp's by at most this factor (k-quants only). */
const MAX_ERROR_RATIO = 1 + 1e-9;

interface Parity {
  blocks: number;
  identical: number;
  sqErrOurs: number;
  sqErrTheirs: number;
  worst?: string;
}

async function compareWithLlamaCpp(source: GgufFile, quantized: GgufFile): Promise<Parity> {
  const r: Parity = { blocks: 0, identical: 0, sqErrOurs: 0, sqErrTheirs: 0 };
  let checked = 0;
  for (const t of quantized.tensors) {
    const s = source.tensors.find((x) => x.name === t.name);
    expect(s, `${t.name} missing from the source`).toBeDefined();
    if (!s || t.type.name === s.type.name) continue; // copied, not quantized (norms)
    checked++;
    const x = dequantizeGgmlRef(s.type.name, await readGgufTensor(source, s));
    const ours = quantizeGgmlRef(t.type.name, x);
    const theirs = await readGgufTensor(quantized, t);
    expect(ours.byteLength).toBe(theirs.byteLength);
    const bb = t.type.blockBytes;
    for (let b = 0; b < ours.byteLength / bb; b++) {
      r.blocks++;
      let diff = 0;
      for (let k = 0; k < bb; k++) if (ours[b * bb + k] !== theirs[b * bb + k]) diff++;
      if (diff === 0) r.identical++;
      else r.worst ??= `${t.name} block ${b}: ${diff} of ${bb} bytes differ`;
    }
    const dq = dequantizeGgmlRef(t.type.name, ours);
    const dt = dequantizeGgmlRef(t.type.name, theirs);
    for (let i = 0; i < x.length; i++) {
      r.sqErrOurs += (dq[i] - x[i]) ** 2;
      r.sqErrTheirs += (dt[i] - x[i]) ** 2;
    }
  }
  expect(checked).toBeGreaterThan(0);
  return r;
}

const CASES = [
  { model: 'tiny-llama', source: 'model-f32.gguf', files: ['Q8_0', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1'] },
  { model: 'small-llama', source: 'model-f16.gguf', files: ['Q8_0', 'Q4_0', 'Q6_K', 'Q5_K_S', 'Q4_K_S', 'Q3_K_S', 'Q2_K'] },
];

for (const c of CASES) {
  describe(`${c.model}: CPU references vs llama.cpp`, () => {
    for (const file of c.files) {
      const src = `models/${c.model}/gguf/${c.source}`;
      const ref = `models/${c.model}/gguf/llama.cpp-quantized/model-${file}-pure.gguf`;
      itWithFixtures([src, ref], `${file}-pure: blocks identical to llama-quantize`, async () => {
        const r = await compareWithLlamaCpp(await openGguf(await fixtureSource(src)), await openGguf(await fixtureSource(ref)));
        const share = r.identical / r.blocks;
        const kQuant = file.includes('_K');
        console.log(
          `${c.model} ${file}: ${r.identical}/${r.blocks} blocks identical (${(100 * share).toFixed(3)} %), ` +
            `Σ(x̂−x)² ours ${r.sqErrOurs.toPrecision(8)} vs llama.cpp ${r.sqErrTheirs.toPrecision(8)}` +
            (r.worst ? `; first difference: ${r.worst}` : ''),
        );
        expect(share, r.worst).toBeGreaterThanOrEqual(kQuant ? MIN_IDENTICAL_SHARE.kQuant : MIN_IDENTICAL_SHARE.legacy);
        expect(r.sqErrOurs).toBeLessThanOrEqual(r.sqErrTheirs * MAX_ERROR_RATIO);
      }, 600_000);
    }
  });
}
