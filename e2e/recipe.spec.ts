// A recipe built in the page, end to end: two rules (8-bit per-channel attention v/o and MLP down
// before the 4-bit catch-all) with their live counts, the plan (rule per tensor, exact bytes),
// the run, its perplexity, the download — whose MatMulNBits nodes carry each rule's settings,
// whose size is the plan's, and which scores in onnxruntime-node what the page showed — then the
// recipe saved as JSON, loaded back, and offered again when the download itself is opened.
import { readFile, stat } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { blobSource } from '../src/core/byte-source';
import type { Recipe } from '../src/core/recipe';
import { attrInt } from '../src/formats/onnx/onnx-model';
import { openOnnx } from '../src/formats/onnx/onnx-reader';
import { nodePerplexity } from './onnx-check';
import { openAsBlob } from 'node:fs';

const PATTERN = 'self_attn\\.(v|o)_proj|mlp\\.down_proj';
const EXPECTED: Recipe = {
  recipe: 1,
  rules: [
    { match: PATTERN, quantize: { method: 'rtn', bits: 8, group: 'per-channel', symmetric: true } },
    { match: '.*', role: 'matmul-weight', quantize: { method: 'rtn', bits: 4, group: 32, symmetric: false } },
  ],
};
const W = 4;

const bytesIn = async (page: Page, testId: string) => Number((await page.getByTestId(testId).getAttribute('title'))!.replace(/[^\d]/g, ''));

test('build a two-rule recipe, see the plan, run it, download it, and get the recipe back from the file', async ({ page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/');
  await page.getByTestId('sample-button').click();
  await expect(page.getByTestId('rule-0-stats')).toContainText('29 tensors');
  await page.getByTestId('eval-backend-wasm').check();
  await page.getByTestId('eval-windows').selectOption(String(W));

  // The second rule goes before the catch-all; the counts follow as the pattern is typed.
  await page.getByTestId('add-rule').click();
  await page.getByTestId('rule-0-match').fill(PATTERN);
  await expect(page.getByTestId('rule-0-bits')).toHaveValue('8');
  await expect(page.getByTestId('rule-0-group')).toHaveValue('per-channel');
  await expect(page.getByTestId('rule-0-sym')).toBeChecked();
  await expect(page.getByTestId('rule-0-stats')).toContainText('12 tensors');
  await expect(page.getByTestId('rule-1-stats')).toContainText('17 tensors');

  // The plan: which rule took each tensor, before anything runs.
  await page.getByTestId('plan-toggle').click();
  await expect(page.getByTestId('plan-table').locator('[data-testid="plan-row"][data-rule="0"]')).toHaveCount(12);
  await expect(page.getByTestId('plan-table').locator('[data-testid="plan-row"][data-rule="1"]')).toHaveCount(17);
  await expect(page.getByTestId('plan-table').locator('[data-testid="plan-row"][data-rule=""]')).toHaveCount(1); // the embedding: no rule, kept
  await expect(page.getByTestId('plan-line')).toHaveAttribute('data-planning', 'false');
  const planned = await bytesIn(page, 'plan-output-bytes');

  // Run it, and score it.
  await page.getByTestId('compress-button').click();
  await expect(page.getByTestId('result-scheme')).toContainText('rtn 8-bit/per-channel sym + rtn 4-bit/32 asym');
  expect(await bytesIn(page, 'size-after')).toBe(planned);
  await expect(page.getByTestId('error-table').locator('tbody tr[data-rule="0"]')).toHaveCount(12);
  await page.getByTestId('evaluate-result').click();
  await expect(page.getByTestId('result-ppl')).toBeVisible({ timeout: 180_000 });
  const shownPpl = Number(await page.getByTestId('result-ppl').getAttribute('data-ppl'));

  // Download: the plan's size, each rule's settings on its MatMulNBits nodes, the perplexity the page showed.
  const downloading = page.waitForEvent('download');
  await page.getByTestId('result-panel').getByTestId('download-button').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^model-mixed-[0-9a-f]{8}\.onnx$/);
  const exported = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(exported);
  expect((await stat(exported)).size).toBe(planned);
  const onnx = await openOnnx([blobSource(await openAsBlob(exported), 'mixed.onnx')]);
  const nodes = onnx.graph.nodes.filter((n) => n.opType === 'MatMulNBits');
  expect(nodes.length).toBe(29); // 12 by rule 0, 17 (lm_head too) by rule 1
  for (const n of nodes) {
    const eightBit = /(v_proj|o_proj|down_proj)/.test(n.name);
    expect([n.name, attrInt(n, 'bits', 0), attrInt(n, 'block_size', 0)]).toEqual([n.name, eightBit ? 8 : 4, eightBit ? 128 : 32]);
  }
  expect(JSON.parse(onnx.metadata['compression_studio.recipe'])).toEqual(EXPECTED);
  const nodePpl = await nodePerplexity(exported, W);
  console.log(`two-rule recipe: page ${shownPpl}, onnxruntime-node on the download ${nodePpl} (W=${W})`);
  expect(Math.abs(nodePpl / shownPpl - 1)).toBeLessThan(0.005);

  // The recipe as JSON: saved, then loaded back into a fresh editor.
  const saving = page.waitForEvent('download');
  await page.getByTestId('recipe-save').click();
  const savedRecipe = testInfo.outputPath('recipe.json');
  await (await saving).saveAs(savedRecipe);
  expect(JSON.parse(await readFile(savedRecipe, 'utf8'))).toEqual(EXPECTED);
  await page.getByTestId('quick-recipe').selectOption('uniform');
  await expect(page.getByTestId('rule-1')).toHaveCount(0);
  await page.getByTestId('recipe-file').setInputFiles(savedRecipe);
  await expect(page.getByTestId('rule-0-match')).toHaveValue(PATTERN);
  await expect(page.getByTestId('rule-1-stats')).toContainText('17 tensors');

  // Open the download itself: the page offers the recipe it was made with.
  await page.getByTestId('file-input').setInputFiles(exported);
  await expect(page.getByTestId('recipe-offer')).toContainText('2 rules');
  await expect(page.getByTestId('rule-1')).toHaveCount(0); // the editor starts afresh for the new model
  await page.getByTestId('recipe-offer-accept').click();
  await expect(page.getByTestId('rule-0-match')).toHaveValue(PATTERN);
  await expect(page.getByTestId('rule-1')).toBeVisible();
  expect(pageErrors).toEqual([]);
});

test('a bad recipe file is explained and the editor keeps its recipe', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('sample-button').click();
  await expect(page.getByTestId('rule-0-stats')).toContainText('29 tensors');
  await page.getByTestId('recipe-file').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ recipe: 1, rules: [{ match: '.*', quantize: { method: 'rtn', bits: 5 } }] })) });
  const banner = page.getByTestId('error-banner');
  await expect(banner).toContainText('The recipe could not be loaded');
  await expect(page.getByTestId('error-message')).toContainText('rule 0: quantize.bits must be 2, 3, 4 or 8 for rtn; got 5');
  await expect(page.getByTestId('quick-recipe')).toHaveValue('uniform');
  // A recipe dropped on the drop zone goes to the editor too.
  const { dropFiles } = await import('./drop-files');
  await dropFiles(page, page.getByTestId('drop-zone'), [{ name: 'keep-all.json', buffer: Buffer.from(JSON.stringify({ recipe: 1, rules: [{ match: '.*', keep: true }] })) }]);
  await expect(page.getByTestId('rule-0-action')).toHaveValue('keep');
  await expect(page.getByTestId('plan-line')).toContainText('0 of 30 tensors quantized');
});
