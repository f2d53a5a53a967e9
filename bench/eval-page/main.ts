// The browser half of `npm run bench:eval`: runs src/eval/eval-bench.ts on onnxruntime-web
// (createWebLmSession, WebGPU or wasm EP) for cases Node hands in through window.evalBench.
// Served from source by the bench's Vite dev server; see bench/eval-browser.ts.
import { runEvalBench } from '../../src/eval/eval-bench';
import { createWebLmSession, loadOrtWeb, type WebLmSession } from '../../src/eval/ort-web';
import type { PageAdapterInfo, PageBenchApi, PageBenchCase, PageBenchRow, PageEnvironment } from './protocol';

async function adapterInfo(): Promise<{ adapter: PageAdapterInfo | null; adapterError?: string }> {
  if (!navigator.gpu) return { adapter: null, adapterError: 'navigator.gpu is missing' };
  try {
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { adapter: null, adapterError: 'requestAdapter() returned null' };
    const { vendor, architecture, device, description } = adapter.info;
    return { adapter: { vendor, architecture, device, description, hasShaderF16: adapter.features.has('shader-f16') } };
  } catch (e) {
    return { adapter: null, adapterError: (e as Error).message };
  }
}

async function environment(): Promise<PageEnvironment> {
  return {
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    ...(await adapterInfo()),
  };
}

async function run(c: PageBenchCase): Promise<PageBenchRow> {
  const opened: { session?: WebLmSession } = {};
  const row = await runEvalBench(
    {
      model: c.model,
      runtime: 'onnxruntime-web',
      tokens: c.tokens,
      // Session creation includes fetching the model from the local dev server.
      open: async () => (opened.session = await createWebLmSession(c.modelUrl, { executionProvider: c.executionProvider })),
    },
    c.windows,
  );
  const ort = await loadOrtWeb();
  return {
    ...row,
    requestedExecutionProvider: c.executionProvider,
    ...(opened.session?.fallbackReason ? { fallbackReason: opened.session.fallbackReason } : {}),
    wasmThreads: Number(ort.env.wasm.numThreads ?? 1),
  };
}

const api: PageBenchApi = { environment, run };
window.evalBench = api;
document.getElementById('status')!.textContent = 'ready';
