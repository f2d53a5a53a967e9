// The consumer of our GGUF files, as a test peer: llama.cpp itself (node-llama-cpp ships its
// prebuilt CPU build inside the npm package, so it runs offline). Our exports must load, and
// score the evaluation text as llama.cpp's own files of the same type do (docs/EVAL.md windows,
// L = 256, the model's tokenizer.json ids; llama.cpp's next-token probabilities are the softmax).
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithFixtures, fixturePath, fixtureSource } from '../../core/testing/fixtures';
import { loadTokenizer } from '../../eval/tokenizer';
import { writeFile } from 'node:fs/promises';
import { ggufTypeRecipe } from '../recipe/shorthands';
import { exportFixture, type FixtureModel } from './testing/export-fixtures';
import { llamaCppNll, openLlama, type Llama } from './testing/llama-cpp';

const TINY = ['models', 'tiny-llama'];
const SMALL = ['models', 'small-llama'];
const QUANTIZED = (m: string[], f: string) => [...m, 'gguf', 'llama.cpp-quantized', f];
const tmp = mkdtempSync(join(tmpdir(), 'studio-llama-cpp-'));

let llama: Llama;

async function tokens(modelDir: string[]): Promise<Int32Array> {
  const text = (await readFile(fixturePath('text', 'wikitext-2-test.txt'), 'utf8')).slice(0, 20_000);
  return loadTokenizer(await readFile(fixturePath(...modelDir, 'tokenizer.json'))).encode(text);
}

/** A fixture exported through the seam (recipe → plan → compress → GGUF exporter), written to a file llama.cpp opens. */
async function exportGguf(model: FixtureModel, file: string, type: string, pure: boolean, name: string): Promise<string> {
  const out = join(tmp, name);
  const { files } = await exportFixture(model, file, ggufTypeRecipe(type, pure), 'gguf');
  await writeFile(out, await files[0].read(0, files[0].byteLength));
  return out;
}

const needed = [
  [...TINY, 'model.safetensors'], [...TINY, 'onnx', 'model.onnx'], [...TINY, 'gguf', 'model-f32.gguf'],
  QUANTIZED(TINY, 'model-Q8_0-pure.gguf'), [...SMALL, 'model.safetensors'], QUANTIZED(SMALL, 'model-Q4_K_M.gguf'),
];

describeWithFixtures('GGUF exports in llama.cpp (node-llama-cpp)', needed, () => {
  beforeAll(async () => {
    llama = await openLlama();
  });
  afterAll(async () => llama?.dispose());

  it('tiny-llama: F32 from safetensors and Q8_0 from ONNX score exactly as llama.cpp\'s own files', async () => {
    const ids = await tokens(TINY);
    const f32 = await exportGguf('tiny-llama', 'model.safetensors', 'F32', false, 'tiny-f32.gguf');
    const q8 = await exportGguf('tiny-llama', 'onnx/model.onnx', 'Q8_0', true, 'tiny-q8_0.gguf');

    const oursF32 = await llamaCppNll(llama, f32, ids);
    const theirsF32 = await llamaCppNll(llama, fixturePath(...TINY, 'gguf', 'model-f32.gguf'), ids);
    expect(oursF32).toBe(theirsF32);
    const oursQ8 = await llamaCppNll(llama, q8, ids);
    const theirsQ8 = await llamaCppNll(llama, fixturePath(...QUANTIZED(TINY, 'model-Q8_0-pure.gguf')), ids);
    expect(oursQ8).toBe(theirsQ8);
    // Sanity: a real model scores like its EVAL.md perplexity range, and Q8_0 costs little.
    expect(Math.exp(oursF32)).toBeGreaterThan(20);
    expect(Math.exp(oursF32)).toBeLessThan(100);
    expect(Math.abs(oursQ8 / oursF32 - 1)).toBeLessThan(0.01);
  });

  it('small-llama: Q4_K_M from the bf16 safetensors scores like llama.cpp\'s Q4_K_M (made from F16) within 1 %', async () => {
    const ids = await tokens(SMALL);
    const q4km = await exportGguf('small-llama', 'model.safetensors', 'Q4_K_M', false, 'small-q4_k_m.gguf');
    const ours = await llamaCppNll(llama, q4km, ids);
    const theirs = await llamaCppNll(llama, fixturePath(...QUANTIZED(SMALL, 'model-Q4_K_M.gguf')), ids);
    expect(Math.abs(Math.exp(ours) / Math.exp(theirs) - 1)).toBeLessThan(0.01);
  });
});
