// The importance-weighted references against llama.cpp (fixtures/README.md "Importance
// matrix"): given the importance matrix llama-imatrix wrote, read in either of its formats, every
// block the studio quantizes from the fixture's F16 GGUF must equal the ones llama-quantize
// --imatrix wrote into model-<TYPE>[-pure]-imatrix.gguf (thresholds: testing/llama-cpp-compare.ts).
import { describe, expect } from 'vitest';
import { openGguf } from '../../formats/gguf/gguf-reader';
import { fixtureSource, itWithFixtures } from '../../formats/gguf/testing/fixtures';
import { readImatrix } from '../../formats/imatrix/imatrix-file';
import { compareWithLlamaCpp, MAX_ERROR_RATIO, MIN_IDENTICAL_SHARE } from './testing/llama-cpp-compare';

const IMATRIX_DIR = 'models/small-llama/gguf/llama.cpp-imatrix';
const IMATRIX_FILES = ['Q4_0-pure', 'Q2_K-pure', 'Q3_K_S-pure', 'Q4_K_S-pure', 'Q5_K_S-pure', 'Q6_K-pure', 'Q4_K_M'];

describe('small-llama: importance-weighted CPU references vs llama-quantize --imatrix', () => {
  const src = 'models/small-llama/gguf/model-f16.gguf';
  for (const format of ['imatrix.gguf', 'imatrix.dat']) {
    // The legacy reader only needs one (quick) type to show it yields the same importance.
    const files = format === 'imatrix.gguf' ? IMATRIX_FILES : ['Q4_0-pure'];
    for (const file of files) {
      const ref = `${IMATRIX_DIR}/model-${file}-imatrix.gguf`;
      itWithFixtures([src, ref, `${IMATRIX_DIR}/${format}`], `${file} with ${format}: blocks identical to llama-quantize`, async () => {
        const imatrix = await readImatrix(await fixtureSource(`${IMATRIX_DIR}/${format}`));
        const r = await compareWithLlamaCpp(await openGguf(await fixtureSource(src)), await openGguf(await fixtureSource(ref)), imatrix);
        const share = r.identical / r.blocks;
        console.log(
          `small-llama ${file} + ${format}: ${r.identical}/${r.blocks} blocks identical (${(100 * share).toFixed(3)} %), ` +
            `Σw(x̂−x)² ours ${r.sqErrOurs.toPrecision(8)} vs llama.cpp ${r.sqErrTheirs.toPrecision(8)}` +
            (r.worst ? `; first difference: ${r.worst}` : ''),
        );
        expect(share, r.worst).toBeGreaterThanOrEqual(file.startsWith('Q4_0') ? MIN_IDENTICAL_SHARE.legacy : MIN_IDENTICAL_SHARE.kQuant);
        expect(r.sqErrOurs).toBeLessThanOrEqual(r.sqErrTheirs * MAX_ERROR_RATIO);
      }, 600_000);
    }
  }
});
