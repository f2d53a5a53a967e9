// A lost GPU device, as a user meets it: the browser's GPU process crashes mid-sweep (CDP
// Browser.crashGpuProcess, the same as a driver reset or the GPU process being killed). The sweep
// pauses with its finished points kept and a message that says the device was lost, the header
// says a new device replaced it, the run is listed as paused, Resume finishes the grid on the
// new device, and after another crash the next compression just works.
import { expect, test, type Browser } from '@playwright/test';
import { BIT_CHIPS, chooseOnly, compressAndScore, loadSample, useWasmEvaluation } from './page-steps';

async function crashGpuProcess(browser: Browser): Promise<void> {
  const cdp = await browser.newBrowserCDPSession();
  await cdp.send('Browser.crashGpuProcess' as never);
  await cdp.detach();
}

test('a GPU process crash mid-sweep keeps the finished points, says the device was lost, and Resume finishes on a new device', async ({ page, browser }) => {
  await page.goto('/');
  await loadSample(page);
  await useWasmEvaluation(page, 4);
  await chooseOnly(page, BIT_CHIPS, BIT_CHIPS);
  await page.getByTestId('sweep-start').click();
  const points = page.getByTestId('sweep-chart').getByTestId('sweep-point');
  await expect(points).toHaveCount(1, { timeout: 240_000 });

  await crashGpuProcess(browser);
  await expect(page.getByTestId('sweep-error')).toContainText('The GPU device was lost during the sweep', { timeout: 60_000 });
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-status', 'paused');
  const kept = await points.count();
  expect(kept).toBeGreaterThanOrEqual(1);
  expect(kept).toBeLessThan(4);
  await expect(page.getByTestId('sweep-status')).toHaveText(`Paused: ${kept} of 4 points finished.`);
  await expect(page.getByTestId('sweep-resume')).toHaveText(`Resume (${4 - kept} left)`);
  await expect(page.getByTestId('webgpu-status')).toHaveAttribute('title', /The previous device was lost \(.+\); this one replaced it\./);
  await expect(page.getByTestId('history-run').first().locator('td').nth(3)).toHaveText('paused');

  await page.getByTestId('sweep-resume').click();
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  await expect(points).toHaveCount(4);
  await expect(page.getByTestId('sweep-error')).toHaveCount(0);

  // Lost again while idle: the next action acquires a new device without a word of failure.
  await crashGpuProcess(browser);
  const { ppl } = await compressAndScore(page);
  expect(Number.isFinite(ppl)).toBe(true);
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
});
