// Accessibility of every screen, in the light and the dark theme: axe-core finds no serious or
// critical violation (contrast included) on the welcome screen, with a model open, with a result,
// with a finished sweep, and with its history (a second run compared, a delete asking); sweep points — table rows and chart markers — are selected by
// keyboard; the dark theme follows the system setting.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { chooseOnly, compressAndScore, loadSample, useWasmEvaluation, BIT_CHIPS, BLOCK_CHIPS } from './page-steps';

/** axe-core's serious and critical findings on the page as it is, in both themes. */
async function seriousViolations(page: Page, screen: string): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const { violations } = await new AxeBuilder({ page }).analyze();
    for (const v of violations) {
      if (v.impact === 'serious' || v.impact === 'critical') found.push(`${screen} (${colorScheme}): ${v.id} — ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    }
  }
  return found;
}

test('no serious or critical axe findings on any screen, light or dark; sweep points selected by keyboard', async ({ page }) => {
  const found: string[] = [];
  await page.goto('/');
  found.push(...(await seriousViolations(page, 'welcome')));
  await loadSample(page);
  found.push(...(await seriousViolations(page, 'model open')));
  await useWasmEvaluation(page, 4);
  await compressAndScore(page);
  found.push(...(await seriousViolations(page, 'result')));

  await chooseOnly(page, BIT_CHIPS, ['sweep-bits-8', 'sweep-bits-4']);
  await chooseOnly(page, BLOCK_CHIPS, ['sweep-block-32']);
  await chooseOnly(page, ['sweep-asym', 'sweep-sym'], ['sweep-asym']);
  await page.getByTestId('sweep-start').click();
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-status', 'done', { timeout: 240_000 });

  // Keyboard: Enter on a focused table row, then Space on a focused chart marker, selects that point.
  const row = page.getByTestId('sweep-row').first();
  await row.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('selected-point')).toHaveAttribute('data-point-id', (await row.getAttribute('data-point-id'))!);
  const marker = page.getByTestId('sweep-chart').locator('[data-testid="sweep-point"][data-bits="8"]');
  await marker.focus();
  await page.keyboard.press(' ');
  await expect(page.getByTestId('selected-point')).toHaveAttribute('data-point-id', (await marker.getAttribute('data-point-id'))!);
  await expect(marker).toHaveAttribute('aria-pressed', 'true');
  found.push(...(await seriousViolations(page, 'sweep')));

  // A second run with other settings, compared with the first: the history and the compared points.
  await page.getByTestId('eval-windows').selectOption('8');
  await chooseOnly(page, BIT_CHIPS, ['sweep-bits-8']);
  await page.getByTestId('sweep-start').click();
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  await page.locator('[data-testid="history-run"][data-open="false"]').getByTestId('history-compare').check();
  await expect(page.getByTestId('compared-row')).toHaveCount(2);
  await page.locator('[data-testid="history-run"][data-open="false"]').getByTestId('history-delete').click();
  found.push(...(await seriousViolations(page, 'sweep history')));

  // The dark theme follows the system setting.
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(18, 20, 27)');
  await page.emulateMedia({ colorScheme: 'light' });
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(244, 245, 248)');

  expect(found).toEqual([]);
});
