// Perplexity and sweeps end to end (wasm execution provider for speed, quantization on WebGPU /
// SwiftShader): evaluate the original (docs/EVAL.md reference within 0.1 %), run a 3-point sweep
// with a pause and resume, select a point, export it and check its perplexity in onnxruntime-node
// against the chart's (within 0.5 %); after a reload the saved points come back; a second run
// with other settings joins the history (compare, open, export, delete with confirm and undo);
// the selected point evaluates again at another W, and evaluations accumulate and survive a reload.
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { recipeId } from '../src/core/recipe-id';
import { nodePerplexity } from './onnx-check';
import { dropFiles } from './drop-files';
import { loadSample, chooseOnly, BIT_CHIPS, BLOCK_CHIPS } from './page-steps';

/** tiny-llama, W=16 (docs/EVAL.md); the bundled text is the start of the wikitext-2 test split. */
const REFERENCE_W16 = 57.9834;
/** Windows of the sweep: small, so the test is quick; the Node check uses the same W. */
const SWEEP_W = 8;



test('evaluate the original, sweep 3 points with pause/resume, export one point; points survive a reload', async ({ page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/');
  await loadSample(page);

  // Perplexity of the original, W=16 on wasm, with the WikiText credit beside the controls.
  await expect(page.getByTestId('eval-credit')).toContainText('WikiText-2');
  await page.getByTestId('eval-backend-wasm').check();
  await page.getByTestId('eval-windows').selectOption('16');

  // An empty or too-short own text is refused with the reason, never swapped for WikiText.
  await page.getByTestId('eval-text-user').check();
  await page.getByTestId('evaluate-button').click();
  await expect(page.getByTestId('eval-error')).toContainText('your own evaluation text is empty');
  await page.getByTestId('eval-text-input').fill('A few words are not enough to measure perplexity on.');
  await page.getByTestId('evaluate-button').click();
  await expect(page.getByTestId('eval-error')).toContainText(/too short: 16 windows of 256 tokens need 4096 tokens, but it encodes to 15 /);
  await expect(page.getByTestId('eval-ppl')).toHaveCount(0);
  await page.getByTestId('eval-text-bundled').check();

  await page.getByTestId('evaluate-button').click();
  await expect(page.getByTestId('eval-ppl')).toBeVisible();
  const originalPpl = Number(await page.getByTestId('eval-ppl').textContent());
  console.log(`original ppl (W=16, wasm): ${originalPpl}`);
  expect(Math.abs(originalPpl / REFERENCE_W16 - 1)).toBeLessThan(0.001);
  await expect(page.getByTestId('eval-details')).toContainText('wasm');

  // A 3-point sweep: bits 8, 4, 2 × block 32 × asymmetric × all matmuls, W=8.
  await page.getByTestId('eval-windows').selectOption(String(SWEEP_W));
  await chooseOnly(page, BIT_CHIPS, ['sweep-bits-8', 'sweep-bits-4', 'sweep-bits-2']);
  await chooseOnly(page, BLOCK_CHIPS, ['sweep-block-32']);
  await chooseOnly(page, ['sweep-asym', 'sweep-sym'], ['sweep-asym']);
  await chooseOnly(page, ['sweep-selection-all-matmuls', 'sweep-selection-all-but-embeddings-and-head', 'sweep-selection-custom'], ['sweep-selection-all-matmuls']);
  await expect(page.getByTestId('sweep-grid-size')).toContainText('3 points');

  // Start, pause at once, resume: nothing is lost and the grid completes.
  await page.getByTestId('sweep-start').click();
  await page.getByTestId('sweep-pause').click();
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-status', 'paused');
  await page.getByTestId('sweep-resume').click();

  const chart = page.getByTestId('sweep-chart');
  const points = chart.getByTestId('sweep-point');
  await expect(points).toHaveCount(3, { timeout: 240_000 });
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-status', 'done');
  await expect(chart.getByTestId('reference-line')).toHaveCount(1);
  await expect(page.getByTestId('sweep-row')).toHaveCount(3);
  await expect(page.getByTestId('sweep-summary')).toContainText(`W=${SWEEP_W}`);

  // Select the 4-bit point on the chart and export it.
  const fourBit = chart.locator('[data-testid="sweep-point"][data-bits="4"]');
  await fourBit.click();
  // A point is named by its recipe's id, as `studio sweep` names it.
  const fourBitRecipe = { recipe: 1 as const, rules: [{ match: '.*', role: 'matmul-weight' as const, quantize: { method: 'rtn' as const, bits: 4 as const, group: 32 as const, symmetric: false } }] };
  await expect(page.getByTestId('selected-point')).toHaveAttribute('data-point-id', recipeId(fourBitRecipe));
  await expect(page.getByTestId('layer-error-chart')).toBeVisible();
  const chartPpl = Number(await fourBit.getAttribute('data-ppl'));
  expect(chartPpl).toBeGreaterThan(0);

  const downloading = page.waitForEvent('download');
  await page.getByTestId('point-export').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('model-q4-b32-asym.onnx');
  const exported = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(exported);
  await expect(page.getByTestId('point-export-done')).toBeVisible();

  const exportedPpl = await nodePerplexity(exported, SWEEP_W);
  console.log(`4-bit point: chart ppl ${chartPpl}, exported file in onnxruntime-node ${exportedPpl} (W=${SWEEP_W})`);
  expect(Math.abs(exportedPpl / chartPpl - 1)).toBeLessThan(0.005);

  // The table downloads as CSV; the chart as SVG.
  const csvDownload = page.waitForEvent('download');
  await page.getByTestId('sweep-csv').click();
  const csvPath = testInfo.outputPath('sweep.csv');
  await (await csvDownload).saveAs(csvPath);
  expect((await readFile(csvPath, 'utf8')).trim().split('\n')).toHaveLength(4);
  const svgDownload = page.waitForEvent('download');
  await page.getByTestId('chart-download-svg').click();
  const svgPath = testInfo.outputPath('chart.svg');
  await (await svgDownload).saveAs(svgPath);
  const svg = await readFile(svgPath, 'utf8');
  expect(svg).toContain('<svg');
  expect(svg.match(/data-testid="sweep-point"/g)).toHaveLength(3);
  // The file stands on its own: title, model and protocol, and the keys the page shows as HTML.
  expect(svg).toContain('data-testid="chart-export-header"');
  expect(svg).toContain('>Size vs perplexity</text>');
  expect(svg).toContain(`model.onnx · wikitext2-w256 · W=${SWEEP_W} · 3 points`);
  for (const key of ['8-bit', '4-bit', '2-bit', 'Pareto frontier']) expect(svg).toContain(`>${key}</text>`);

  // Axis labels never repeat, on the linear and the log scale, and the log scale labels the top of the data.
  const yTicks = () => chart.locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value').allTextContents();
  const linear = await yTicks();
  expect(linear.length).toBeGreaterThanOrEqual(3);
  expect(new Set(linear).size).toBe(linear.length);
  await page.getByTestId('sweep-log-scale').check();
  const log = await yTicks();
  expect(new Set(log).size).toBe(log.length);
  const topPpl = Math.max(...(await points.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-ppl'))))));
  expect(Math.max(...log.map(Number))).toBeGreaterThanOrEqual(topPpl);
  await page.getByTestId('sweep-log-scale').uncheck();

  // The per-layer error chart has its table.
  await page.getByTestId('layer-error-table').locator('summary').click();
  await expect(page.getByTestId('layer-error-table-row')).toHaveCount(5); // 4 blocks + the head

  // The selected point evaluates again with the Perplexity panel's settings (W=16, not the sweep's
  // W=8): the same number onnxruntime-node gets from the exported file at W=16. Evaluations accumulate.
  await page.getByTestId('eval-windows').selectOption('16');
  await page.getByTestId('point-evaluate').click();
  const pointEval = page.getByTestId('point-evaluation');
  await expect(pointEval).toHaveCount(1, { timeout: 120_000 });
  await expect(pointEval).toContainText('W=16');
  const pointPpl16 = Number(await pointEval.getAttribute('data-ppl'));
  const exportedPpl16 = await nodePerplexity(exported, 16);
  console.log(`4-bit point at W=16: page ${pointPpl16}, exported file in onnxruntime-node ${exportedPpl16}`);
  expect(Math.abs(exportedPpl16 / pointPpl16 - 1)).toBeLessThan(0.005);
  const evaluationRows = page.getByTestId('evaluation-row');
  await expect(evaluationRows).toHaveCount(2);
  await expect(evaluationRows.first()).toHaveAttribute('data-subject', 'point');
  await expect(evaluationRows.nth(1)).toHaveAttribute('data-subject', 'original');
  await expect(page.getByTestId('eval-ppl')).toHaveText(originalPpl.toFixed(4)); // the point's evaluation did not replace the original's

  // Reload and load the same model again: the saved points come back, and so do the evaluations.
  await page.reload();
  await loadSample(page);
  await expect(page.getByTestId('sweep-chart').getByTestId('sweep-point')).toHaveCount(3);
  await expect(page.getByTestId('sweep-chart').getByTestId('reference-line')).toHaveCount(1);
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('sweep-row')).toHaveCount(3);
  await expect(page.getByTestId('evaluation-row')).toHaveCount(2);
  await expect(page.getByTestId('eval-ppl')).toHaveText(originalPpl.toFixed(4));

  // Deleting an evaluation asks first, and Undo brings it back.
  await page.getByTestId('evaluation-row').first().getByTestId('evaluation-delete').click();
  await page.getByTestId('evaluation-confirm-delete').click();
  await expect(page.getByTestId('evaluation-row')).toHaveCount(1);
  await page.getByTestId('evaluation-undo').click();
  await expect(page.getByTestId('evaluation-row')).toHaveCount(2);

  // Nothing finished is lost: other evaluation settings start a new run, and the first stays in the history.
  await expect(page.getByTestId('history-run')).toHaveCount(1);
  await page.getByTestId('eval-windows').selectOption('4');
  await expect(page.getByTestId('sweep-new-run-note')).toBeVisible();
  await chooseOnly(page, BIT_CHIPS, ['sweep-bits-8']);
  await page.getByTestId('sweep-start').click();
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('sweep-row')).toHaveCount(1);
  const runs = page.getByTestId('history-run');
  await expect(runs).toHaveCount(2);
  const firstId = await page.locator('[data-testid="history-run"][data-open="false"]').getAttribute('data-run-id');
  const first = page.locator(`[data-testid="history-run"][data-run-id="${firstId}"]`);
  await expect(first.getByTestId('history-run-points')).toHaveText('3 / 3');

  // Compared, the first run's points join the chart (hollow) and the table (with its run named).
  await first.getByTestId('history-compare').check();
  await expect(page.getByTestId('sweep-chart').getByTestId('compared-point')).toHaveCount(3);
  await expect(page.getByTestId('compared-row')).toHaveCount(3);
  await expect(page.getByTestId('sweep-row')).toHaveCount(1);
  await expect(page.getByTestId('compared-row').first().getByTestId('points-row-run')).toContainText(`W=${SWEEP_W}`);

  // The whole run saves as one JSON file.
  const runDownload = page.waitForEvent('download');
  await first.getByTestId('history-export').click();
  const runPath = testInfo.outputPath('run.json');
  await (await runDownload).saveAs(runPath);
  const runJson = JSON.parse(await readFile(runPath, 'utf8'));
  expect(runJson.points).toHaveLength(3);
  expect(runJson.request.windows).toBe(SWEEP_W);

  // Opening the first run shows it again (its points, its W in the form); compare clears itself.
  await first.getByTestId('history-open').click();
  await expect(page.getByTestId('sweep-row')).toHaveCount(3);
  await expect(page.getByTestId('compared-row')).toHaveCount(0);
  await expect(page.getByTestId('eval-windows')).toHaveValue(String(SWEEP_W));
  await expect(first).toHaveAttribute('data-open', 'true');

  // Deleting asks first; Keep keeps it, Delete deletes it, Undo brings it back.
  const second = page.locator('[data-testid="history-run"][data-open="false"]');
  await second.getByTestId('history-delete').click();
  await expect(second.getByTestId('history-confirm')).toContainText('Delete this run and its 1 point?');
  await second.getByTestId('history-confirm-keep').click();
  await expect(runs).toHaveCount(2);
  await second.getByTestId('history-delete').click();
  await second.getByTestId('history-confirm-delete').click();
  await expect(runs).toHaveCount(1);
  await expect(page.getByTestId('history-deleted')).toContainText('1 point');
  await expect(page.getByTestId('sweep-row')).toHaveCount(3); // the shown run is untouched
  await page.getByTestId('history-undo').click();
  await expect(runs).toHaveCount(2);

  // "New sweep" empties the view and deletes nothing: after a reload both runs are there.
  await page.getByTestId('sweep-new').click();
  await expect(page.getByTestId('sweep-row')).toHaveCount(0);
  await page.reload();
  await loadSample(page);
  await expect(page.getByTestId('history-run')).toHaveCount(2);
  await expect(page.getByTestId('sweep-chart').getByTestId('sweep-point')).toHaveCount(1); // the latest run (W=4)

  // Deleting every run (each confirmed) leaves nothing after a reload.
  for (let left = 2; left > 0; left--) {
    await page.getByTestId('history-run').first().getByTestId('history-delete').click();
    await page.getByTestId('history-confirm-delete').click();
    await expect(page.getByTestId('history-run')).toHaveCount(left - 1);
  }
  await expect(page.getByTestId('sweep-chart')).toHaveCount(0);
  await page.reload();
  await loadSample(page);
  await page.waitForTimeout(2000); // the saved-sweep lookup is asynchronous
  await expect(page.getByTestId('sweep-chart')).toHaveCount(0);
  await expect(page.getByTestId('sweep-history')).toHaveCount(0);
  expect(pageErrors).toEqual([]);
});

test('a sweep interrupted by a reload resumes when the same model is loaded again', async ({ page }) => {
  await page.goto('/');
  await loadSample(page);
  await page.getByTestId('eval-backend-wasm').check();
  await page.getByTestId('eval-windows').selectOption('16');
  await chooseOnly(page, BIT_CHIPS, ['sweep-bits-8', 'sweep-bits-4', 'sweep-bits-2']);
  await page.getByTestId('sweep-start').click();
  await expect(page.getByTestId('sweep-chart').getByTestId('sweep-point')).toHaveCount(1, { timeout: 240_000 });

  // Reload mid-run: the finished point is saved; loading the model again resumes the rest.
  await page.reload();
  await loadSample(page);
  await expect(page.getByTestId('sweep-chart').getByTestId('sweep-point').first()).toBeVisible();
  await expect(page.getByTestId('sweep-chart').getByTestId('sweep-point')).toHaveCount(3, { timeout: 240_000 });
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('eval-windows')).toHaveValue('16');

  // A copy with one weight byte changed (same name, same size, same header) is another model:
  // it does not get the sample's sweep (the key is the content, not the name and size).
  const altered = await readFile('public/sample/model.onnx');
  altered[altered.length >> 1] ^= 1;
  const tokenizer = await readFile('public/sample/tokenizer.json');
  await dropFiles(page, page.getByTestId('drop-zone'), [{ name: 'model.onnx', buffer: altered }, { name: 'tokenizer.json', buffer: tokenizer }]);
  await expect(page.getByTestId('sweep-chart')).toHaveCount(0);
  await page.waitForTimeout(3000); // the saved-sweep lookup is asynchronous: give it time to (wrongly) show one
  await expect(page.getByTestId('sweep-chart')).toHaveCount(0);
  await loadSample(page);
  await expect(page.getByTestId('sweep-chart').getByTestId('sweep-point')).toHaveCount(3);
});
