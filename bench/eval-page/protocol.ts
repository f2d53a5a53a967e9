// What bench/eval-browser.ts (Node, Playwright) asks bench/eval-page/main.ts (Chromium) for, and
// what comes back through page.evaluate: plain JSON-safe data. Times in ms, throughput in tokens/s.
import type { EvalBenchRow } from '../../src/eval/eval-bench';

export type PageExecutionProvider = 'webgpu' | 'wasm';

export interface PageBenchCase {
  model: string;
  /** Same-origin URL of the model's ONNX file (served by the bench's Vite server). */
  modelUrl: string;
  executionProvider: PageExecutionProvider;
  windows: number;
  /** The first windows · 256 token ids of the evaluation text (tokenized in Node). */
  tokens: number[];
}

export interface PageBenchRow extends EvalBenchRow {
  requestedExecutionProvider: PageExecutionProvider;
  /** Why WebGPU was asked for but not used (absent when it was used, or for wasm). */
  fallbackReason?: string;
  /** onnxruntime-web's wasm thread count after the session opened. */
  wasmThreads: number;
}

/** navigator.gpu's adapter as the page sees it (null when there is none). */
export interface PageAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  hasShaderF16: boolean;
}

export interface PageEnvironment {
  userAgent: string;
  hardwareConcurrency: number;
  crossOriginIsolated: boolean;
  adapter: PageAdapterInfo | null;
  adapterError?: string;
}

export interface PageBenchApi {
  environment(): Promise<PageEnvironment>;
  run(c: PageBenchCase): Promise<PageBenchRow>;
}

declare global {
  interface Window {
    /** Set by main.ts once the module has loaded. */
    evalBench?: PageBenchApi;
  }
}
