// Each calibrated or pruning method's GPU chain against its CPU reference, in one run (not a test):
// magnitude (per tensor, per row, 2:4), Wanda (50 %, 2:4), SparseGPT (50 %, 2:4), GPTQ
// (4-bit/128) and the data-free HQQ (4-bit/64, 20 iterations) beside RTN (4-bit/64) on real weights of a fixture model with real calibration statistics, through the
// registered methods exactly as the pipeline calls them; and the Hessian accumulation of the
// calibration run itself, GPU against CPU. GPU times include upload, shader compilation is
// excluded (one warm-up run each). On SwiftShader (CPU emulation of WebGPU) the ratios are
// correctness-run figures, not GPU figures: run it on a real GPU for those.
// Run: npm run bench:methods -- [--model small-llama] [--windows 4] [--fixtures DIR].
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { GptqQuantize, HqqQuantize, PruneSpec, RtnQuantize } from '../src/core/recipe';
import { HQQ_DEFAULTS } from '../src/core/recipe';
import { createNodeLmSession } from '../src/eval/ort-node';
import { loadTokenizer } from '../src/eval/tokenizer';
import { createGpuContext } from '../src/gpu/context';
import { acquireNodeGpu } from '../src/gpu/node-gpu';
import { calibrate } from '../src/pipeline/calibration/calibrate';
import { methodOf, pruneMethodOf } from '../src/pipeline/methods/registry';
import { openModel } from '../src/pipeline/open-model';
import { readWeight } from '../src/pipeline/weights/read-weight';
import { modelSources } from '../src/cli/node-files';
import { describeMachine, textTable } from './eval-report';

const opts = { model: 'small-llama', windows: 4, fixtures: resolve(import.meta.dirname, '../../shared/fixtures') };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--model') opts.model = argv[++i];
  else if (argv[i] === '--windows') opts.windows = Number(argv[++i]);
  else if (argv[i] === '--fixtures') opts.fixtures = argv[++i];
  else throw new Error(`unknown argument ${argv[i]} (use --model NAME, --windows N, --fixtures DIR)`);
}

const m = describeMachine();
const ctx = await createGpuContext(await acquireNodeGpu());
const { vendor, architecture, description } = ctx.adapterInfo;
console.log(`machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, node ${m.node}; adapter "${vendor}" "${architecture}" "${description}"`);

const dir = join(opts.fixtures, 'models', opts.model);
const model = await openModel(await modelSources(join(dir, 'onnx', 'model.onnx')));
const layers = ['model.layers.1.self_attn.o_proj', 'model.layers.1.mlp.down_proj'];
const infos = layers.map((l) => model.index.tensors.find((t) => t.layer === l)!);
const text = readFileSync(resolve(import.meta.dirname, '../public/eval/wikitext-2-valid-excerpt.txt'), 'utf8');
const tokens = loadTokenizer(readFileSync(join(dir, 'tokenizer.json'))).encode(text);
const needs = new Map(infos.map((t) => [t.name, 'hessian' as const]));
const calib = { windows: opts.windows, tokens, textLabel: 'builtin', createSession: (b: Uint8Array) => createNodeLmSession(b) };

const ms = async (f: () => Promise<unknown>) => {
  const t = performance.now();
  await f();
  return performance.now() - t;
};
const rows: string[][] = [];
const add = (what: string, shape: string, cpu: number, gpu: number) => {
  rows.push([what, shape, cpu.toFixed(1), gpu.toFixed(1), (cpu / gpu).toFixed(2)]);
  console.error(rows[rows.length - 1].join('  '));
};

await calibrate(model, needs, { ...calib, gpu: ctx }); // compile the capture kernels
const calibCpu = await ms(() => calibrate(model, needs, calib));
const calibGpu = await ms(() => calibrate(model, needs, { ...calib, gpu: ctx }));
add(`calibration, ${opts.windows} windows, 2 Hessians`, infos.map((t) => `${t.layout!.cols}²`).join(' + '), calibCpu, calibGpu);
const stats = await calibrate(model, needs, calib);

const PRUNE: PruneSpec[] = [
  { method: 'magnitude', sparsity: 0.5, scope: 'tensor' },
  { method: 'magnitude', sparsity: 0.5, scope: 'row' },
  { method: 'magnitude', pattern: '2:4', scope: 'tensor' },
  { method: 'wanda', sparsity: 0.5 },
  { method: 'wanda', pattern: '2:4' },
  { method: 'sparsegpt', sparsity: 0.5, damping: 0.01, blocksize: 128 },
  { method: 'sparsegpt', pattern: '2:4', damping: 0.01, blocksize: 128 },
];
const GPTQ: GptqQuantize = { method: 'gptq', bits: 4, group: 128, symmetric: false, damping: 0.01, blocksize: 128, actOrder: false };
const DATA_FREE: (RtnQuantize | HqqQuantize)[] = [
  { method: 'rtn', bits: 4, group: 64, symmetric: false },
  { method: 'hqq', bits: 4, group: 64, symmetric: false, zeroPoint: 'float', ...HQQ_DEFAULTS },
];

for (const info of infos) {
  const input = { ...(await readWeight(model, info)), stats: stats.get(info.name) };
  const shape = `${info.layout!.rows}×${info.layout!.cols}`;
  for (const spec of PRUNE) {
    const method = pruneMethodOf(spec);
    await method.runGpu(ctx, input, spec);
    const gpu = await ms(() => method.runGpu(ctx, input, spec));
    const cpu = await ms(() => method.runRef(input, spec));
    add(`${spec.method} ${spec.pattern ?? `${spec.sparsity! * 100} %`}${spec.method === 'magnitude' ? ` per ${spec.scope}` : ''}`, `${info.layer.split('.').pop()} ${shape}`, cpu, gpu);
  }
  const gptq = methodOf(GPTQ);
  await gptq.runGpu(ctx, input, GPTQ);
  const gpu = await ms(() => gptq.runGpu(ctx, input, GPTQ));
  const cpu = await ms(() => gptq.runRef(input, GPTQ));
  add('gptq 4-bit/128', `${info.layer.split('.').pop()} ${shape}`, cpu, gpu);
  for (const spec of DATA_FREE) {
    const method = methodOf(spec);
    await method.runGpu(ctx, input, spec);
    const g = await ms(() => method.runGpu(ctx, input, spec));
    const c = await ms(() => method.runRef(input, spec));
    add(`${spec.method} 4-bit/64`, `${info.layer.split('.').pop()} ${shape}`, c, g);
  }
}

const header = ['method', 'tensor', 'CPU reference ms', 'WGSL ms', 'CPU / WGSL'];
console.log(`\nMethods on ${opts.model} (${opts.windows} calibration windows), GPU chain vs CPU reference, same run`);
console.log(textTable(header, rows, 2));
ctx.destroy();
process.exit(0);
