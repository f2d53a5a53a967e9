// A size budget in the page, end to end on the sample: a target of 4.5 bits per weight; "Write
// rules" calibrates (wasm), measures every candidate on every weight on WebGPU / SwiftShader with a
// KL probe each, and puts a recipe in the editor whose plan fits the target; its figures beside
// the uniform settings (words and chart); the recipe compresses and evaluates like any other, and
// its KL divergence from the original is below uniform rtn 4-bit/128's (4.28 bits/weight, the
// largest uniform setting that fits). A target below what any setting can make is said, and the
// editor keeps its recipe. Then a sweep with a size-budget point puts it on the size chart beside
// a uniform point, with its own marker.
import { expect, test, type Page } from '@playwright/test';
import { chooseOnly, loadSample, BIT_CHIPS, BLOCK_CHIPS } from './page-steps';

const W = 4;

async function runAndKl(page: Page): Promise<number> {
  await expect(page.getByTestId('plan-line')).toHaveAttribute('data-planning', 'false');
  await page.getByTestId('compress-button').click();
  await page.getByTestId('evaluate-result').click({ timeout: 240_000 });
  const kl = page.getByTestId('result-kl');
  await expect(kl).toContainText('top-1', { timeout: 180_000 });
  return Number(await kl.getAttribute('data-kl'));
}

test('a 4.5 bits/weight budget on the sample writes rules that fit, and lands closer to the original than uniform rtn 4-bit/128', async ({ page }) => {
  test.setTimeout(600_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/');
  await loadSample(page);
  await page.getByTestId('eval-backend-wasm').check();
  await page.getByTestId('eval-windows').selectOption(String(W));

  // Uniform 4-bit/128 first (the quick rule with its group changed).
  await page.getByTestId('rule-0-group').selectOption('128');
  const uniformKl = await runAndKl(page);

  await page.getByTestId('budget-target').fill('4.5');
  await page.getByTestId('budget-run').click();
  await expect(page.getByTestId('progress-panel')).toBeVisible();
  const summary = page.getByTestId('budget-summary');
  await expect(summary).toBeVisible({ timeout: 480_000 });
  await expect(summary).toContainText('predicted KL');
  await expect(summary).toContainText('the largest uniform setting that fits, rtn 4-bit/128 asym');
  await expect(page.getByTestId('budget-chart')).toBeVisible();
  expect(Number(await summary.getAttribute('data-bpw'))).toBeLessThanOrEqual(4.5);
  await expect(page.getByTestId('quick-recipe')).toHaveValue('');
  expect(await page.getByTestId('rules').locator('li').count()).toBeGreaterThan(1);
  await expect(page.getByTestId('plan-line')).toHaveAttribute('data-planning', 'false');
  const planBpw = Number(/([\d.]+) bits per weight/.exec((await page.getByTestId('plan-line').textContent()) ?? '')?.[1]);
  expect(planBpw).toBeLessThanOrEqual(4.5);

  const budgetKl = await runAndKl(page);
  await expect(page.getByTestId('result-scheme')).toContainText('rtn');
  console.log(`sample W=${W}: uniform rtn 4-bit/128 KL ${uniformKl}, budget 4.5 bits/weight (plan ${planBpw}) KL ${budgetKl}`);
  expect(budgetKl).toBeLessThan(uniformKl);

  // Below the smallest setting: said, and the editor keeps the budget's rules.
  const rules = await page.getByTestId('rules').locator('li').count();
  await page.getByTestId('budget-target').fill('1');
  await page.getByTestId('budget-run').click();
  await expect(page.getByTestId('error-banner')).toContainText('the target is below the smallest the candidates can make', { timeout: 60_000 });
  expect(await page.getByTestId('rules').locator('li').count()).toBe(rules);
  expect(pageErrors).toEqual([]);
});

test('a sweep with a size-budget point: on the size chart beside the uniform points, its own marker', async ({ page }) => {
  test.setTimeout(600_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/');
  await loadSample(page);
  await page.getByTestId('eval-backend-wasm').check();
  await page.getByTestId('eval-windows').selectOption('4');
  await chooseOnly(page, BIT_CHIPS, ['sweep-bits-4']);
  await chooseOnly(page, BLOCK_CHIPS, ['sweep-block-128']);
  await page.getByTestId('sweep-budgets').fill('4.5');
  await page.getByTestId('sweep-calibration-windows').fill('4');
  await expect(page.getByTestId('sweep-grid-size')).toContainText('2 points');
  await page.getByTestId('sweep-start').click();

  const chart = page.getByTestId('sweep-chart');
  await expect(chart.getByTestId('sweep-point')).toHaveCount(2, { timeout: 480_000 });
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-status', 'done');
  const budget = chart.locator('[data-testid="sweep-point"][data-method="budget"]');
  const rtn = chart.locator('[data-testid="sweep-point"][data-method="rtn"]');
  await expect(budget).toHaveCount(1);
  await expect(rtn).toHaveCount(1);
  await expect(chart.getByTestId('method-key-item')).toHaveText(['RTN', 'size budget']);
  console.log(`sweep W=4: rtn 4-bit/128 ${await rtn.getAttribute('data-ppl')}, budget 4.5 ${await budget.getAttribute('data-ppl')}`);
  await page.getByTestId('sweep-metric-kl').check();
  await expect(chart.getByTestId('sweep-point')).toHaveCount(2);
  expect(pageErrors).toEqual([]);
});
