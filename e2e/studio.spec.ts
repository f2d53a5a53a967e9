// The studio page end to end in Debian Chromium with WebGPU (SwiftShader here): load the sample,
// compress it with the default uniform 4-bit/32 recipe on the GPU, download, and check the file in
// onnxruntime-node against the dequantized reference; then a truncated file gives a message and
// the app keeps working.
import { readFile } from 'node:fs/promises';
import { chromium, expect, test, type Page } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './chromium';
import type { Recipe } from '../src/core/recipe';
import { dropFiles } from './drop-files';
import { compareWithDequantizedReference, testTokens } from './onnx-check';

const SAMPLE = 'public/sample/model.onnx';
/** The "Uniform" quick recipe the page starts with: every matmul weight 4-bit/32 asymmetric. */
const UNIFORM_4: Recipe = { recipe: 1, rules: [{ match: '.*', role: 'matmul-weight', quantize: { method: 'rtn', bits: 4, group: 32, symmetric: false } }] };

async function loadSample(page: Page): Promise<void> {
  await page.getByTestId('sample-button').click();
  await expect(page.getByTestId('param-count')).toHaveText('1.84 M');
  await expect(page.getByTestId('plan-line')).toContainText('tensors quantized');
}

/** Sets the uniform recipe's bits and compresses. */
async function compress(page: Page, bits: 2 | 3 | 4 | 8): Promise<void> {
  await page.getByTestId('rule-0-bits').selectOption(String(bits));
  await expect(page.getByTestId('rule-0-stats')).toContainText('29 tensors');
  await page.getByTestId('compress-button').click();
  await expect(page.getByTestId('result-scheme')).toContainText(`rtn ${bits}-bit/32 asym`);
}

