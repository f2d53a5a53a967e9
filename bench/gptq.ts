// GPTQ benchmark (not a test): (1) the solver per layer — damped inverse Cholesky and the blocked
// column solve, WGSL (Node WebGPU) against the float64 TypeScript reference in the same run, on
// seeded weights and SPD Hessians of several shapes; (2) quality at the protocol's settings — RTN
// and GPTQ (natural and act-order) at 3-bit/128 and 4-bit/128 on a fixture model, calibrated on
// 128 windows of the bundled validation text, sequential (the defaults), CPU references;
// perplexity at W=16 and W=64 (docs/EVAL.md) and KL divergence from the original at W=64. The CI test (gptq-quality.test.ts) uses 32 windows.
// Run: npm run bench:gptq -- [--sizes 256x256,1024x1024] [--model small-llama] [--windows 128]
//   [--skip-quality] [--skip-solver] [--fixtures DIR].
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_CALIBRATION, quantizeLabel, RECIPE_VERSION, type QuantizeSpec, type Recipe } from '../src/core/recipe';
import { OUTPUT_HEAD_PATTERN } from '../src/core/tensor-selection';
import { KL_TOP_K } from '../src/core/evaluation';
import { createNodeLmSession } from '../src/eval/ort-node';
import { loadTokenizer } from '../src/eval/tokenizer';
import { VariantEvaluator } from '../src/eval/variant-evaluator';
import { createGpuContext } from '../src/gpu/context';
import { acquireNodeGpu } from '../src/gpu/node-gpu';
import { dampedInverseCholeskyGpu } from '../src/kernels/linalg/cholesky';
import { gptqGpu } from '../src/kernels/linalg/gptq';
import { CalibrationCache, calibrator } from '../src/pipeline/calibration/calibrator';
import { compressModel } from '../src/pipeline/compress-model';
import { openModel } from '../src/pipeline/open-model';
import { resolveRecipe } from '../src/pipeline/recipe/resolve-recipe';
import { variantWeights } from '../src/pipeline/variant-weights';
import { dampedInverseCholeskyRef } from '../src/quant/linalg/cholesky';
import { gptqRef } from '../src/quant/linalg/gptq';
import { seededNormal, seededSpd } from '../src/quant/linalg/testing';
import { modelSources } from '../src/cli/node-files';
import { describeMachine, textTable as table } from './eval-report';

const opts = {
  sizes: '256x256,768x256,256x768', // small-llama's shapes; larger (1024x1024, 4096x4096, 11008x4096) on a real GPU
  model: 'small-llama',
  windows: DEFAULT_CALIBRATION.windows,
  quality: true,
  solver: true,
  fixtures: resolve(import.meta.dirname, '../../shared/fixtures'),
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--sizes') opts.sizes = argv[++i];
  else if (argv[i] === '--model') opts.model = argv[++i];
  else if (argv[i] === '--windows') opts.windows = Number(argv[++i]);
  else if (argv[i] === '--fixtures') opts.fixtures = argv[++i];
  else if (argv[i] === '--skip-quality') opts.quality = false;
  else if (argv[i] === '--skip-solver') opts.solver = false;
  else throw new Error(`unknown argument ${argv[i]} (use --sizes RxC,…, --model NAME, --windows N, --skip-quality, --skip-solver, --fixtures DIR)`);
}


const m = describeMachine();
console.log(`machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, node ${m.node}`);

if (opts.solver) {
  const ctx = await createGpuContext(await acquireNodeGpu());
  const { vendor, architecture, description } = ctx.adapterInfo;
  console.log(`\nGPTQ solver per layer (4-bit/128 asym, blocksize 128; W [rows][cols], H [cols][cols]); adapter "${vendor}" "${architecture}" "${description}"`);
  const rows: string[][] = [];
  for (const size of opts.sizes.split(',')) {
    const [r, c] = size.split('x').map(Number);
    const w = seededNormal(r * c, 1, 0.02);
    const h = seededSpd(c, 2);
    const solve = { bits: 4 as const, group: 128, symmetric: false, blocksize: 128 };
    let t = performance.now();
    const invRef = dampedInverseCholeskyRef(h, c, 0.01);
    const refChol = performance.now() - t;
    t = performance.now();
    gptqRef(w, r, c, invRef.u, solve);
    const refSolve = performance.now() - t;
    // GPU: once to compile, then timed.
    const h32 = Float32Array.from(h);
    await gptqGpu(ctx, w, r, c, (await dampedInverseCholeskyGpu(ctx, h32, c)).u, solve);
    t = performance.now();
    const inv = await dampedInverseCholeskyGpu(ctx, h32, c);
    const gpuChol = performance.now() - t;
    t = performance.now();
    await gptqGpu(ctx, w, r, c, inv.u, solve);
    const gpuSolve = performance.now() - t;
    const ms = (x: number) => x.toFixed(1);
    rows.push([size, ms(refChol), ms(refSolve), ms(gpuChol), ms(gpuSolve), ((refChol + refSolve) / (gpuChol + gpuSolve)).toFixed(2)]);
    console.error(rows[rows.length - 1].join('  '));
  }
  console.log(table(['rows×cols', 'TS Cholesky ms', 'TS solve ms', 'WGSL Cholesky ms', 'WGSL solve ms', 'TS / WGSL'], rows));
  console.log('WGSL times include upload and readback; on SwiftShader (CPU emulation) they are correctness runs, not GPU figures.');
  ctx.destroy();
}

