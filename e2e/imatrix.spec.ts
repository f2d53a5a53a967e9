// Importance matrices in the page, end to end: the sample to GGUF Q4_0 --pure with "importance
// matrix" on calibrates on a short text (wasm), the result offers the measured matrix in
// llama.cpp's format; loading that file back as the importance source compresses without running
// the model and gives the very same file, which differs from the plain Q4_0 one; a matrix made for
// another model is refused with what and where, and the page stays usable. A sweep puts a llama.cpp
// type with and without an importance matrix side by side.
import { openAsBlob, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { blobSource } from '../src/core/byte-source';
import { recipeId } from '../src/core/recipe-id';
import { openGguf, readGgufTensor } from '../src/formats/gguf/gguf-reader';
import { readImatrix } from '../src/formats/imatrix/imatrix-file';
import { dropFiles } from './drop-files';
import { loadSample, sampleSweepOfLlamaCppType } from './page-steps';

const SMALL_IMATRIX = resolve(import.meta.dirname, '../../shared/fixtures/models/small-llama/gguf/llama.cpp-imatrix/imatrix.gguf');

async function compressAndSave(page: Page, path: (name: string) => string): Promise<string> {
  await expect(page.getByTestId('plan-line')).toHaveAttribute('data-planning', 'false');
  await page.getByTestId('compress-button').click();
  await expect(page.getByTestId('result-scheme')).toContainText('GGUF', { timeout: 240_000 });
  await expect(page.getByTestId('result-stale')).toHaveCount(0);
  const downloading = page.waitForEvent('download');
  await page.getByTestId('result-panel').getByTestId('download-button').click();
  const download = await downloading;
  const out = path(download.suggestedFilename());
  await download.saveAs(out);
  return out;
}

const tensorBytes = async (path: string) => {
  const g = await openGguf(blobSource(await openAsBlob(path), path));
  return new Map(await Promise.all(g.tensors.map(async (t) => [t.name, Buffer.from(await readGgufTensor(g, t))] as const)));
};

test('the sample as GGUF Q4_0 with an importance matrix: measured, downloaded, loaded back, same file', async ({ page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/');
  await loadSample(page);
  await page.getByTestId('eval-backend-wasm').check();
  await page.getByTestId('format-gguf').check();
  await page.getByTestId('quick-recipe').selectOption('gguf-Q4_0');
  await page.getByTestId('recipe-pure').check();
  const plainPath = await compressAndSave(page, (n) => testInfo.outputPath(`plain-${n}`));

  await page.getByTestId('recipe-imatrix').check();
  await expect(page.getByTestId('calibration-fields')).toBeVisible();
  await expect(page.getByTestId('imatrix-source')).toHaveValue('');
  await page.getByTestId('calibration-windows').fill('2');
  // One pass over the original model, as llama-imatrix measures.
  await expect(page.getByTestId('calibration-sequential')).toBeChecked();
  await page.getByTestId('calibration-sequential').uncheck();
  const measuredPath = await compressAndSave(page, (n) => testInfo.outputPath(`measured-${n}`));
  expect(measuredPath.endsWith('model-Q4_0-pure-imatrix.gguf')).toBe(true);
  await expect(page.getByTestId('result-calibration')).toContainText('512 tokens');
  await expect(page.getByTestId('result-calibration')).toContainText('one pass over the original model');

  // The measured importance, as llama.cpp's file.
  const downloading = page.waitForEvent('download');
  await page.getByTestId('imatrix-download').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('model-imatrix.gguf');
  const imatrixPath = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(imatrixPath);
  const matrix = await readImatrix(blobSource(await openAsBlob(imatrixPath), 'model-imatrix.gguf'));
  expect([matrix.chunkCount, matrix.chunkSize, matrix.legacy]).toEqual([2, 256, false]);
  expect(matrix.entries.get('blk.0.attn_q.weight')?.counts[0]).toBe(512);

  // Loaded back as the importance source: nothing runs, the same bytes come out.
  await page.getByTestId('imatrix-file').setInputFiles(imatrixPath);
  await expect(page.getByTestId('imatrix-source')).toHaveValue('model-imatrix.gguf');
  await expect(page.getByTestId('imatrix-info')).toContainText('measured on 2 chunks of 256 tokens');
  await expect(page.getByTestId('calibration-windows')).toHaveCount(0);
  const fromFilePath = await compressAndSave(page, (n) => testInfo.outputPath(`from-file-${n}`));
  await expect(page.getByTestId('result-calibration')).toContainText('Importance read from model-imatrix.gguf');

  const [plain, measured, fromFile] = await Promise.all([tensorBytes(plainPath), tensorBytes(measuredPath), tensorBytes(fromFilePath)]);
  for (const [name, bytes] of measured) expect(bytes.equals(fromFile.get(name)!), name).toBe(true);
  const changed = [...measured].filter(([name, bytes]) => !bytes.equals(plain.get(name)!)).map(([name]) => name);
  expect(changed).toContain('blk.0.ffn_down.weight');
  expect(changed).not.toContain('token_embd.weight');

  // Another model's matrix, dropped on the page: it becomes the importance source, and compressing
  // with it is refused, naming the file and the weight; the last result stays.
  await dropFiles(page, page.getByTestId('drop-zone'), [{ name: 'imatrix.gguf', buffer: readFileSync(SMALL_IMATRIX) }]);
  await expect(page.getByTestId('imatrix-source')).toHaveValue('imatrix.gguf');
  await page.getByTestId('compress-button').click();
  await expect(page.getByTestId('error-banner')).toContainText(/imatrix\.gguf has \d+ importance values for blk\.\d+\.\w+\.weight, whose rows have \d+: it was made for another model/);
  await expect(page.getByTestId('result-panel')).toBeVisible();
  expect(pageErrors).toEqual([]);
});

test('a sweep puts a llama.cpp type with and without an importance matrix on one chart', async ({ page }) => {
  await sampleSweepOfLlamaCppType(page, 'Q4_0');
  await page.getByTestId('sweep-gguf-imatrix-yes').check();
  await expect(page.getByTestId('sweep-grid-size')).toContainText('2 points');
  await page.getByTestId('sweep-calibration-windows').fill('2');
  await page.getByTestId('sweep-start').click();

  const plain = recipeId({ recipe: 1, preset: 'Q4_0', rules: [] });
  const weighted = recipeId({ recipe: 1, preset: 'Q4_0', imatrix: true, calibration: { text: 'builtin', windows: 2, sequential: false }, rules: [] });
  const chart = page.getByTestId('sweep-chart');
  for (const id of [plain, weighted]) await expect(chart.locator(`[data-testid="sweep-point"][data-point-id="${id}"]`)).toHaveCount(1, { timeout: 240_000 });
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-status', 'done');
  // Same size, different numbers: the importance matrix changed the blocks.
  const a = chart.locator(`[data-testid="sweep-point"][data-point-id="${plain}"]`);
  const b = chart.locator(`[data-testid="sweep-point"][data-point-id="${weighted}"]`);
  expect(await a.getAttribute('data-ppl')).not.toBe(await b.getAttribute('data-ppl'));
  await b.hover();
  await expect(page.getByTestId('point-tooltip')).toContainText('Q4_0 + imatrix');
  // Its own marker, named in the key under the chart.
  await expect(page.locator('[data-testid="method-key-item"][data-method="llama.cpp imatrix"]')).toContainText('llama.cpp + imatrix');
});
