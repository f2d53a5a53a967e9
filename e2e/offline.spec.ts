// The studio keeps to its own origin and works offline (the built page's Content-Security-Policy
// and service worker, vite.config.ts). A whole session — load the sample, quantize, evaluate, sweep,
// export — sends no request beyond the page's origin and breaks no CSP rule; once the header says
// "Works offline", the page reloads with the network off and does it all again from the cache:
// the app, onnxruntime-web's wasm, the evaluation text and the sample.
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { chooseOnly, compressAndScore, downloadResult, evaluateOriginal, loadSample, useWasmEvaluation, BIT_CHIPS, BLOCK_CHIPS } from './page-steps';

/** Records Content-Security-Policy violations of the document in window.__cspViolations. */
async function recordCspViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} blocked ${e.blockedURI}`));
  });
}

const cspViolations = (page: Page) => page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);

test('a whole session stays on the origin under a strict CSP; after one visit the studio works offline', async ({ page, context, baseURL }, testInfo) => {
  const origin = new URL(baseURL!).origin;
  const beyondOrigin: string[] = [];
  context.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith('blob:') && !url.startsWith('data:')) beyondOrigin.push(url);
  });
  const consoleCsp: string[] = [];
  const watchConsole = (text: string) => /Content Security Policy/i.test(text) && consoleCsp.push(text);
  page.on('console', (m) => watchConsole(m.text()));
  page.on('worker', (w) => w.on('console', (m) => watchConsole(m.text())));
  await recordCspViolations(page);

  await page.goto('/');
  await expect(page.locator('meta[http-equiv="Content-Security-Policy"]')).toHaveAttribute('content', /default-src 'self'/);
  await expect(page.getByTestId('offline-status')).toHaveText('Works offline', { timeout: 60_000 });

  // Online: the sample, quantized and scored, downloaded, and a two-point sweep.
  await loadSample(page);
  await useWasmEvaluation(page, 4);
  const online = await compressAndScore(page);
  expect(online.ppl).toBeGreaterThan(1);
  const firstBytes = await readFile((await downloadResult(page, testInfo)).path);
  expect(firstBytes.byteLength).toBeGreaterThan(100_000);
  await chooseOnly(page, BIT_CHIPS, ['sweep-bits-8', 'sweep-bits-4']);
  await chooseOnly(page, BLOCK_CHIPS, ['sweep-block-32']);
  await chooseOnly(page, ['sweep-asym', 'sweep-sym'], ['sweep-asym']);
  await expect(page.getByTestId('sweep-grid-size')).toContainText('2 points');
  await page.getByTestId('sweep-start').click();
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  await expect(page.getByTestId('sweep-row')).toHaveCount(2);

  const violations = await cspViolations(page);

  // Offline: a reload comes from the service worker's cache, and everything still works.
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId('welcome')).toBeVisible();
  await expect(page.getByTestId('offline-status')).toHaveText('Works offline');
  await loadSample(page);
  const originalPpl = await evaluateOriginal(page, 4);
  expect(originalPpl).toBeGreaterThan(1);
  const offline = await compressAndScore(page);
  // The same recipe on the same model gives the same result, network or not.
  expect(offline.ppl).toBeCloseTo(online.ppl, 6);
  const secondBytes = await readFile((await downloadResult(page, testInfo)).path);
  expect(secondBytes.equals(firstBytes)).toBe(true);
  await expect(page.getByTestId('sweep-row')).toHaveCount(2);

  // The "?" beside a setting opens the settings page at its section, offline too.
  const opening = context.waitForEvent('page');
  await page.getByTestId('help-bits').first().click();
  const help = await opening;
  await help.waitForLoadState();
  expect(help.url()).toMatch(/\/docs\/settings\.html#bits$/);
  await expect(help.locator('#bits h2')).toHaveText('Bits');
  await expect(help.locator('#bits')).toContainText('3-bit codes are stored in 4-bit containers');
  await help.close();

  expect(beyondOrigin).toEqual([]);
  expect([...violations, ...(await cspViolations(page))]).toEqual([]);
  expect(consoleCsp).toEqual([]);
});
