// A drop never opens something the person did not pick: a model dropped with its importance
// matrix opens, and the matrix is loaded as an importance source (one model, no question); a drop holding
// two models (the sample's ONNX graph and tiny-llama's GGUF) asks which, and opens that one with
// the shared tokenizer; and
// opening a model while a sweep runs asks first, then pauses the sweep — its finished points stay
// and it can resume when the model is opened again.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { dropFiles } from './drop-files';
import { chooseOnly, loadSample, useWasmEvaluation, BIT_CHIPS, BLOCK_CHIPS } from './page-steps';

const TINY = resolve(import.meta.dirname, '../../shared/fixtures/models/tiny-llama');
const SAMPLE = resolve(import.meta.dirname, '../public/sample');

test('a model dropped with an importance matrix: the model opens (no question) and the matrix is loaded as an importance source', async ({ page }) => {
  await page.goto('/');
  await dropFiles(page, page.getByTestId('drop-zone'), [
    { name: 'model.onnx', buffer: readFileSync(resolve(SAMPLE, 'model.onnx')) },
    { name: 'tokenizer.json', buffer: readFileSync(resolve(SAMPLE, 'tokenizer.json')) },
    { name: 'imatrix.gguf', buffer: readFileSync(resolve(TINY, '../small-llama/gguf/llama.cpp-imatrix/imatrix.gguf')) },
  ]);
  await expect(page.getByTestId('param-count')).toHaveText('1.84 M');
  await expect(page.getByTestId('open-choice')).toHaveCount(0);
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  // It is loaded: an importance-weighted llama.cpp recipe offers it as its importance source.
  await page.getByTestId('format-gguf').check();
  await page.getByTestId('quick-recipe').selectOption('gguf-Q4_0');
  await page.getByTestId('recipe-imatrix').check();
  await expect(page.getByTestId('imatrix-source').locator('option', { hasText: 'imatrix.gguf' })).toHaveCount(1);
});

test('two models in one drop: the page asks which, and opens the one chosen', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles([`${SAMPLE}/model.onnx`, `${TINY}/gguf/model-f32.gguf`, `${SAMPLE}/tokenizer.json`, `${SAMPLE}/config.json`]);
  const choice = page.getByTestId('open-choice');
  await expect(choice).toHaveAttribute('data-kind', 'choose-model');
  await expect(choice).toContainText('2 models');
  await expect(choice.getByTestId('open-choice-model')).toHaveText(['model.onnx', 'model-f32.gguf']);
  await expect(page.getByTestId('welcome')).toBeVisible(); // nothing opened yet
  await choice.getByTestId('open-choice-model').filter({ hasText: 'model-f32.gguf' }).click();
  await expect(page.getByTestId('architecture')).toHaveText('llama');
  await expect(page.getByTestId('format-gguf')).toBeChecked();
  await expect(choice).toHaveCount(0);

  // Dismissing keeps the model that is open.
  await page.getByTestId('file-input').setInputFiles([`${SAMPLE}/model.onnx`, `${TINY}/gguf/model-f32.gguf`]);
  await page.getByTestId('open-choice-dismiss').click();
  await expect(page.getByTestId('open-choice')).toHaveCount(0);
  await expect(page.getByTestId('format-gguf')).toBeChecked();
});

test('opening a model while a sweep runs asks first, then pauses the sweep and keeps its points', async ({ page }) => {
  await page.goto('/');
  await loadSample(page);
  await useWasmEvaluation(page, 16);
  await chooseOnly(page, BIT_CHIPS, BIT_CHIPS);
  await chooseOnly(page, BLOCK_CHIPS, ['sweep-block-32', 'sweep-block-64']);
  await chooseOnly(page, ['sweep-asym', 'sweep-sym'], ['sweep-asym']);
  await page.getByTestId('sweep-start').click();
  await expect(page.getByTestId('sweep-row')).toHaveCount(1, { timeout: 120_000 });

  await page.getByTestId('sample-button').click();
  const choice = page.getByTestId('open-choice');
  await expect(choice).toHaveAttribute('data-kind', 'stop-run');
  await expect(choice).toContainText('Stop a sweep and open the sample model?');
  await choice.getByTestId('open-choice-stop').click();
  await expect(choice).toHaveCount(0);
  await expect(page.getByTestId('param-count')).toHaveText('1.84 M');
  // The same model again: its paused sweep is back, with what had finished.
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-status', 'paused', { timeout: 60_000 });
  expect(await page.getByTestId('sweep-row').count()).toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId('sweep-status')).toContainText('of 8 points finished');
});
