// A Hugging Face checkpoint dropped on the page, as a person would: tiny-llama's
// model.safetensors + config.json + tokenizer.json. The page offers to build its ONNX graph; once
// built, the model is evaluated like the export (the reference perplexity), quantized to 4-bit
// ONNX, and the download runs in onnxruntime-node with the perplexity the page showed; saved as a
// transformers.js zip, the unzipped folder generates text in @huggingface/transformers, in Node and
// in a Chromium page (the same text). A
// lone GGUF (no config.json, no tokenizer.json) is built from its own metadata and evaluates; a
// GGUF llama.cpp already quantized gets the re-quantization warning, before and after building.
import { openAsBlob } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers';
import { unzipSync } from 'fflate';
import { expect, test } from '@playwright/test';
import { blobSource } from '../src/core/byte-source';
import { openOnnx } from '../src/formats/onnx/onnx-reader';
import { nodePerplexity } from './onnx-check';
import { compressAndScore, downloadResult, evaluateOriginal } from './page-steps';
import { generateInPage } from './transformers-page';

const TINY = resolve(import.meta.dirname, '../../shared/fixtures/models/tiny-llama');
const W = 4;

test('a dropped safetensors checkpoint: build its graph, evaluate, quantize to 4-bit ONNX, download', async ({ page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles([`${TINY}/model.safetensors`, `${TINY}/config.json`, `${TINY}/tokenizer.json`]);
  await expect(page.getByTestId('param-count')).toHaveText('1.84 M');
  await expect(page.getByTestId('format-onnx')).toBeDisabled();
  await expect(page.getByTestId('onnx-only-note')).toContainText('The studio can build its graph (llama)');

  await page.getByTestId('build-graph').click();
  await expect(page.getByTestId('built-from')).toContainText('ONNX graph built by the studio from model.safetensors (safetensors): 7.40 MB float32');
  await expect(page.getByTestId('onnx-only-note')).toHaveCount(0);
  await expect(page.getByTestId('format-onnx')).toBeEnabled();

  // The original, evaluated on its built graph: the export's W=4 perplexity on the bundled excerpt.
  const original = await evaluateOriginal(page, W);
  const exported = await nodePerplexity(`${TINY}/onnx/model.onnx`, W);
  console.log(`built graph in the page ${original}, fixture export in onnxruntime-node ${exported} (W=${W})`);
  expect(Math.abs(original / exported - 1)).toBeLessThan(1e-3);

  await page.getByTestId('format-onnx').check();
  await page.getByTestId('rule-0-bits').selectOption('4');
  await page.getByTestId('rule-0-group').selectOption('32');
  const { ppl } = await compressAndScore(page);
  const { path, name } = await downloadResult(page, testInfo);
  const onnx = await openOnnx([blobSource(await openAsBlob(path), name)]);
  expect(onnx.graph.nodes.filter((n) => n.opType === 'MatMulNBits').length).toBeGreaterThanOrEqual(28);
  const node = await nodePerplexity(path, W);
  console.log(`4-bit/32 from the checkpoint: page ${ppl}, onnxruntime-node on the download ${node}`);
  expect(Math.abs(node / ppl - 1)).toBeLessThan(0.005);

  // The same result as a transformers.js folder: unzipped, @huggingface/transformers generates with it.
  const zipping = page.waitForEvent('download');
  await page.getByTestId('result-panel').getByTestId('tjs-download').click();
  const zip = await zipping;
  expect(zip.suggestedFilename()).toMatch(/-q4\.zip$/);
  const zipPath = testInfo.outputPath(zip.suggestedFilename());
  await zip.saveAs(zipPath);
  const root = testInfo.outputPath('unzipped');
  const entries = unzipSync(new Uint8Array(await readFile(zipPath)));
  for (const [name, bytes] of Object.entries(entries)) {
    await mkdir(dirname(join(root, name)), { recursive: true });
    await writeFile(join(root, name), bytes);
  }
  const folder = join(root, zip.suggestedFilename().replace(/\.zip$/, ''));
  expect(Object.keys(entries).map((n) => n.slice(n.indexOf('/') + 1)).sort()).toEqual(['README.md', 'config.json', 'generation_config.json', 'onnx/model_q4.onnx', 'tokenizer.json', 'tokenizer_config.json']);
  expect(await readFile(join(folder, 'README.md'), 'utf8')).toContain(`Perplexity ${ppl.toFixed(4)} on the bundled wikitext-2 test excerpt (${W} windows`);
  env.allowRemoteModels = false;
  env.localModelPath = `${root}/`;
  const id = basename(folder);
  const tokenizer = await AutoTokenizer.from_pretrained(id);
  const model = await AutoModelForCausalLM.from_pretrained(id, { dtype: 'q4' });
  const out = (await model.generate({ ...tokenizer('The history of'), max_new_tokens: 8, do_sample: false })) as unknown as { tolist(): bigint[][] };
  const text = tokenizer.decode(out.tolist()[0].map(Number), { skip_special_tokens: true });
  await model.dispose();
  console.log(`transformers.js on the unzipped folder: ${JSON.stringify(text)}`);
  expect(text.startsWith('The history of')).toBe(true);
  expect(text.length).toBeGreaterThan('The history of'.length + 5);

  // The same folder served to a Chromium page: transformers.js' browser build loads it there too
  // and generates the same greedy text (everything served from this machine, nothing remote).
  const inPage = await generateInPage(page.context(), folder, 'q4', 'The history of', 8);
  console.log(`transformers.js in Chromium on the folder: ${JSON.stringify(inPage.text)} (requests: ${inPage.requests.join(' ')})`);
  expect(inPage.text).toBe(text);
  expect(inPage.requests).toContain(`/models/${id}/onnx/model_q4.onnx`);
  expect(pageErrors).toEqual([]);
});

test('a lone GGUF builds its graph from its own metadata, in float16 when asked', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles([`${TINY}/gguf/model-f32.gguf`]);
  await expect(page.getByTestId('onnx-only-note')).toContainText('The studio can build its graph (llama)');
  await page.getByTestId('build-graph-float16').check();
  await page.getByTestId('build-graph').click();
  await expect(page.getByTestId('built-from')).toContainText('from model-f32.gguf (gguf): 3.73 MB float16');
  await expect(page.getByTestId('format-onnx')).toBeEnabled();
  // Its weights are float16, as the tensor table shows.
  await expect(page.getByTestId('tensor-table')).toContainText('f16');
  // The GGUF's own vocabulary stands in for tokenizer.json: the original evaluates.
  const ppl = await evaluateOriginal(page, W);
  const exported = await nodePerplexity(`${TINY}/onnx/model.onnx`, W);
  console.log(`lone GGUF, float16 graph in the page ${ppl}, fixture export ${exported} (W=${W})`);
  expect(Math.abs(ppl / exported - 1)).toBeLessThan(3e-3);
});

test('re-quantizing a GGUF llama.cpp already quantized: the plan warns, also after building its graph', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles([`${TINY}/gguf/llama.cpp-quantized/model-Q8_0-pure.gguf`]);
  await page.getByTestId('format-gguf').check();
  await page.getByTestId('quick-recipe').selectOption('gguf-Q4_0');
  await expect(page.getByTestId('plan-note').filter({ hasText: 'already quantized in model-Q8_0-pure.gguf (Q8_0)' })).toBeVisible();
  await page.getByTestId('build-graph').click();
  await expect(page.getByTestId('built-from')).toContainText('from model-Q8_0-pure.gguf (gguf)');
  await page.getByTestId('format-onnx').check();
  await expect(page.getByTestId('plan-line')).toHaveAttribute('data-planning', 'false');
  await expect(page.getByTestId('plan-note').filter({ hasText: 'already quantized in model-Q8_0-pure.gguf (Q8_0)' })).toBeVisible();
});
