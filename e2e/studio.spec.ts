// The studio page end to end in Debian Chromium with WebGPU (SwiftShader here): load the sample,
// quantize 4-bit block 32 on the GPU, download, and check the file in onnxruntime-node against
// the dequantized reference; then a truncated file gives a message and the app keeps working.
import { readFile } from 'node:fs/promises';
import { chromium, expect, test, type Page } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './chromium';
import type { RtnSettings } from '../src/core/quantized-tensor';
import { dropFiles } from './drop-files';
import { compareWithDequantizedReference, testTokens } from './onnx-check';

const SAMPLE = 'public/sample/model.onnx';
const SCHEME: RtnSettings = { bits: 4, symmetric: false, group: 32 };

async function loadSample(page: Page): Promise<void> {
  await page.getByTestId('sample-button').click();
  await expect(page.getByTestId('param-count')).toHaveText('1.84 M');
}

async function quantize(page: Page, bits: 2 | 3 | 4 | 8): Promise<void> {
  await page.getByTestId(`bits-${bits}`).check();
  await page.getByTestId('quantize-button').click();
  await expect(page.getByTestId('result-scheme')).toContainText(`${bits}-bit`);
}

test('sample → quantize 4-bit b32 → download runs in onnxruntime; a truncated file is explained; the sample loads again', async ({ page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/');
  await expect(page.getByTestId('welcome')).toBeVisible();

  // Load the built-in sample.
  await page.getByTestId('sample-button').click();
  await expect(page.getByTestId('model-summary')).toBeVisible();
  await expect(page.getByTestId('param-count')).toHaveText('1.84 M');
  await expect(page.getByTestId('architecture')).toHaveText('llama');
  await expect(page.getByTestId('role-chart')).toBeVisible();
  await expect(page.getByTestId('layer-chart')).toBeVisible();
  await expect(page.getByTestId('match-count')).toContainText('29 tensors match');

  // The tensor table filters and the live count follows a custom pattern.
  await page.getByTestId('tensor-filter').fill('lm_head');
  await expect(page.getByTestId('tensor-row-count')).toContainText('1 of');
  await page.getByTestId('tensor-filter').fill('');
  await page.getByTestId('selection-custom').check();
  await page.getByTestId('include-pattern').fill('mlp');
  await expect(page.getByTestId('match-count')).toContainText('12 tensors match');
  await page.getByTestId('include-pattern').fill('(');
  await expect(page.getByTestId('match-count')).toContainText('not a valid regular expression');
  await expect(page.getByTestId('quantize-button')).toBeDisabled();
  await page.getByTestId('selection-all-matmuls').check();

  // Quantize 4-bit, block 32, asymmetric, every MatMul weight.
  await page.getByTestId('bits-4').check();
  await page.getByTestId('block-size').selectOption('32');
  await page.getByTestId('asymmetric').check();
  await page.getByTestId('quantize-button').click();
  await expect(page.getByTestId('result-panel')).toBeVisible();
  await expect(page.getByTestId('result-scheme')).toContainText('4-bit · block 32 · asymmetric · 29 tensors');
  await expect(page.getByTestId('error-table').locator('tbody tr')).toHaveCount(29);

  // Download through the ordinary download path (navigator.webdriver skips the save picker).
  const downloading = page.waitForEvent('download');
  await page.getByTestId('result-panel').getByTestId('download-button').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('model-q4-b32-asym.onnx');
  const exported = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(exported);
  await expect(page.getByTestId('result-panel').getByTestId('download-done')).toBeVisible();

  const check = await compareWithDequantizedReference({
    original: SAMPLE,
    exported,
    scheme: SCHEME,
    selection: { kind: 'all-matmuls' },
    tokens: testTokens(32, 4096),
  });
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
  await expect(banner).toContainText('This is not a readable ONNX file');
  await expect(page.getByTestId('result-panel')).toBeVisible();

  // The app still works: load the sample again.
  await page.getByTestId('sample-button').click();
  await expect(banner).toBeHidden();
  await expect(page.getByTestId('param-count')).toHaveText('1.84 M');
  await expect(page.getByTestId('result-panel')).toBeHidden();
  await expect(page.getByTestId('quantize-button')).toBeEnabled();
  expect(pageErrors).toEqual([]);
});

test('cancel leaves the previous result; files that are not ONNX are explained', async ({ page }) => {
  await page.goto('/');
  await loadSample(page);
  await quantize(page, 8);

  // Start a 2-bit run and cancel it at once: the 8-bit result stays, and still downloads.
  await page.getByTestId('bits-2').check();
  await page.getByTestId('quantize-button').click();
  await page.getByTestId('cancel-button').click();
  const banner = page.getByTestId('error-banner');
  await expect(banner).toHaveAttribute('data-code', 'cancelled');
  await expect(banner).toContainText('Run cancelled');
  await expect(page.getByTestId('progress-panel')).toBeHidden();
  await expect(page.getByTestId('result-scheme')).toContainText('8-bit');
  const downloading = page.waitForEvent('download');
  await page.getByTestId('result-panel').getByTestId('download-button').click();
  expect((await downloading).suggestedFilename()).toBe('model-q8-b32-asym.onnx');

  // Not an ONNX file, picked with the file chooser.
  await page.getByTestId('file-input').setInputFiles({ name: 'notes.onnx', mimeType: 'text/plain', buffer: Buffer.from('These are my notes, not a model.\n'.repeat(20)) });
  await expect(banner).toHaveAttribute('data-code', 'format');
  await expect(page.getByTestId('error-message')).toContainText('not an ONNX model');
  await expect(page.getByTestId('result-scheme')).toContainText('8-bit');

  // The app goes on: quantize the still-open sample again.
  await quantize(page, 4);
  await expect(banner).toBeHidden();
});

test('without WebGPU, quantizing says so and how to enable it', async ({ baseURL }) => {
  // A browser of its own: without --enable-unsafe-webgpu, SwiftShader's adapter is refused.
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs.filter((a) => a !== '--enable-unsafe-webgpu') });
  try {
    const page = await browser.newPage({ baseURL, viewport: { width: 1280, height: 800 } });
    await page.goto('/');
    await loadSample(page);
    await page.getByTestId('quantize-button').click();
    const banner = page.getByTestId('error-banner');
    await expect(banner).toHaveAttribute('data-code', 'gpu-unavailable');
    await expect(banner).toContainText('chrome://flags/#enable-unsafe-webgpu');
    await expect(page.getByTestId('quantize-button')).toBeEnabled();
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
  await quantize(page, 4);
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
  await quantize(page, 4);
  await page.getByTestId('quantize-button').blur();
  await page.mouse.move(0, 0);
  const path = process.env.UPDATE_SCREENSHOT ? 'docs/screenshot.png' : testInfo.outputPath('screenshot.png');
  await page.screenshot({ path });
});
