// The CPU references against llama.cpp itself (fixtures/README.md "Reference quantizations"):
// re-quantize every weight of the fixture's F32/F16 GGUF and compare, block by block, with the
// bytes llama-quantize (b10573) wrote into model-<TYPE>-pure.gguf (thresholds: testing/llama-cpp-compare.ts).
import { describe, expect } from 'vitest';
import { openGguf } from '../../formats/gguf/gguf-reader';
import { fixtureSource, itWithFixtures } from '../../formats/gguf/testing/fixtures';
import { compareWithLlamaCpp, MAX_ERROR_RATIO, MIN_IDENTICAL_SHARE } from './testing/llama-cpp-compare';

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

