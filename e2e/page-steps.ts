// Steps the e2e specs share: loading the built-in sample, setting a row of sweep chips (and a
// sweep of one llama.cpp type), evaluating the original, compressing with the editor's recipe then scoring the result, and
// saving the result's download.
import { expect, type Page, type TestInfo } from '@playwright/test';

/** Clicks "Try the sample" and waits until tiny-llama (1.84 M parameters) is open. */
export async function loadSample(page: Page): Promise<void> {
  await page.getByTestId('sample-button').click();
  await expect(page.getByTestId('param-count')).toHaveText('1.84 M');
}

/** The sweep form's bit-width chips and block chips, for chooseOnly. */
export const BIT_CHIPS = ['sweep-bits-8', 'sweep-bits-4', 'sweep-bits-3', 'sweep-bits-2'];
export const BLOCK_CHIPS = ['sweep-block-per-channel', 'sweep-block-16', 'sweep-block-32', 'sweep-block-64', 'sweep-block-128', 'sweep-block-256'];

/** Sets a chip group so exactly `on` is checked. */
export async function chooseOnly(page: Page, all: string[], on: string[]): Promise<void> {
  for (const id of all) {
    const box = page.getByTestId(id);
    if (on.includes(id)) await box.check();
    else await box.uncheck();
  }
}

/**
 * Compresses with the editor's recipe once the plan is ready, evaluates the result, and returns
 * the perplexity and KL divergence the page shows (the compress step may take `compressTimeout`).
 */
export async function compressAndScore(page: Page, compressTimeout = 240_000): Promise<{ ppl: number; kl: number }> {
  await expect(page.getByTestId('plan-line')).toHaveAttribute('data-planning', 'false');
  await page.getByTestId('compress-button').click();
  await page.getByTestId('evaluate-result').click({ timeout: compressTimeout });
  await expect(page.getByTestId('result-ppl')).toBeVisible({ timeout: 180_000 });
  return { ppl: Number(await page.getByTestId('result-ppl').getAttribute('data-ppl')), kl: Number(await page.getByTestId('result-kl').getAttribute('data-kl')) };
}

/** The sample open, wasm evaluation at W=4, and a sweep of llama.cpp `type` alone (no RTN widths); not started. */
export async function sampleSweepOfLlamaCppType(page: Page, type: string): Promise<void> {
  await page.goto('/');
  await loadSample(page);
  await useWasmEvaluation(page, 4);
  await chooseOnly(page, BIT_CHIPS, []);
  await page.getByTestId(`sweep-gguf-${type}`).check();
}

/** Evaluation on wasm (fast and exact here) with `windows` windows, for what follows. */
export async function useWasmEvaluation(page: Page, windows: number): Promise<void> {
  await page.getByTestId('eval-backend-wasm').check();
  await page.getByTestId('eval-windows').selectOption(String(windows));
}

/** Evaluates the original model on wasm with `windows` windows and returns the perplexity the page shows. */
export async function evaluateOriginal(page: Page, windows: number): Promise<number> {
  await useWasmEvaluation(page, windows);
  await page.getByTestId('evaluate-button').click();
  await expect(page.getByTestId('eval-ppl')).toBeVisible({ timeout: 120_000 });
  return Number(await page.getByTestId('eval-ppl').textContent());
}

/** Downloads the result panel's file (the button `testId`) into the test's output folder. */
export async function downloadResult(page: Page, testInfo: TestInfo, testId = 'download-button'): Promise<{ path: string; name: string }> {
  const downloading = page.waitForEvent('download');
  await page.getByTestId('result-panel').getByTestId(testId).click();
  const download = await downloading;
  const name = download.suggestedFilename();
  const path = testInfo.outputPath(name);
  await download.saveAs(path);
  return { path, name };
}
