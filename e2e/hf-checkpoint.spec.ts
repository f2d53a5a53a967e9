// A Hugging Face checkpoint dropped on the page, as a person would: tiny-llama's
// model.safetensors + config.json + tokenizer.json. The page offers to build its ONNX graph; once
// built, the model is evaluated like the export (the reference perplexity), quantized to 4-bit
// ONNX, and the download runs in onnxruntime-node with the perplexity the page showed. A lone
// GGUF (no config.json) is built from its own metadata.
import { openAsBlob } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { blobSource } from '../src/core/byte-source';
import { openOnnx } from '../src/formats/onnx/onnx-reader';
import { nodePerplexity } from './onnx-check';
import { compressAndScore } from './page-steps';

const TINY = resolve(import.meta.dirname, '../../shared/fixtures/models/tiny-llama');
const W = 4;

test('a dropped safetensors checkpoint: build its graph, evaluate, quantize to 4-bit ONNX, download', async ({ page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles([`${TINY}/model.safetensors`, `${TINY}/config.json`, `${TINY}/tokenizer.json`]);
  await expect(page.getByTestId('param-count')).toHaveText('1.84 M');
  await expect(page.getByTestId('format-onnx')).toBeDisabled();
  await expect(page.getByTestId('onnx-only-note')).toContainText('The studio can build its graph (llama, float32)');

  await page.getByTestId('build-graph').click();
  await expect(page.getByTestId('built-from')).toContainText('ONNX graph built by the studio from model.safetensors (safetensors): 7.40 MB float32');
  await expect(page.getByTestId('onnx-only-note')).toHaveCount(0);
  await expect(page.getByTestId('format-onnx')).toBeEnabled();

  // The original, evaluated on its built graph: the export's W=4 perplexity on the bundled excerpt.
  await page.getByTestId('eval-backend-wasm').check();
  await page.getByTestId('eval-windows').selectOption(String(W));
  await page.getByTestId('evaluate-button').click();
  await expect(page.getByTestId('eval-ppl')).toBeVisible({ timeout: 120_000 });
  const original = Number(await page.getByTestId('eval-ppl').textContent());
  const exported = await nodePerplexity(`${TINY}/onnx/model.onnx`, W);
  console.log(`built graph in the page ${original}, fixture export in onnxruntime-node ${exported} (W=${W})`);
  expect(Math.abs(original / exported - 1)).toBeLessThan(1e-3);

  await page.getByTestId('format-onnx').check();
  await page.getByTestId('rule-0-bits').selectOption('4');
  await page.getByTestId('rule-0-group').selectOption('32');
  const { ppl } = await compressAndScore(page);
  const downloading = page.waitForEvent('download');
  await page.getByTestId('result-panel').getByTestId('download-button').click();
  const download = await downloading;
  const path = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(path);
  const onnx = await openOnnx([blobSource(await openAsBlob(path), download.suggestedFilename())]);
  expect(onnx.graph.nodes.filter((n) => n.opType === 'MatMulNBits').length).toBeGreaterThanOrEqual(28);
  const node = await nodePerplexity(path, W);
  console.log(`4-bit/32 from the checkpoint: page ${ppl}, onnxruntime-node on the download ${node}`);
  expect(Math.abs(node / ppl - 1)).toBeLessThan(0.005);
  expect(pageErrors).toEqual([]);
});

test('a lone GGUF builds its graph from its own metadata', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles([`${TINY}/gguf/model-f32.gguf`]);
  await expect(page.getByTestId('onnx-only-note')).toContainText('The studio can build its graph (llama, float32)');
  await page.getByTestId('build-graph').click();
  await expect(page.getByTestId('built-from')).toContainText('from model-f32.gguf (gguf)');
  await expect(page.getByTestId('format-onnx')).toBeEnabled();
});
