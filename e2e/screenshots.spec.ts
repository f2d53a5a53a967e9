// The README's pictures of the sweep screens: a sweep compared with an earlier run, its history
// and evaluations, light and dark, wide and narrow. UPDATE_SCREENSHOT=1 writes them to
// docs/screenshots/; otherwise they go to the test's output (the screens are still exercised).
import { expect, test } from '@playwright/test';
import { chooseOnly, loadSample, useWasmEvaluation, BIT_CHIPS, BLOCK_CHIPS } from './page-steps';

test('README screenshots of the sweep, its history and evaluations (UPDATE_SCREENSHOT=1 writes docs/screenshots/)', async ({ page }, testInfo) => {
  const out = (name: string) => (process.env.UPDATE_SCREENSHOT ? `docs/screenshots/${name}.png` : testInfo.outputPath(`${name}.png`));
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/');
  await loadSample(page);
  await useWasmEvaluation(page, 4);
  await page.getByTestId('evaluate-button').click();
  await expect(page.getByTestId('eval-ppl')).toBeVisible({ timeout: 120_000 });
  await chooseOnly(page, BIT_CHIPS, BIT_CHIPS);
  await page.getByTestId('sweep-start').click();
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  await page.getByTestId('eval-windows').selectOption('8');
  await chooseOnly(page, BIT_CHIPS, ['sweep-bits-8', 'sweep-bits-4', 'sweep-bits-2']);
  await chooseOnly(page, BLOCK_CHIPS, ['sweep-block-32', 'sweep-block-128']);
  await page.getByTestId('sweep-start').click();
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  await page.locator('[data-testid="history-run"][data-open="false"]').getByTestId('history-compare').check();
  await page.getByTestId('sweep-row').first().click();
  await page.getByTestId('point-evaluate').click();
  await expect(page.getByTestId('point-evaluation')).toHaveCount(1, { timeout: 120_000 });
  await page.mouse.move(0, 0);

  for (const [width, height, size] of [[1280, 900, 'wide'], [390, 844, 'narrow']] as const) {
    await page.setViewportSize({ width, height });
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [panel, name] of [['sweep-results', 'sweep'], ['sweep-history', 'history']] as const) {
        // Scrolled to just under the sticky header.
        await page.getByTestId(panel).evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 64));
        await page.screenshot({ path: out(`${name}-${size}-${scheme}`) });
      }
    }
  }
});
