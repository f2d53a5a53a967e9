// `--layout transformers.js` from a Hugging Face checkpoint, checked in the runtime that consumes
// it: @huggingface/transformers (in Node, from disk, no hub) loads the folders the CLI writes and
// generates text. Greedy decoding of the float32 folder built from tiny-llama's safetensors gives
// the very tokens of the fixture's PyTorch export; the q4 and q4f16 (a float16 graph, MatMulNBits
// with float16 scales) folders generate too, and the model card carries the recipe and the file's
// measured perplexity.
import { existsSync, mkdtempSync, openAsBlob, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers';
import { expect, it } from 'vitest';
import { blobSource } from '../core/byte-source';
import { describeWithFixtures, fixturePath } from '../core/testing/fixtures';
import { openOnnx } from '../formats/onnx/onnx-reader';
import { runCli } from './run-cli';

const TINY = ['models', 'tiny-llama'];
const tmp = mkdtempSync(join(tmpdir(), 'studio-tjs-'));
const checkpoint = fixturePath(...TINY, 'model.safetensors');
const PROMPT = 'The history of the city';

/** Greedy continuation of PROMPT by the transformers.js model folder `folder` at `dtype`. */
async function generate(folder: string, dtype: 'fp32' | 'q4' | 'q4f16' | 'q8'): Promise<string> {
  env.allowRemoteModels = false;
  env.localModelPath = `${dirname(folder)}/`;
  const id = basename(folder);
  const tokenizer = await AutoTokenizer.from_pretrained(id);
  const model = await AutoModelForCausalLM.from_pretrained(id, { dtype });
  const out = (await model.generate({ ...tokenizer(PROMPT), max_new_tokens: 12, do_sample: false })) as unknown as { tolist(): bigint[][] };
  await model.dispose();
  const ids = out.tolist()[0];
  return tokenizer.decode(ids.map(Number), { skip_special_tokens: true });
}

describeWithFixtures('studio … --layout transformers.js', [[...TINY, 'model.safetensors'], [...TINY, 'onnx', 'model.onnx']], () => {
  it('the float32 folder built from the checkpoint generates what the PyTorch export generates', async () => {
    const recipe = join(tmp, 'keep.json');
    writeFileSync(recipe, JSON.stringify({ recipe: 1, rules: [] }));
    const folder = join(tmp, 'tiny-fp32');
    const r = await runCli(['compress', checkpoint, '-o', folder, '--recipe', recipe, '--layout', 'transformers.js']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(folder, 'onnx'))).toEqual(['model.onnx']);
    const [ours, theirs] = [await generate(folder, 'fp32'), await generate(fixturePath(...TINY), 'fp32')];
    console.log(`transformers.js, greedy: built ${JSON.stringify(ours)}, export ${JSON.stringify(theirs)}`);
    expect(ours).toBe(theirs);
    expect(ours.length).toBeGreaterThan(PROMPT.length + 10);
  }, 120_000);

  it('quantize --bits 4 writes onnx/model_q4.onnx with the files beside it, and it generates', async () => {
    const folder = join(tmp, 'tiny-q4');
    const r = await runCli(['quantize', checkpoint, '-o', folder, '--layout', 'transformers.js', '--bits', '4', '--block', '32']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`transformers.js folder ${folder}: onnx/model_q4.onnx, config.json, generation_config.json, tokenizer.json, tokenizer_config.json, README.md`);
    expect(readdirSync(folder).sort()).toEqual(['README.md', 'config.json', 'generation_config.json', 'onnx', 'tokenizer.json', 'tokenizer_config.json']);
    const text = await generate(folder, 'q4');
    console.log(`transformers.js q4: ${JSON.stringify(text)}`);
    expect(text.startsWith(PROMPT)).toBe(true);
    expect(text.length).toBeGreaterThan(PROMPT.length + 10);
    // The card's perplexity is the file's: the same as `studio eval` on it.
    const card = readFileSync(join(folder, 'README.md'), 'utf8');
    const shown = Number(/Perplexity (\d+\.\d+) on the bundled wikitext-2 test excerpt \(16 windows/.exec(card)![1]);
    const measured = await runCli(['eval', join(folder, 'onnx', 'model_q4.onnx'), '--json', '--windows', '16', '--tokenizer', join(folder, 'tokenizer.json')]);
    expect(shown).toBeCloseTo(JSON.parse(measured.stdout).ppl, 4);
    expect(card).toContain('"bits": 4');
    expect(card).toContain("pipeline('text-generation', './', { dtype: 'q4' })");
  }, 180_000);

  it('--dtype q4f16 builds the checkpoint\'s graph in float16 and writes onnx/model_q4f16.onnx, which generates', async () => {
    const folder = join(tmp, 'tiny-q4f16');
    const r = await runCli(['quantize', checkpoint, '-o', folder, '--layout', 'transformers.js', '--bits', '4', '--block', '32', '--dtype', 'q4f16']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('built an ONNX graph of model.safetensors (llama, 3.5');
    expect(r.stderr).toContain('float16)');
    expect(readdirSync(join(folder, 'onnx'))).toEqual(['model_q4f16.onnx']);
    const onnx = await openOnnx([blobSource(await openAsBlob(join(folder, 'onnx', 'model_q4f16.onnx')), 'model_q4f16.onnx')]);
    const nbits = onnx.graph.nodes.filter((n) => n.opType === 'MatMulNBits');
    expect(nbits.length).toBe(29);
    expect(new Set(nbits.map((n) => onnx.initializerByName.get(n.inputs[2])!.dtype))).toEqual(new Set(['f16']));
    const text = await generate(folder, 'q4f16');
    console.log(`transformers.js q4f16: ${JSON.stringify(text)}`);
    expect(text.startsWith(PROMPT)).toBe(true);
    expect(text.length).toBeGreaterThan(PROMPT.length + 10);
    const card = readFileSync(join(folder, 'README.md'), 'utf8');
    expect(Number(/Perplexity (\d+\.\d+)/.exec(card)![1])).toBeLessThan(70);
  }, 180_000);

  it('refuses what transformers.js cannot name, before writing', async () => {
    const three = await runCli(['quantize', checkpoint, '-o', join(tmp, 'three'), '--layout', 'transformers.js', '--bits', '3']);
    expect(three.stderr).toContain('transformers.js has no dtype for 3-bit weights (q4 is 4-bit, q8 8-bit)');
    const mismatch = await runCli(['quantize', checkpoint, '-o', join(tmp, 'mismatch'), '--layout', 'transformers.js', '--bits', '4', '--dtype', 'q8']);
    expect(mismatch.stderr).toContain('--dtype q8 does not match the recipe, whose weights are q4');
    const q4f16 = await runCli(['quantize', fixturePath(...TINY, 'onnx', 'model.onnx'), '-o', join(tmp, 'q4f16'), '--layout', 'transformers.js', '--bits', '4', '--dtype', 'q4f16']);
    expect(q4f16.stderr).toContain('--dtype q4f16 does not match the recipe, whose weights are q4 (float16 needs a float16 graph: start from the checkpoint or GGUF');
    const file = await runCli(['quantize', checkpoint, '-o', join(tmp, 'x.onnx'), '--layout', 'transformers.js', '--bits', '4']);
    expect(file.stderr).toContain('--layout transformers.js writes a folder: give -o FOLDER');
    const loose = await runCli(['quantize', checkpoint, '-o', join(tmp, 'y.onnx'), '--bits', '4', '--dtype', 'q4']);
    expect(loose.stderr).toContain('--dtype goes with --layout transformers.js');
    for (const r of [three, mismatch, q4f16, file, loose]) expect(r.code).toBe(2);
    expect(['three', 'mismatch', 'q4f16'].filter((d) => existsSync(join(tmp, d, 'onnx')))).toEqual([]);
  }, 120_000);
});
