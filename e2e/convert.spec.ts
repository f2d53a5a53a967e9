// GGUF output and llama.cpp types end to end: the sample compressed to GGUF with the Q8_0 preset,
// pure, has exactly llama.cpp's tensor bytes (checked here in Node against the llama-quantize
// fixture) and carries its recipe; a dropped GGUF is inspected and offered GGUF/safetensors output
// (not ONNX); a one-point sweep over a llama.cpp type puts its point, named by type, on the chart.
import { openAsBlob } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { blobSource } from '../src/core/byte-source';
import { recipeId } from '../src/core/recipe-id';
import { openGguf, readGgufTensor } from '../src/formats/gguf/gguf-reader';
import { loadSample, sampleSweepOfLlamaCppType } from './page-steps';

// The shared fixtures sit beside the repository (CI: ../shared next to the clone).
const TINY = resolve(import.meta.dirname, '../../shared/fixtures/models/tiny-llama');
const Q8_0_PURE = `${TINY}/gguf/llama.cpp-quantized/model-Q8_0-pure.gguf`;
const F32_GGUF = `${TINY}/gguf/model-f32.gguf`;


async function openGgufFile(path: string) {
  return openGguf(blobSource(await openAsBlob(path), path));
}

test('the sample exports as GGUF Q8_0 --pure with llama.cpp\'s tensor bytes', async ({ page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/');
  await loadSample(page);

  await page.getByTestId('format-gguf').check();
  await page.getByTestId('quick-recipe').selectOption('gguf-Q8_0');
  await page.getByTestId('recipe-pure').check();
  await expect(page.getByTestId('rules-empty')).toContainText('the Q8_0 preset decides every tensor');
  await expect(page.getByTestId('plan-line')).toContainText('30 of 30 tensors quantized');
  await expect(page.getByTestId('plan-line')).toHaveAttribute('data-planning', 'false');
  const planned = await page.getByTestId('plan-output-bytes').getAttribute('title');
  await page.getByTestId('compress-button').click();
  await expect(page.getByTestId('result-scheme')).toContainText('GGUF · ggml Q8_0');
  const downloading = page.waitForEvent('download');
  await page.getByTestId('result-panel').getByTestId('download-button').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('model-Q8_0-pure.gguf');
  const exported = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(exported);
  await expect(page.getByTestId('result-panel').getByTestId('download-done')).toContainText('model-Q8_0-pure.gguf');

  const [ours, theirs] = await Promise.all([openGgufFile(exported), openGgufFile(Q8_0_PURE)]);
  // Same tensors, types and bytes; the order follows the source (ONNX initializers vs HF checkpoint).
  const types = (f: typeof ours) => f.tensors.map((t) => `${t.name} ${t.type.name} ${t.shape.join('x')}`).sort();
  expect(types(ours)).toEqual(types(theirs));
  for (const t of theirs.tensors) {
    const [a, b] = await Promise.all([readGgufTensor(ours, t.name), readGgufTensor(theirs, t)]);
    expect(Buffer.from(a).equals(Buffer.from(b)), `tensor ${t.name}`).toBe(true);
  }
  // The plan said the size to the byte, and the file carries the recipe it was made with.
  expect(`${ours.source.byteLength.toLocaleString('en-US')} bytes`).toBe(planned);
  expect(JSON.parse(String(ours.metadata.get('compression_studio.recipe')!.value))).toEqual({ recipe: 1, preset: 'Q8_0', pure: true, rules: [] });
  expect(pageErrors).toEqual([]);
});

test('a dropped GGUF is inspected and offered GGUF and safetensors output, not ONNX; perplexity says it needs ONNX', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(F32_GGUF);
  const fixture = await openGgufFile(F32_GGUF);
  await expect(page.getByTestId('architecture')).toHaveText('llama');
  await expect(page.getByTestId('tensor-count')).toHaveText(String(fixture.tensors.length));
  await expect(page.getByTestId('onnx-only-note')).toContainText('run an ONNX graph');
  await expect(page.getByTestId('format-onnx')).toBeDisabled();
  await expect(page.getByTestId('format-gguf')).toBeChecked();
  await expect(page.getByTestId('plan-line')).toContainText('output');
  await page.getByTestId('format-safetensors').check();
  await page.getByTestId('quick-recipe').selectOption('safetensors-bf16');
  await expect(page.getByTestId('plan-line')).toContainText('0 of 30 tensors quantized');
  await expect(page.getByTestId('plan-error')).toHaveCount(0);
});

test('a sweep over one llama.cpp type (Q8_0, W=4) puts its point on the chart', async ({ page }) => {
  await sampleSweepOfLlamaCppType(page, 'Q8_0');
  await expect(page.getByTestId('sweep-grid-size')).toContainText('1 point ');
  await page.getByTestId('sweep-start').click();

  const id = recipeId({ recipe: 1, preset: 'Q8_0', rules: [] });
  const point = page.getByTestId('sweep-chart').locator(`[data-testid="sweep-point"][data-point-id="${id}"]`);
  await expect(point).toHaveCount(1, { timeout: 240_000 });
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-status', 'done');
  expect(Number(await point.getAttribute('data-ppl'))).toBeGreaterThan(0);
  await point.hover();
  await expect(page.getByTestId('point-tooltip')).toContainText('Q8_0');
  // The table says what the file holds: every quantized tensor Q8_0 (the sample's 128-wide rows take its 32-blocks).
  await expect(page.getByTestId('sweep-row-types')).toHaveText(/^Q8_0 ×\d+$/);
});

test('a llama.cpp mix the sample cannot take as asked: the sweep table names the types llama.cpp fell back to', async ({ page }) => {
  await sampleSweepOfLlamaCppType(page, 'Q4_K_M');
  await page.getByTestId('sweep-start').click();
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  // 128-wide rows are not a multiple of the k-quants' 256: no Q4_K at all, as llama-quantize does.
  const types = page.getByTestId('sweep-row-types');
  await expect(types).toHaveText(/Q5_0 ×\d+/);
  await expect(types).not.toContainText('Q4_K');
  await expect(types).toHaveAttribute('title', /llama\.cpp Q4_K_M, as written: .*falls back/);
});
