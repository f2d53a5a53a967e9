// Compress results are kept: each run joins the model's Results list, which comes back after a
// reload; "Run again" makes the same file (byte for byte) from the kept recipe; deleting asks
// first and Undo brings the result back.
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { downloadResult, loadSample } from './page-steps';

async function compress(page: Page, bits: 4 | 8): Promise<void> {
  await page.getByTestId('rule-0-bits').selectOption(String(bits));
  await page.getByTestId('compress-button').click();
  await expect(page.getByTestId('result-scheme')).toContainText(`rtn ${bits}-bit/32 asym`);
}

test('every compress result is kept, comes back after a reload, runs again to the same file, and is deleted only when confirmed', async ({ page }, testInfo) => {
  await page.goto('/');
  await loadSample(page);
  await compress(page, 4);
  const first = await readFile((await downloadResult(page, testInfo)).path);
  await compress(page, 8);
  const rows = page.getByTestId('result-history-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toHaveAttribute('data-file', 'model-q8-b32-asym.onnx');

  await page.reload();
  await loadSample(page);
  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId('result-panel')).toHaveCount(0);

  // Run again: the kept recipe and format, compressed again — the same bytes as the first download.
  await page.locator('[data-testid="result-history-row"][data-file="model-q4-b32-asym.onnx"]').getByTestId('result-history-rerun').click();
  await expect(page.getByTestId('result-scheme')).toContainText('rtn 4-bit/32 asym');
  const again = await readFile((await downloadResult(page, testInfo)).path);
  expect(again.equals(first)).toBe(true);
  await expect(rows).toHaveCount(3);

  // Deleting asks first; Keep keeps, Delete deletes, Undo brings it back.
  const eightBit = page.locator('[data-testid="result-history-row"][data-file="model-q8-b32-asym.onnx"]');
  await eightBit.getByTestId('result-history-delete').click();
  await eightBit.getByTestId('result-history-confirm-keep').click();
  await expect(rows).toHaveCount(3);
  await eightBit.getByTestId('result-history-delete').click();
  await eightBit.getByTestId('result-history-confirm-delete').click();
  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId('result-history-deleted')).toContainText('model-q8-b32-asym.onnx');
  await page.getByTestId('result-history-undo').click();
  await expect(rows).toHaveCount(3);
  await page.reload();
  await loadSample(page);
  await expect(rows).toHaveCount(3);
});
