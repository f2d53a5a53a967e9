// Synthetic drop onto an element (TESTING.md §3): builds a DataTransfer holding Files in the
// page and dispatches 'drop' on the target, as a person dragging files from the desktop would.
import type { Locator, Page } from '@playwright/test';

export interface DroppedFile {
  name: string;
  buffer: Buffer;
}

export async function dropFiles(page: Page, target: Locator, files: DroppedFile[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, base64: f.buffer.toString('base64') }));
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: 'application/octet-stream' }));
    }
    return dt;
  }, payload);
  await target.dispatchEvent('dragenter', { dataTransfer });
  await target.dispatchEvent('drop', { dataTransfer });
  await dataTransfer.dispose();
}
