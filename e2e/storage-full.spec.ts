// A full storage quota is reported, not swallowed: with the origin's quota cut to almost nothing
// (Chromium's DevTools protocol), a sweep still runs and shows its points, and says they are not
// saved; an evaluation says it is on the page only; a compress result says it is not in the history.
import { expect, test } from '@playwright/test';
import { chooseOnly, loadSample, useWasmEvaluation, BIT_CHIPS } from './page-steps';

test('with the storage quota full, a sweep runs and says its points are not saved; an evaluation says it is on the page only', async ({ page, baseURL }) => {
  await page.goto('/');
  await loadSample(page);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(baseURL!).origin, quotaSize: 1 });

  await useWasmEvaluation(page, 4);
  await chooseOnly(page, BIT_CHIPS, ['sweep-bits-8']);
  await page.getByTestId('sweep-start').click();
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('sweep-row')).toHaveCount(1);
  await expect(page.getByTestId('sweep-save-warning')).toContainText("The browser's storage for this page is full (quota exceeded)");
  await expect(page.getByTestId('sweep-save-warning')).toContainText('a reload would lose them');

  await page.getByTestId('evaluate-button').click();
  await expect(page.getByTestId('eval-ppl')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('eval-save-warning')).toContainText("The browser's storage for this page is full");
  await expect(page.getByTestId('eval-save-warning')).toContainText('This evaluation is on the page only');

  // A compress result stands (it downloads), and says it is not in the history.
  await page.getByTestId('compress-button').click();
  await expect(page.getByTestId('result-scheme')).toBeVisible();
  await expect(page.getByTestId('result-note').filter({ hasText: 'This result is not in the history.' })).toHaveCount(1);
  await expect(page.getByTestId('result-history-row')).toHaveCount(0);
});
