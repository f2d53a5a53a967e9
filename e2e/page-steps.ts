// Steps the e2e specs share: loading the built-in sample, and setting a row of sweep chips.
import { expect, type Page } from '@playwright/test';

/** Clicks "Try the sample" and waits until tiny-llama (1.84 M parameters) is open. */
export async function loadSample(page: Page): Promise<void> {
  await page.getByTestId('sample-button').click();
  await expect(page.getByTestId('param-count')).toHaveText('1.84 M');
}

/** Sets a chip group so exactly `on` is checked. */
export async function chooseOnly(page: Page, all: string[], on: string[]): Promise<void> {
  for (const id of all) {
    const box = page.getByTestId(id);
    if (on.includes(id)) await box.check();
    else await box.uncheck();
  }
}
