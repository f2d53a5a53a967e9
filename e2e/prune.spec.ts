// Pruning in the page, end to end (wasm evaluation, pruning kernels on WebGPU / SwiftShader):
// a sweep of the sample at 50 % with magnitude and Wanda (calibrating on the bundled validation
// text first) places both points on the sparsity chart, coloured by method; the Wanda point's
// export runs in onnxruntime-node with the perplexity the chart shows (within 0.5 %), and every
// pruned MatMul weight of the file is at least half zeros. Then a prune-then-quantize rule in the
// recipe editor: the result says the sparsity counted from the weights, the gzipped size beside
// the raw one, and how many calibration tokens were used.
import { openAsBlob } from 'node:fs';
import { expect, test } from '@playwright/test';
import { blobSource } from '../src/core/byte-source';
import { DEFAULT_CALIBRATION, type Recipe } from '../src/core/recipe';
import { recipeId } from '../src/core/recipe-id';
import { OUTPUT_HEAD_PATTERN } from '../src/core/tensor-selection';
import { openOnnx, readInitializerFloats } from '../src/formats/onnx/onnx-reader';
import { indexOnnx } from '../src/model/onnx-index';
import { nodePerplexity } from './onnx-check';
import { loadSample, chooseOnly, downloadResult, BIT_CHIPS } from './page-steps';

const W = 8;
const CALIBRATION_WINDOWS = 8;



const WANDA_RECIPE: Recipe = {
  recipe: 1,
  calibration: { ...DEFAULT_CALIBRATION, windows: CALIBRATION_WINDOWS },
  rules: [
    { match: OUTPUT_HEAD_PATTERN, keep: true },
    { match: '.*', role: 'matmul-weight', prune: { method: 'wanda', sparsity: 0.5 } },
  ],
};

test('sweep the sample at 50 % with magnitude and Wanda, see both on the sparsity chart, export the Wanda point', async ({ page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/');
  await loadSample(page);
  await page.getByTestId('eval-backend-wasm').check();
  await page.getByTestId('eval-windows').selectOption(String(W));

  // Pruning alone: no bits, float points, sparsity 50 %, magnitude and Wanda.
  await chooseOnly(page, BIT_CHIPS, []);
  await page.getByTestId('sweep-unquantized').check();
  await chooseOnly(page, ['sweep-sparsity-0', 'sweep-sparsity-0.5'], ['sweep-sparsity-0.5']);
  await chooseOnly(page, ['sweep-prune-magnitude', 'sweep-prune-wanda', 'sweep-prune-sparsegpt'], ['sweep-prune-magnitude', 'sweep-prune-wanda']);
  await page.getByTestId('sweep-calibration-windows').fill(String(CALIBRATION_WINDOWS));
  await expect(page.getByTestId('sweep-grid-size')).toContainText('2 points');
  await page.getByTestId('sweep-start').click();

  const chart = page.getByTestId('sparsity-chart');
  const points = chart.getByTestId('sweep-point');
  await expect(points).toHaveCount(2, { timeout: 240_000 });
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-status', 'done');
  await expect(chart.getByTestId('reference-line')).toHaveCount(1);
  for (const p of await points.all()) expect(Number(await p.getAttribute('data-sparsity'))).toBeGreaterThanOrEqual(0.5);
  // Methods are told apart by colour: two legend entries besides the frontier.
  await expect(chart.locator('.recharts-legend-item-text', { hasText: 'Wanda' })).toHaveCount(1);
  await expect(chart.locator('.recharts-legend-item-text', { hasText: 'Magnitude' })).toHaveCount(1);

  const wanda = chart.locator(`[data-testid="sweep-point"][data-point-id="${recipeId(WANDA_RECIPE)}"]`);
  await wanda.click();
  await expect(page.getByTestId('selected-point')).toHaveAttribute('data-point-id', recipeId(WANDA_RECIPE));
  const chartPpl = Number(await wanda.getAttribute('data-ppl'));

  const downloading = page.waitForEvent('download');
  await page.getByTestId('point-export').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('model-wanda50.onnx');
  const exported = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(exported);
  await expect(page.getByTestId('point-export-done')).toBeVisible();

  const exportedPpl = await nodePerplexity(exported, W);
  console.log(`Wanda 50 % point: chart ppl ${chartPpl}, exported file in onnxruntime-node ${exportedPpl} (W=${W})`);
  expect(Math.abs(exportedPpl / chartPpl - 1)).toBeLessThan(0.005);

  // Read back from the file: every pruned weight (all MatMul weights but the head) is at least half zeros, per row.
  const model = await openOnnx([blobSource(await openAsBlob(exported), 'model-wanda50.onnx')]);
  const index = indexOnnx(model);
  const pruned = index.tensors.filter((t) => t.role === 'matmul-weight' && t.layer !== 'lm_head');
  expect(pruned.length).toBeGreaterThan(0);
  for (const t of pruned) {
    const v = await readInitializerFloats(model, t.name);
    const { rows, cols, rowStride, colStride } = t.layout!;
    for (let r = 0; r < rows; r++) {
      let zeros = 0;
      for (let c = 0; c < cols; c++) if (v[r * rowStride + c * colStride] === 0) zeros++;
      expect(zeros, `${t.layer} row ${r}`).toBeGreaterThanOrEqual(cols / 2);
    }
  }
  expect(pageErrors).toEqual([]);
});

test('a prune-then-quantize rule: sparsity from the weights, the gzipped size, the calibration tokens', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/');
  await loadSample(page);
  await page.getByTestId('eval-backend-wasm').check();

  // The quick recipe's one rule quantizes every matmul weight to 4 bits; prune it with Wanda 2:4 first.
  await page.getByTestId('rule-0-prune').selectOption('wanda');
  await page.getByTestId('rule-0-prune-target').selectOption('2:4');
  await expect(page.getByTestId('calibration-fields')).toBeVisible();
  await page.getByTestId('calibration-windows').fill('4');
  await expect(page.getByTestId('calibration-tokens')).toContainText('1,024 calibration tokens');
  await expect(page.getByTestId('plan-line')).toContainText('pruned');
  await expect(page.getByTestId('plan-line')).toHaveAttribute('data-planning', 'false');

  await page.getByTestId('compress-button').click();
  await expect(page.getByTestId('result-sparsity')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('result-scheme')).toContainText('wanda 2:4 + rtn 4-bit/32 asym');
  const sparsity = parseFloat((await page.getByTestId('result-sparsity').textContent())!);
  expect(sparsity).toBeGreaterThanOrEqual(50);
  await expect(page.getByTestId('result-gzip')).toBeVisible();
  await expect(page.getByTestId('result-calibration')).toContainText('1,024 tokens');
  await expect(page.getByTestId('error-row-sparsity').first()).toContainText('% zeros');
  expect(pageErrors).toEqual([]);
});