if (opts.quality) {
  const dir = join(opts.fixtures, 'models', opts.model);
  const model = await openModel(await modelSources(join(dir, 'onnx', 'model.onnx')));
  const publicEval = resolve(import.meta.dirname, '../public/eval');
  const ids = loadTokenizer(readFileSync(join(dir, 'tokenizer.json'))).encode(readFileSync(join(publicEval, 'wikitext-2-test-excerpt.txt'), 'utf8'));
  const text = readFileSync(join(publicEval, 'wikitext-2-valid-excerpt.txt'), 'utf8');
  const evaluator = await VariantEvaluator.create(model, (b) => createNodeLmSession(b));
  const env = { text: async () => text, createSession: (b: Uint8Array) => createNodeLmSession(b), cache: new CalibrationCache() };
  const grid = (bits: 3 | 4) => ({ bits, group: 128 as const, symmetric: false });
  const gptq = (bits: 3 | 4, actOrder: boolean): QuantizeSpec => ({ method: 'gptq', ...grid(bits), damping: 0.01, blocksize: 128, actOrder });
  const SPECS: QuantizeSpec[] = [{ method: 'rtn', ...grid(3) }, gptq(3, false), gptq(3, true), { method: 'rtn', ...grid(4) }, gptq(4, false), gptq(4, true)];
  const original = { w16: (await evaluator.evaluate(ids, [], { windows: 16 })).ppl, w64: (await evaluator.evaluate(ids, [], { windows: 64 })).ppl };
  const rows = [['original', '–', original.w16.toFixed(4), original.w64.toFixed(4), '0', '100 %', '–']];
  for (const quantize of SPECS) {
    const calibration = quantize.method === 'gptq' ? { calibration: { ...DEFAULT_CALIBRATION, windows: opts.windows } } : {};
    const recipe: Recipe = { recipe: RECIPE_VERSION, ...calibration, rules: [{ match: OUTPUT_HEAD_PATTERN, keep: true }, { match: '.*', role: 'matmul-weight', quantize }] };
    const resolved = await resolveRecipe(model, recipe, 'onnx');
    const t0 = performance.now();
    const { results } = await compressModel(model, resolved, { keepResults: true, calibrate: resolved.plan.calibration ? calibrator(model, resolved.plan.calibration, env) : undefined });
    const s = (performance.now() - t0) / 1000;
    const weights = variantWeights(resolved.plan, results!);
    const w16 = await evaluator.evaluate(ids, weights, { windows: 16 });
    const w64 = await evaluator.evaluate(ids, weights, { windows: 64 });
    const label = quantizeLabel(quantize);
    const kl = w64.kl!;
    rows.push([label, resolved.plan.bitsPerWeight.toFixed(4), w16.ppl.toFixed(4), w64.ppl.toFixed(4), kl.mean.toFixed(5), `${(kl.top1Agreement * 100).toFixed(2)} %`, `${s.toFixed(1)} s`]);
    console.error(rows[rows.length - 1].join('  '));
  }
  await evaluator.release();
  console.log(`\nGPTQ quality, ${opts.model}, every matmul weight but the head; GPTQ calibrated on ${opts.windows} windows, sequential; CPU references, onnxruntime-node`);
  console.log(table(['method', 'bits/weight', 'ppl W=16', 'ppl W=64', 'KL W=64', 'top-1 W=64', 'compress'], rows));
  console.log(`KL: from the original's top ${KL_TOP_K} tokens per position, the rest lumped (a lower bound of the full KL).`);
}
process.exit(0);