test('sample → quantize 4-bit b32 → download runs in onnxruntime; a truncated file is explained; the sample loads again', async ({ page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/');
  await expect(page.getByTestId('welcome')).toBeVisible();
  // Chromium here has only SwiftShader: the badge says it is a CPU fallback, not a GPU.
  const badge = page.getByTestId('webgpu-status');
  await expect(badge).toHaveText('WebGPU: CPU fallback');
  await expect(badge).toHaveAttribute('title', /only WebGPU adapter is .*swiftshader.*evaluation on "Auto" uses wasm/is);

  // Load the built-in sample.
  await page.getByTestId('sample-button').click();
  await expect(page.getByTestId('model-summary')).toBeVisible();
  await expect(page.getByTestId('param-count')).toHaveText('1.84 M');
  await expect(page.getByTestId('architecture')).toHaveText('llama');
  await expect(page.getByTestId('role-chart')).toBeVisible();
  await expect(page.getByTestId('layer-chart')).toBeVisible();
  // Each chart folds out its numbers as a table: roles, and embeddings + 4 blocks + norm + head.
  await page.getByTestId('role-chart-table').locator('summary').click();
  await expect(page.getByTestId('role-chart-table-row')).not.toHaveCount(0);
  await page.getByTestId('layer-chart-table').locator('summary').click();
  await expect(page.getByTestId('layer-chart-table-row').first()).toBeVisible();
  expect(await page.getByTestId('layer-chart-table-row').count()).toBeGreaterThanOrEqual(5);
  await expect(page.getByTestId('quick-recipe')).toHaveValue('uniform');
  await expect(page.getByTestId('rule-0-stats')).toContainText('29 tensors');
  await expect(page.getByTestId('plan-line')).toContainText('29 of 30 tensors quantized');

  // The tensor table filters; a new rule shows what it takes, live, and a bad pattern is reported at the rule.
  await page.getByTestId('tensor-filter').fill('lm_head');
  await expect(page.getByTestId('tensor-row-count')).toContainText('1 of');
  await page.getByTestId('tensor-filter').fill('');
  await page.getByTestId('add-rule').click();
  await page.getByTestId('rule-0-match').fill('mlp');
  await expect(page.getByTestId('rule-0-stats')).toContainText('12 tensors');
  await expect(page.getByTestId('rule-1-stats')).toContainText('17 tensors');
  await page.getByTestId('rule-0-match').fill('(');
  await expect(page.getByTestId('rule-0-error')).toContainText('not a valid regular expression');
  await expect(page.getByTestId('compress-button')).toBeDisabled();
  await page.getByTestId('rule-0-delete').click();
  await page.getByTestId('quick-recipe').selectOption('uniform');
  await expect(page.getByTestId('rule-0-stats')).toContainText('29 tensors');

  // Compress with 4-bit, block 32, asymmetric, every MatMul weight.
  await page.getByTestId('compress-button').click();
  await expect(page.getByTestId('result-panel')).toBeVisible();
  await expect(page.getByTestId('result-scheme')).toContainText('ONNX · rtn 4-bit/32 asym · 29 of 30 tensors quantized');
  await expect(page.getByTestId('error-table').locator('tbody tr')).toHaveCount(29);
  await expect(page.getByTestId('error-table').locator('tbody tr[data-rule="0"]')).toHaveCount(29);

  // Download through the ordinary download path (navigator.webdriver skips the save picker).
  const downloading = page.waitForEvent('download');
  await page.getByTestId('result-panel').getByTestId('download-button').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('model-q4-b32-asym.onnx');
  const exported = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(exported);
  await expect(page.getByTestId('result-panel').getByTestId('download-done')).toBeVisible();

  const check = await compareWithDequantizedReference({ original: SAMPLE, exported, recipe: UNIFORM_4, tokens: testTokens(32, 4096) });
  testInfo.annotations.push({ type: 'logits', description: JSON.stringify(check) });
  console.log(`logits: max |Δ| ${check.maxAbsDiff.toExponential(3)}, max |logit| ${check.maxAbsLogit.toFixed(3)}, ${check.logitCount} logits`);
  expect(check.replacedCount).toBe(29);
  expect(check.maxAbsDiff).toBeLessThanOrEqual(1e-3 * check.maxAbsLogit);

  // A truncated ONNX file: a clear message, and the previous model and result stay.
  const sample = await readFile(SAMPLE);
  await dropFiles(page, page.getByTestId('drop-zone'), [{ name: 'truncated.onnx', buffer: sample.subarray(0, 1 << 20) }]);
  const banner = page.getByTestId('error-banner');
  await expect(banner).toBeVisible();
  await expect(banner).toHaveAttribute('data-code', 'format');
  await expect(banner).toContainText('truncated.onnx is not a readable ONNX file');
  await expect(page.getByTestId('result-panel')).toBeVisible();

  // The app still works: load the sample again.
  await page.getByTestId('sample-button').click();
  await expect(banner).toBeHidden();
  await expect(page.getByTestId('param-count')).toHaveText('1.84 M');
  await expect(page.getByTestId('result-panel')).toBeHidden();
  await expect(page.getByTestId('compress-button')).toBeEnabled();
  expect(pageErrors).toEqual([]);
});

test('cancel leaves the previous result; files that are not ONNX are explained', async ({ page }) => {
  await page.goto('/');
  await loadSample(page);
  await compress(page, 8);

  // Start a GPTQ run (it calibrates on 128 windows first, so it is still going when Cancel is
  // clicked — a 2-bit RTN run could finish before the click) and cancel it: the 8-bit result
  // stays, and still downloads.
  await page.getByTestId('rule-0-action').selectOption('gptq');
  await expect(page.getByTestId('calibration-tokens')).toContainText('32,768 calibration tokens');
  await expect(page.getByTestId('result-stale')).toBeVisible();
  await page.getByTestId('compress-button').click();
  await page.getByTestId('cancel-button').click();
  const banner = page.getByTestId('error-banner');
  await expect(banner).toHaveAttribute('data-code', 'cancelled');
  await expect(banner).toContainText('Run cancelled');
  await expect(page.getByTestId('progress-panel')).toBeHidden();
  await expect(page.getByTestId('result-scheme')).toContainText('rtn 8-bit');
  const downloading = page.waitForEvent('download');
  await page.getByTestId('result-panel').getByTestId('download-button').click();
  expect((await downloading).suggestedFilename()).toBe('model-q8-b32-asym.onnx');

  // Not an ONNX file, picked with the file chooser.
  await page.getByTestId('file-input').setInputFiles({ name: 'notes.onnx', mimeType: 'text/plain', buffer: Buffer.from('These are my notes, not a model.\n'.repeat(20)) });
  await expect(banner).toHaveAttribute('data-code', 'format');
  await expect(page.getByTestId('error-message')).toContainText('not an ONNX model');
  await expect(page.getByTestId('result-scheme')).toContainText('rtn 8-bit');

  // The heading names the file and its format: a cut-off GGUF is not called an ONNX file.
  const gguf = Buffer.alloc(64);
  gguf.write('GGUF', 0, 'latin1');
  gguf.writeUInt32LE(3, 4);
  gguf.writeBigUInt64LE(5n, 8); // 5 tensors, then a metadata count and nothing behind it
  gguf.writeBigUInt64LE(1000n, 16);
  await dropFiles(page, page.getByTestId('drop-zone'), [{ name: 'cut-off.gguf', buffer: gguf }]);
  await expect(banner).toHaveAttribute('data-code', 'format');
  await expect(banner).toContainText('cut-off.gguf is not a readable GGUF file');
  await expect(banner).toContainText('not a GGUF model');
  // Only a tokenizer: the model file is what is missing.
  await dropFiles(page, page.getByTestId('drop-zone'), [{ name: 'tokenizer.json', buffer: await readFile('public/sample/tokenizer.json') }]);
  await expect(banner).toHaveAttribute('data-code', 'missing-file');
  await expect(banner).toContainText('Drop the model file (.onnx, .gguf or .safetensors) too');
  await expect(page.getByTestId('result-scheme')).toContainText('rtn 8-bit');

  // The app goes on: compress the still-open sample again (round-to-nearest, as at the start).
  await page.getByTestId('rule-0-action').selectOption('rtn');
  await compress(page, 4);
  await expect(banner).toBeHidden();
});

test('without WebGPU, compressing uses the CPU references and says so, with how to enable WebGPU', async ({ baseURL }) => {
  // A browser of its own: without --enable-unsafe-webgpu, SwiftShader's adapter is refused.
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs.filter((a) => a !== '--enable-unsafe-webgpu') });
  try {
    const page = await browser.newPage({ baseURL, viewport: { width: 1280, height: 800 } });
    await page.goto('/');
    await expect(page.getByTestId('webgpu-status')).toHaveText('No WebGPU');
    await expect(page.getByTestId('webgpu-status')).toHaveAttribute('title', /no WebGPU adapter was found[\s\S]*CPU references/);
    await loadSample(page);
    await page.getByTestId('compress-button').click();
    await expect(page.getByTestId('result-scheme')).toContainText('on CPU reference');
    await expect(page.getByTestId('result-note')).toContainText('WebGPU is not available in this browser');
    await expect(page.getByTestId('result-webgpu-help')).toContainText('chrome://flags/#enable-unsafe-webgpu');
    await expect(page.getByTestId('compress-button')).toBeEnabled();
  } finally {
    await browser.close();
  }
});

