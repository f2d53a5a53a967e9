// The browser half of bench/eval.ts: serves bench/eval-page/ from source with a Vite dev server
// (the repo's vite.config.ts: COOP/COEP for wasm threads, optimizeDeps), drives it with Playwright
// in Debian's Chromium (e2e/chromium.ts flags: WebGPU on SwiftShader where there is no GPU) and
// returns its rows. Vite and Playwright are loaded at run time from the repo's node_modules.
import { fileURLToPath } from 'node:url';
import { chromiumArgs, chromiumPath } from '../e2e/chromium';
import type { PageBenchCase, PageBenchRow, PageEnvironment, PageExecutionProvider } from './eval-page/protocol';

export interface BrowserBenchOptions {
  models: string[];
  /** Absolute path of ../shared/fixtures. */
  fixtures: string;
  /** The evaluation text's token ids per model. */
  tokens: ReadonlyMap<string, ArrayLike<number>>;
  windows: Record<PageExecutionProvider, number>;
  log: (line: string) => void;
}

export interface BrowserBenchFailure {
  model: string;
  executionProvider: PageExecutionProvider;
  message: string;
}

export interface BrowserBenchResult {
  browserVersion: string;
  environment: PageEnvironment;
  rows: PageBenchRow[];
  failures: BrowserBenchFailure[];
}

// Both files resolve to the same paths from bench/*.ts and from the bundle in .bench/.
const PAGE_ROOT = fileURLToPath(new URL('../bench/eval-page/', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const VITE_CONFIG = fileURLToPath(new URL('../vite.config.ts', import.meta.url));
const EXECUTION_PROVIDERS: PageExecutionProvider[] = ['webgpu', 'wasm'];

/**
 * A specifier esbuild cannot follow, so bin/bundle.mjs leaves Vite and Playwright out of the
 * bundle (they are large, with native and optional parts) and Node resolves them at run time.
 */
function importAtRunTime<T>(specifier: string): Promise<T> {
  return import(specifier) as Promise<T>;
}

async function startVite(fixtures: string) {
  const vite = await importAtRunTime<typeof import('vite')>('vite');
  const server = await vite.createServer({
    configFile: VITE_CONFIG,
    root: PAGE_ROOT,
    // Its own dep cache, so it never races a developer's dev server over node_modules/.vite.
    cacheDir: fileURLToPath(new URL('../node_modules/.vite-bench-eval', import.meta.url)),
    logLevel: 'warn',
    clearScreen: false,
    server: {
      host: '127.0.0.1',
      port: 0,
      hmr: false,
      watch: null,
      // The page imports src/ and fetches the fixture models through /@fs/.
      fs: { allow: [REPO_ROOT, fixtures] },
    },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('the bench Vite server has no TCP address');
  return { server, origin: `http://127.0.0.1:${address.port}` };
}

/** Runs every model × {webgpu, wasm} case in one page; a failing case is reported, not fatal. */
export async function runBrowserEvalBench(opts: BrowserBenchOptions): Promise<BrowserBenchResult> {
  const { server, origin } = await startVite(opts.fixtures);
  const { chromium } = await importAtRunTime<typeof import('playwright')>('playwright');
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  try {
    const page = await browser.newPage();
    // onnxruntime-web's own log lines arrive as console errors/warnings with ANSI colours.
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') opts.log(`page console.${m.type()}: ${m.text().replace(/\x1b\[[0-9;]*m/g, '')}`);
    });
    page.on('pageerror', (e) => opts.log(`page exception: ${e.message}`));
    await page.goto(`${origin}/index.html`);
    await page.waitForFunction(() => window.evalBench !== undefined, undefined, { timeout: 180_000 });
    const environment = await page.evaluate(() => window.evalBench!.environment());
    const rows: PageBenchRow[] = [];
    const failures: BrowserBenchFailure[] = [];
    for (const model of opts.models) {
      const tokens = opts.tokens.get(model);
      if (!tokens) throw new Error(`no tokens for ${model}`);
      for (const ep of EXECUTION_PROVIDERS) {
        const windows = opts.windows[ep];
        if (windows < 1) continue;
        const c: PageBenchCase = {
          model,
          modelUrl: `/@fs${opts.fixtures}/models/${model}/onnx/model.onnx`,
          executionProvider: ep,
          windows,
          tokens: Array.from({ length: Math.min(tokens.length, windows * 256) }, (_, i) => tokens[i]),
        };
        opts.log(`browser ${model} ${ep}: W=${windows}…`);
        try {
          const row = await page.evaluate((arg) => window.evalBench!.run(arg), c);
          rows.push(row);
          opts.log(`browser ${model} ${ep} (ran on ${row.executionProvider}): ${row.msPerWindow.toFixed(0)} ms/window`);
        } catch (e) {
          const message = (e as Error).message.split('\n')[0];
          failures.push({ model, executionProvider: ep, message });
          opts.log(`browser ${model} ${ep} failed: ${message}`);
        }
      }
    }
    return { browserVersion: browser.version(), environment, rows, failures };
  } finally {
    await browser.close();
    await server.close();
  }
}
