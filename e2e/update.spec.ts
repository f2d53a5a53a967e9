// A newer version never reloads the page by itself: with the studio cached (its service worker
// active), a new build lands on the server; on the next visit the header offers "New version:
// reload" while the old build keeps running and working; the click brings the new build.
import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { loadSample } from './page-steps';

test('a new version waits for the click: the running build keeps working, the click loads the new one', async ({ page }) => {
  test.setTimeout(600_000);
  await page.goto('/');
  await expect(page.getByTestId('offline-status')).toHaveText('Works offline', { timeout: 60_000 });
  const build = () => page.locator('header.app-header').getAttribute('data-build');
  const before = await build();
  expect(before).toMatch(/^\d{4}-\d\d-\d\dT/);

  // A new build of the studio lands where the server serves it from (vite preview serves dist/).
  execFileSync('npx', ['vite', 'build'], { stdio: 'ignore' });
  await page.reload(); // the browser looks for a new service worker on navigation
  await expect(page.getByTestId('apply-update')).toBeVisible({ timeout: 120_000 });
  // Nothing reloaded by itself: the old build runs, and works.
  expect(await build()).toBe(before);
  await loadSample(page);
  await expect(page.getByTestId('model-summary')).toBeVisible();

  await page.getByTestId('apply-update').click();
  await expect.poll(build, { timeout: 60_000 }).not.toBe(before);
  await expect(page.getByTestId('apply-update')).toHaveCount(0);
  await expect(page.getByTestId('offline-status')).toHaveText('Works offline');
});
