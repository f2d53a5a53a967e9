// The 4-bit MatMulNBits export runs where the studio's users run it: onnxruntime-web in
// Chromium, on the WebGPU and the wasm execution providers (issue: "the 4-bit export also runs
// in onnxruntime-web"). Quantized on the page's GPU (the kernels under test elsewhere), written
// by the streaming writer, and scored against the original graph fed the dequantized weights:
// each window's NLL must agree within 1e-4 (relative) on both EPs.
import { beforeAll, describe, expect, it } from 'vitest';
import { blobSink, concatChunks } from '../core/byte-sink';
import { bytesSource } from '../core/byte-source';
import { createWebLmSession } from '../eval/ort-web';
import { evaluatePerplexity } from '../eval/perplexity';
import { fetchFixtures, isCi } from '../eval/testing/browser-fixtures';
import { loadTokenizer } from '../eval/tokenizer';
import { writeOnnx } from '../formats/onnx/onnx-writer';
import { acquireBrowserGpu } from '../gpu/browser-gpu';
import { createGpuContext } from '../gpu/context';
import { RECIPE_VERSION } from '../core/recipe';
import { selectionRules } from '../core/tensor-selection';
import { toStorageOrder } from '../core/weight-layout';
import { dequantizeCompressed } from '../quant/dequantize-compressed';
import { compressModel, exportCompressed } from './compress-model';
import { openModel } from './open-model';
import { resolveRecipe } from './recipe/resolve-recipe';

let exported: Uint8Array | undefined;
let reference: Uint8Array | undefined;
let tokens: Int32Array | undefined;
let missing: string | undefined;

beforeAll(async () => {
  const got = await fetchFixtures({
    model: ['models', 'tiny-llama', 'onnx', 'model.onnx'],
    tokenizer: ['models', 'tiny-llama', 'tokenizer.json'],
    text: ['text', 'wikitext-2-test.txt'],
  });
  if (!got.files) {
    missing = got.missing;
    return;
  }
  tokens = loadTokenizer(got.files.tokenizer).encode(new TextDecoder().decode(got.files.text).slice(0, 20_000));
  const model = await openModel([bytesSource(new Uint8Array(got.files.model), 'model.onnx')]);
  const ctx = await createGpuContext(acquireBrowserGpu());
  try {
    const recipe = { recipe: RECIPE_VERSION, rules: selectionRules({ kind: 'all-matmuls' }, { quantize: { method: 'rtn', bits: 4, symmetric: false, group: 32 } }) };
    const resolved = await resolveRecipe(model, recipe, 'onnx');
    const { results } = await compressModel(model, resolved, { gpu: ctx, keepResults: true });
    const sink = blobSink();
    await exportCompressed(resolved, results!, async () => sink);
    exported = concatChunks(sink.chunks);
    const infos = new Map(model.index.tensors.map((t) => [t.name, t]));
    const replaced = new Map(
      [...results!].map(([name, r]) => {
        const info = infos.get(name)!;
        const values = toStorageOrder(dequantizeCompressed(r), info.layout!, info.numel);
        return [name, new Uint8Array(values.buffer)] as const;
      }),
    );
    const refSink = blobSink();
    await writeOnnx(model.onnx!, { replaced }, refSink);
    reference = concatChunks(refSink.chunks);
  } finally {
    ctx.destroy();
  }
}, 300_000);

describe('4-bit block 32 MatMulNBits export in onnxruntime-web', () => {
  it('matches the dequantized reference window by window on wasm (2 windows) and WebGPU (1 window)', async ({ skip }) => {
    if (missing) skip(missing);
    const ref = await createWebLmSession(reference!, { executionProvider: 'wasm' });
    const expected = (await evaluatePerplexity(ref, tokens!, { windows: 2 })).nllPerWindow;
    await ref.release();

    const wasm = await createWebLmSession(exported!, { executionProvider: 'wasm' });
    const onWasm = (await evaluatePerplexity(wasm, tokens!, { windows: 2 })).nllPerWindow;
    await wasm.release();
    for (let w = 0; w < 2; w++) expect(Math.abs(onWasm[w] / expected[w] - 1), `wasm window ${w}`).toBeLessThan(1e-4);

    const gpu = await createWebLmSession(exported!, { executionProvider: 'webgpu' });
    try {
      if (gpu.executionProvider !== 'webgpu') {
        const reason = `WebGPU EP not usable: ${gpu.fallbackReason}`;
        if (isCi()) throw new Error(`${reason} (CI is set: WebGPU is required)`);
        skip(reason);
      }
      const onGpu = (await evaluatePerplexity(gpu, tokens!, { windows: 1 })).nllPerWindow;
      console.log(`MatMulNBits q4 NLL window 0: reference ${expected[0]}, wasm ${onWasm[0]}, webgpu ${onGpu[0]}`);
      expect(Math.abs(onGpu[0] / expected[0] - 1), 'webgpu window 0').toBeLessThan(1e-4);
    } finally {
      await gpu.release();
    }
  });
});
