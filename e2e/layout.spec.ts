// Layouts from 360 px up: no screen scrolls sideways (welcome, a model open, a model with a
// 245-character file name, a finished sweep with its history), a long name is cut with the whole
// name in its tooltip, and the sweep table's first column stays in view while the table scrolls.
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { dropFiles } from './drop-files';
import { chooseOnly, loadSample, useWasmEvaluation, BIT_CHIPS } from './page-steps';

const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

test('from 360 px up nothing scrolls sideways; long names are cut, with the name in the tooltip', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 800 });
  await page.goto('/');
  expect(await pageWidth(page)).toBeLessThanOrEqual(360);
  await loadSample(page);
  expect(await pageWidth(page)).toBeLessThanOrEqual(360);

  const longName = `${'a-very-long-model-name-'.repeat(10)}q.onnx`; // 236 + 6 characters
  const model = await readFile('public/sample/model.onnx');
  const tokenizer = await readFile('public/sample/tokenizer.json');
  await dropFiles(page, page.getByTestId('drop-zone'), [{ name: longName, buffer: model }, { name: 'tokenizer.json', buffer: tokenizer }]);
  await expect(page.getByTestId('model-name')).toHaveText(longName);
  await expect(page.getByTestId('model-name')).toHaveAttribute('title', longName);
  expect(await pageWidth(page)).toBeLessThanOrEqual(360);
  for (const width of [400, 768, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    expect(await pageWidth(page), `${width} px`).toBeLessThanOrEqual(width);
  }
  // The frame between a resize and recharts' ResizeObserver: the columns of 1280 px laid out at
  // 768 px, measured in the same task, before any chart has followed its narrower column. CI
  // once measured that frame (1449 px at 1280) before the charts clipped their overflow.
  await page.setViewportSize({ width: 768, height: 800 });
  const beforeChartsFollow = await page.evaluate(() => {
    document.querySelector<HTMLElement>('.layout')!.style.gridTemplateColumns = '330px minmax(0, 1fr)';
    for (const row of document.querySelectorAll<HTMLElement>('.chart-row')) row.style.gridTemplateColumns = 'minmax(0, 2fr) minmax(0, 3fr)';
    const width = document.documentElement.scrollWidth;
    document.querySelector<HTMLElement>('.layout')!.style.gridTemplateColumns = '';
    for (const row of document.querySelectorAll<HTMLElement>('.chart-row')) row.style.gridTemplateColumns = '';
    return width;
  });
  expect(beforeChartsFollow, 'a chart one frame behind its column').toBeLessThanOrEqual(768);

  await page.setViewportSize({ width: 360, height: 800 });
  await useWasmEvaluation(page, 4);
  await chooseOnly(page, BIT_CHIPS, ['sweep-bits-8', 'sweep-bits-4']);
  await page.getByTestId('sweep-start').click();
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  await expect(page.getByTestId('sweep-history')).toBeVisible();
  expect(await pageWidth(page)).toBeLessThanOrEqual(360);

  // Scrolled to its right end, the sweep table still shows each row's bits.
  const table = page.getByTestId('sweep-table');
  await table.evaluate((el) => (el.scrollLeft = el.scrollWidth));
  const region = await table.boundingBox();
  const firstCell = await page.getByTestId('sweep-row').first().locator('td').first().boundingBox();
  expect(firstCell!.x).toBeGreaterThanOrEqual(region!.x - 1);
  expect(firstCell!.x + firstCell!.width).toBeLessThanOrEqual(region!.x + region!.width);
});
