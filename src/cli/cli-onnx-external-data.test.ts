// ONNX exports past the single-file limit keep their tensors in external data files, named as
// transformers.js loads them (OUT.onnx_data, OUT.onnx_data_1, …). The limit is protobuf's 2 GiB;
// --max-shard-size sets it lower, which is how these tests reach it with tiny-llama (300 kB a
// file instead of 2 GiB). Checked in the runtimes that consume the files: onnxruntime-node gives
// the same perplexity as the single-file export, and transformers.js generates the same text.
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers';
import { expect, it } from 'vitest';
import { describeWithFixtures, fixturePath } from '../core/testing/fixtures';
import { openOnnx } from '../formats/onnx/onnx-reader';
import { fileSource } from './node-files';
import { runCli } from './run-cli';

const TINY = ['models', 'tiny-llama'];
const tmp = mkdtempSync(join(tmpdir(), 'studio-external-'));
const LIMIT = 300_000;

async function perplexity(onnx: string): Promise<number> {
  const r = await runCli(['eval', onnx, '--json', '--windows', '4', '--tokenizer', fixturePath(...TINY, 'tokenizer.json')]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).ppl;
}

async function generate(folder: string): Promise<string> {
  env.allowRemoteModels = false;
  env.localModelPath = `${dirname(folder)}/`;
  const tokenizer = await AutoTokenizer.from_pretrained(basename(folder));
  const model = await AutoModelForCausalLM.from_pretrained(basename(folder), { dtype: 'q4' });
  const out = (await model.generate({ ...tokenizer('The history of the city'), max_new_tokens: 12, do_sample: false })) as unknown as { tolist(): bigint[][] };
  await model.dispose();
  return tokenizer.decode(out.tolist()[0].map(Number), { skip_special_tokens: true });
}

describeWithFixtures('ONNX output with external data', [[...TINY, 'onnx', 'model.onnx'], [...TINY, 'model.safetensors']], () => {
  it('quantize --max-shard-size 300kB: the tensors go to q4.onnx_data, _data_1, …, each within the limit, and onnxruntime runs it as the single file', async () => {
    const single = join(tmp, 'single.onnx');
    const split = join(mkdtempSync(join(tmp, 'split-')), 'q4.onnx');
    const args = (out: string) => ['quantize', fixturePath(...TINY, 'onnx', 'model.onnx'), '-o', out, '--bits', '4', '--block', '32'];
    expect((await runCli(args(single))).code).toBe(0);
    const dry = await runCli([...args(split), '--max-shard-size', String(LIMIT), '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const planned = JSON.parse(dry.stdout);
    expect(planned.notes.join('\n')).toMatch(/external data files? beside it \(q4\.onnx_data/);

    const r = await runCli([...args(split), '--max-shard-size', String(LIMIT), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(dirname(split)).sort();
    expect(files[0]).toBe('q4.onnx');
    expect(files.slice(1)).toEqual(files.slice(1).map((_, i) => (i === 0 ? 'q4.onnx_data' : `q4.onnx_data_${i}`)).sort());
    expect(files.length).toBeGreaterThan(3);
    const sizes = files.map((f) => statSync(join(dirname(split), f)).size);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(planned.outputBytes);
    expect(sizes[0]).toBeLessThan(LIMIT);

    // Every tensor of 1 KiB or more is in a data file, within its bounds; a file passes the limit only when one tensor alone does.
    const model = await openOnnx([await fileSource(split), ...(await Promise.all(files.slice(1).map((f) => fileSource(join(dirname(split), f)))))]);
    for (const t of model.graph.initializers) expect(t.data.byteLength < 1024 || t.storage === 'external', t.name).toBe(true);
    for (const f of files.slice(1)) {
      const inFile = model.graph.initializers.filter((t) => t.external?.location === f);
      expect(inFile.length, f).toBeGreaterThan(0);
      if (inFile.length > 1) expect(statSync(join(dirname(split), f)).size, f).toBeLessThanOrEqual(LIMIT);
    }
    const [a, b] = [await perplexity(single), await perplexity(split)];
    console.log(`external data: ${files.length - 1} data files; perplexity single file ${a}, split ${b}`);
    expect(b).toBe(a);
  }, 180_000);

  it('a transformers.js folder with external data: config.json says how many files, and it generates what the single-file folder does', async () => {
    const checkpoint = fixturePath(...TINY, 'model.safetensors');
    const folders = [join(tmp, 'tjs-single'), join(tmp, 'tjs-split')];
    expect((await runCli(['quantize', checkpoint, '-o', folders[0], '--layout', 'transformers.js', '--bits', '4', '--block', '32'])).code).toBe(0);
    const r = await runCli(['quantize', checkpoint, '-o', folders[1], '--layout', 'transformers.js', '--bits', '4', '--block', '32', '--max-shard-size', String(LIMIT)]);
    expect(r.code, r.stderr).toBe(0);
    const data = readdirSync(join(folders[1], 'onnx')).filter((f) => f.startsWith('model_q4.onnx_data'));
    expect(data.length).toBeGreaterThan(1);
    expect(r.stdout).toContain(`transformers.js folder ${folders[1]}: onnx/model_q4.onnx, onnx/model_q4.onnx_data, onnx/model_q4.onnx_data_1`);
    const config = JSON.parse(readFileSync(join(folders[1], 'config.json'), 'utf8'));
    expect(config['transformers.js_config'].use_external_data_format).toEqual({ 'model_q4.onnx': data.length });
    expect(JSON.parse(readFileSync(join(folders[0], 'config.json'), 'utf8'))['transformers.js_config']).toBeUndefined();
    const [single, split] = [await generate(folders[0]), await generate(folders[1])];
    console.log(`transformers.js q4 with ${data.length} data files: ${JSON.stringify(split)}`);
    expect(split).toBe(single);
  }, 240_000);
});