test('MLP channels: a narrower model, its parameter count, and a download that runs with the shown perplexity', async ({ page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/');
  await loadSample(page);
  await page.getByTestId('eval-backend-wasm').check();
  await page.getByTestId('eval-windows').selectOption('4');

  // A rule before the 4-bit catch-all: the MLP projections lose a quarter of their channels, kept in float.
  await page.getByTestId('add-rule').click();
  await page.getByTestId('rule-0-match').fill('mlp\\.(gate|up|down)_proj$');
  await page.getByTestId('rule-0-action').selectOption('keep');
  await page.getByTestId('rule-0-prune').selectOption('channels');
  await expect(page.getByTestId('rule-0-sparsity')).toHaveValue('0.25');
  await page.getByTestId('calibration-windows').fill('4');
  await expect(page.getByTestId('rule-0-stats')).toContainText('12 tensors');
  await expect(page.getByTestId('plan-line')).toHaveAttribute('data-planning', 'false');
  await page.getByTestId('plan-toggle').click();
  await expect(page.getByTestId('plan-note').filter({ hasText: 'keeps 288 of 384 MLP channels in every layer' })).toHaveCount(1);

  await page.getByTestId('compress-button').click();
  await expect(page.getByTestId('result-parameters')).toContainText('MLP 384 → 288 channels', { timeout: 120_000 });
  await page.getByTestId('evaluate-result').click();
  await expect(page.getByTestId('result-ppl')).toBeVisible({ timeout: 180_000 });
  const shownPpl = Number(await page.getByTestId('result-ppl').getAttribute('data-ppl'));

  const { path: exported } = await downloadResult(page, testInfo);
  const onnx = await openOnnx([blobSource(await openAsBlob(exported), 'channels.onnx')]);
  const index = indexOnnx(onnx);
  const up = index.tensors.find((t) => t.layer === 'model.layers.0.mlp.up_proj')!;
  expect([up.layout!.rows, up.layout!.cols]).toEqual([288, 128]);
  const nodePpl = await nodePerplexity(exported, 4);
  console.log(`MLP channels 25 %: page ${shownPpl}, onnxruntime-node on the download ${nodePpl} (W=4)`);
  expect(Math.abs(nodePpl / shownPpl - 1)).toBeLessThan(0.005);
  expect(pageErrors).toEqual([]);
});
