// transformers.js in a Chromium page, offline: the page, @huggingface/transformers' browser
// bundle (which carries onnxruntime-web's JS), onnxruntime-web's wasm and a model folder are all
// served from this machine by Playwright routes on http://localhost:1 (a secure context that no
// server answers), so nothing can come from a CDN or the Hub. The page loads the folder and
// generates greedily, as an app serving the exported folder would.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BrowserContext } from '@playwright/test';

const ORIGIN = 'http://localhost:1';
const TRANSFORMERS = resolve(import.meta.dirname, '../node_modules/@huggingface/transformers');
/** The onnxruntime-web build transformers.js was made with (its own dependency, beside it). */
const ORT_DIST = join(TRANSFORMERS, 'node_modules/onnxruntime-web/dist');

const PAGE = (id: string, dtype: string, prompt: string, tokens: number) => `<!doctype html><meta charset="utf-8"><script type="module">
import { AutoModelForCausalLM, AutoTokenizer, env } from '/transformers.js';
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = '/models/';
env.useBrowserCache = false;
env.backends.onnx.wasm.wasmPaths = '/ort/';
env.backends.onnx.wasm.numThreads = 1;
try {
  const tokenizer = await AutoTokenizer.from_pretrained(${JSON.stringify(id)});
  const model = await AutoModelForCausalLM.from_pretrained(${JSON.stringify(id)}, { dtype: ${JSON.stringify(dtype)}, device: 'wasm' });
  const out = await model.generate({ ...tokenizer(${JSON.stringify(prompt)}), max_new_tokens: ${tokens}, do_sample: false });
  window.generated = tokenizer.decode(out.tolist()[0].map(Number), { skip_special_tokens: true });
} catch (e) {
  window.generated = 'ERROR ' + (e && e.stack || e);
}
</script>`;

const TYPES: Record<string, string> = { js: 'text/javascript', mjs: 'text/javascript', wasm: 'application/wasm', json: 'application/json', html: 'text/html' };

/** Generates `tokens` tokens from `prompt` with the folder `folder` (its name is the model id) in a fresh page; the decoded text. */
export async function generateInPage(context: BrowserContext, folder: string, dtype: string, prompt: string, tokens: number): Promise<{ text: string; requests: string[] }> {
  const id = folder.split(/[\\/]/).pop()!;
  const requests: string[] = [];
  const page = await context.newPage();
  await page.route(`${ORIGIN}/**`, async (route) => {
    const path = decodeURIComponent(new URL(route.request().url()).pathname);
    requests.push(path);
    const file =
      path === '/' ? null
      : path === '/transformers.js' ? join(TRANSFORMERS, 'dist/transformers.js')
      : path.startsWith('/ort/') ? join(ORT_DIST, path.slice('/ort/'.length))
      : path.startsWith(`/models/${id}/`) ? join(folder, path.slice(`/models/${id}/`.length))
      : undefined;
    if (file === null) return route.fulfill({ body: PAGE(id, dtype, prompt, tokens), contentType: 'text/html' });
    if (!file) return route.fulfill({ status: 404, body: 'not here' });
    try {
      return route.fulfill({ body: await readFile(file), contentType: TYPES[file.split('.').pop()!] ?? 'application/octet-stream' });
    } catch {
      return route.fulfill({ status: 404, body: 'not here' });
    }
  });
  try {
    await page.goto(`${ORIGIN}/`);
    await page.waitForFunction(() => typeof (window as unknown as { generated?: string }).generated === 'string', undefined, { timeout: 120_000 });
    return { text: await page.evaluate(() => (window as unknown as { generated: string }).generated), requests };
  } finally {
    await page.close();
  }
}
