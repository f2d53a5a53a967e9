// docs/EVAL.md reference perplexities with onnxruntime-web in Chromium: the wasm EP reproduces
// them; the WebGPU EP (SwiftShader here, ~6 s a window) matches wasm window by window.
import { beforeAll, describe, expect, it } from 'vitest';
import { createWebLmSession } from './ort-web';
import { EVAL_TEXT_EXCERPT_PATH, evaluatePerplexity } from './perplexity';
import { fetchFixtures, isCi } from './testing/browser-fixtures';
import { loadTokenizer } from './tokenizer';

const TOLERANCE = 1e-3; // EVAL.md: within 0.1 %
const MODELS = {
  'tiny-llama': { w64: 61.1523, w16: 57.9834 },
  'small-llama': { w64: 100.7025, w16: 94.0163 },
} as const;
type ModelName = keyof typeof MODELS;

interface Loaded {
  model: ArrayBuffer;
  tokens: Int32Array;
}
const loaded = new Map<ModelName, Loaded>();
let missing: string | undefined;

beforeAll(async () => {
  const got = await fetchFixtures({
    text: ['text', 'wikitext-2-test.txt'],
    tinyModel: ['models', 'tiny-llama', 'onnx', 'model.onnx'],
    tinyTokenizer: ['models', 'tiny-llama', 'tokenizer.json'],
    smallModel: ['models', 'small-llama', 'onnx', 'model.onnx'],
    smallTokenizer: ['models', 'small-llama', 'tokenizer.json'],
  });
  if (!got.files) {
    missing = got.missing;
    return;
  }
  const text = new TextDecoder().decode(got.files.text);
  loaded.set('tiny-llama', { model: got.files.tinyModel, tokens: loadTokenizer(got.files.tinyTokenizer).encode(text) });
  loaded.set('small-llama', { model: got.files.smallModel, tokens: loadTokenizer(got.files.smallTokenizer).encode(text) });
});

function fixture(name: ModelName, skip: (note: string) => void): Loaded {
  if (missing) skip(missing);
  return loaded.get(name)!;
}

describe('onnxruntime-web wasm EP', () => {
  const cases: [ModelName, 16 | 64][] = [
    ['tiny-llama', 16],
    ['tiny-llama', 64],
    ['small-llama', 16],
    ['small-llama', 64],
  ];
  for (const [name, windows] of cases) {
    const reference = windows === 64 ? MODELS[name].w64 : MODELS[name].w16;
    it(`${name} W=${windows} reproduces ${reference} within 0.1 %`, async ({ skip }) => {
      const { model, tokens } = fixture(name, skip);
      const t0 = performance.now();
      const session = await createWebLmSession(model, { executionProvider: 'wasm' });
      const createMs = performance.now() - t0;
      try {
        expect(session.executionProvider).toBe('wasm');
        const result = await evaluatePerplexity(session, tokens, { windows });
        console.log(
          `${name} wasm W=${windows}: ppl ${result.ppl.toFixed(4)} (ref ${reference}), ` +
            `session ${createMs.toFixed(0)} ms, ${(result.elapsedMs / windows).toFixed(0)} ms/window, ${result.tokensPerSecond.toFixed(0)} tok/s`,
        );
        expect(Math.abs(result.ppl / reference - 1)).toBeLessThan(TOLERANCE);
      } finally {
        await session.release();
      }
    });
  }
});

describe('onnxruntime-web WebGPU EP', () => {
  it('tiny-llama: each of 2 windows has the wasm EP NLL within 1e-4 relative', async ({ skip }) => {
    const { model, tokens } = fixture('tiny-llama', skip);
    const gpu = await createWebLmSession(model, { executionProvider: 'webgpu' });
    try {
      if (gpu.executionProvider !== 'webgpu') {
        const reason = `WebGPU EP not usable: ${gpu.fallbackReason}`;
        if (isCi()) throw new Error(`${reason} (CI is set: WebGPU is required)`);
        skip(reason);
      }
      const onGpu = await evaluatePerplexity(gpu, tokens, { windows: 2 });
      const cpu = await createWebLmSession(model, { executionProvider: 'wasm' });
      const onWasm = await evaluatePerplexity(cpu, tokens, { windows: 2 });
      await cpu.release();
      console.log(
        `tiny-llama webgpu NLL/window ${onGpu.nllPerWindow.map((x) => x.toFixed(6)).join(', ')}; ` +
          `wasm ${onWasm.nllPerWindow.map((x) => x.toFixed(6)).join(', ')}; webgpu ${(onGpu.elapsedMs / 2).toFixed(0)} ms/window`,
      );
      for (let w = 0; w < 2; w++) {
        expect(Math.abs(onGpu.nllPerWindow[w] / onWasm.nllPerWindow[w] - 1)).toBeLessThan(1e-4);
      }
    } finally {
      await gpu.release();
    }
  });
});

describe('shipped evaluation text', () => {
  it('is served from public/ at EVAL_TEXT_EXCERPT_PATH', async () => {
    const response = await fetch(`${import.meta.env.BASE_URL}${EVAL_TEXT_EXCERPT_PATH}`);
    expect(response.ok).toBe(true);
    const text = await response.text();
    expect(text.length).toBe(77_222);
    expect(text.startsWith(' \n = Robert <unk> = \n')).toBe(true);
  });
});

describe('onnxruntime-web "auto"', () => {
  it('takes WebGPU only on a real GPU adapter: on a CPU fallback it runs wasm and says why', async ({ skip }) => {
    const { model } = fixture('tiny-llama', skip);
    const adapter = await navigator.gpu?.requestAdapter();
    if (!adapter) skip('no WebGPU adapter in this browser');
    const session = await createWebLmSession(model, { executionProvider: 'auto' });
    try {
      if (adapter!.info.isFallbackAdapter) {
        expect(session.executionProvider).toBe('wasm');
        expect(session.fallbackReason).toMatch(/only WebGPU adapter \(.*swiftshader.*\) emulates a GPU on the CPU/i);
      } else {
        expect(session.executionProvider).toBe('webgpu');
      }
    } finally {
      await session.release();
    }
  });
});