test('with a save dialog, the worker streams the file to the chosen handle', async ({ page }) => {
  // Stand in for the File System Access dialog: a file in the origin-private file system, and a
  // browser that does not say it is automated (the page uses the picker only then).
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false });
    (window as unknown as { showSaveFilePicker: unknown }).showSaveFilePicker = async (options: { suggestedName: string }) => {
      const dir = await navigator.storage.getDirectory();
      return dir.getFileHandle(options.suggestedName, { create: true });
    };
  });
  await page.goto('/');
  await loadSample(page);
  await compress(page, 4);
  await page.getByTestId('result-panel').getByTestId('download-button').click();
  // Fail fast with the page's own message if saving went wrong.
  await expect(page.getByTestId('result-panel').getByTestId('download-done').or(page.getByTestId('error-banner'))).toBeVisible();
  if (await page.getByTestId('error-banner').count()) {
    throw new Error(`saving failed: ${await page.getByTestId('error-banner').innerText()}`);
  }
  await expect(page.getByTestId('result-panel').getByTestId('download-done')).toContainText('Saved model-q4-b32-asym.onnx');
  const size = await page.evaluate(async () => {
    const dir = await navigator.storage.getDirectory();
    return (await (await dir.getFileHandle('model-q4-b32-asym.onnx')).getFile()).size;
  });
  const sizeAfter = await page.getByTestId('size-after').getAttribute('title');
  expect(`${size.toLocaleString('en-US')} bytes`).toBe(sizeAfter);
});

test('README screenshot (UPDATE_SCREENSHOT=1 writes docs/screenshot.png)', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/');
  await loadSample(page);
  await page.getByTestId('quick-recipe').selectOption('attention-down-8bit');
  await expect(page.getByTestId('rule-1-stats')).toContainText('12 tensors');
  await page.getByTestId('compress-button').click();
  await expect(page.getByTestId('result-scheme')).toContainText('rtn 8-bit/per-channel sym');
  await page.getByTestId('compress-button').blur();
  await page.getByTestId('compress-form').evaluate((form) => form.scrollIntoView({ block: 'start' }));
  await page.mouse.move(0, 0);
  const path = process.env.UPDATE_SCREENSHOT ? 'docs/screenshot.png' : testInfo.outputPath('screenshot.png');
  await page.screenshot({ path });
});
