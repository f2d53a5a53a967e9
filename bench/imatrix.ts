// Importance-weighted llama.cpp types (llama-quantize --imatrix), in one run (not a test): every
// quantized weight of a fixture's F16 GGUF through the WGSL kernels and through the CPU
// reference, with the importance matrix llama-imatrix wrote; blocks compared with each other and
// with the file llama-quantize --imatrix --pure wrote; and, when given --llama-quantize PATH,
// llama-quantize itself on the same input and matrix (whole file: read, quantize, write) beside
// `studio convert --imatrix` (the same), both timed on this machine. GPU times include upload and
// readback, shader compilation is excluded (a warm-up per type). On SwiftShader (CPU emulation of
// WebGPU) the GPU column is a correctness run, not a GPU figure.
// Run: npm run bench:imatrix -- [--types Q4_0,Q2_K,Q4_K,Q6_K] [--llama-quantize PATH] [--fixtures DIR]
import { execFileSync } from 'node:child_process';
import { openAsBlob } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { blobSource } from '../src/core/byte-source';
import { openGguf, readGgufTensor, type GgufFile } from '../src/formats/gguf/gguf-reader';
import { importanceOf, readImatrix } from '../src/formats/imatrix/imatrix-file';
import { createGpuContext } from '../src/gpu/context';
import { acquireNodeGpu } from '../src/gpu/node-gpu';
import { quantizeGgmlGpu } from '../src/kernels/ggml/quantize';
import { dequantizeGgmlRef, quantizeGgmlRef } from '../src/quant/ggml/ggml-codec';
import { describeMachine, textTable } from './eval-report';

const opts = { types: 'Q4_0,Q2_K,Q3_K_S,Q4_K_S,Q5_K_S,Q6_K', llamaQuantize: '', fixtures: resolve(import.meta.dirname, '../../shared/fixtures') };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--types') opts.types = argv[++i];
  else if (argv[i] === '--llama-quantize') opts.llamaQuantize = argv[++i];
  else if (argv[i] === '--fixtures') opts.fixtures = argv[++i];
  else throw new Error(`unknown argument ${argv[i]} (use --types A,B, --llama-quantize PATH, --fixtures DIR)`);
}

const open = async (path: string) => openGguf(blobSource(await openAsBlob(path), path));
const dir = join(opts.fixtures, 'models', 'small-llama', 'gguf');
const sourcePath = join(dir, 'model-f16.gguf');
const imatrixPath = join(dir, 'llama.cpp-imatrix', 'imatrix.gguf');
const source = await open(sourcePath);
const matrix = await readImatrix(blobSource(await openAsBlob(imatrixPath), 'imatrix.gguf'));
const m = describeMachine();
const ctx = await createGpuContext(await acquireNodeGpu());
const { vendor, architecture, description } = ctx.adapterInfo;
console.log(`machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, node ${m.node}; adapter "${vendor}" "${architecture}" "${description}"`);

/** The preset name's block type (Q3_K_S → Q3_K). */
const blockType = (preset: string) => preset.replace(/_[SM]$/, '');

interface Weight {
  name: string;
  values: Float32Array;
  importance: Float32Array;
}

async function weightsOf(g: GgufFile): Promise<Weight[]> {
  const out: Weight[] = [];
  for (const t of g.tensors) {
    const importance = importanceOf(matrix, t.name);
    if (!importance) continue;
    out.push({ name: t.name, values: dequantizeGgmlRef(t.type.name, await readGgufTensor(g, t)), importance });
  }
  return out;
}

const ms = async (f: () => Promise<unknown> | unknown) => {
  const t = performance.now();
  await f();
  return performance.now() - t;
};
const weights = await weightsOf(source);
const params = weights.reduce((n, w) => n + w.values.length, 0);
const rows: string[][] = [];
const tmp = mkdtempSync(join(tmpdir(), 'bench-imatrix-'));
try {
  for (const preset of opts.types.split(',')) {
    const type = blockType(preset);
    const reference = await open(join(dir, 'llama.cpp-imatrix', `model-${preset}-pure-imatrix.gguf`));
    const gpuBytes = new Map<string, Uint8Array>();
    const refBytes = new Map<string, Uint8Array>();
    await quantizeGgmlGpu(ctx, type, weights[0].values, { importance: weights[0].importance }); // compile
    const gpuMs = await ms(async () => {
      for (const w of weights) gpuBytes.set(w.name, await quantizeGgmlGpu(ctx, type, w.values, { importance: w.importance }));
    });
    const cpuMs = await ms(() => {
      for (const w of weights) refBytes.set(w.name, quantizeGgmlRef(type, w.values, w.importance));
    });
    let same = 0;
    let sameLlama = 0;
    let tensors = 0;
    for (const w of weights) {
      const t = reference.tensors.find((x) => x.name === w.name)!;
      if (t.type.name !== type) continue;
      tensors++;
      const theirs = await readGgufTensor(reference, t);
      if (Buffer.compare(gpuBytes.get(w.name)!, refBytes.get(w.name)!) === 0) same++;
      if (Buffer.compare(gpuBytes.get(w.name)!, theirs) === 0) sameLlama++;
    }
    let peer = '';
    if (opts.llamaQuantize) {
      const outLlama = join(tmp, `llama-${preset}.gguf`);
      const outStudio = join(tmp, `studio-${preset}.gguf`);
      const llamaMs = await ms(() => execFileSync(opts.llamaQuantize, ['--imatrix', imatrixPath, '--pure', sourcePath, outLlama, preset], { stdio: 'ignore' }));
      const studio = resolve(import.meta.dirname, '../bin/studio.mjs');
      const studioMs = await ms(() => execFileSync(process.execPath, [studio, 'convert', sourcePath, '-o', outStudio, '--type', preset, '--pure', '--imatrix', imatrixPath], { stdio: 'ignore', env: { ...process.env, STUDIO_QUIET_GPU: '1' } }));
      peer = `${llamaMs.toFixed(0)} / ${studioMs.toFixed(0)} (${(llamaMs / studioMs).toFixed(2)}×)`;
    }
    rows.push([preset, `${same}/${tensors}`, `${sameLlama}/${tensors}`, cpuMs.toFixed(0), gpuMs.toFixed(0), (cpuMs / gpuMs).toFixed(2), ((params / gpuMs) * 1e3 / 1e6).toFixed(2), peer || '–']);
    console.error(rows[rows.length - 1].join('  '));
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
  ctx.destroy();
}
console.log(`small-llama: ${weights.length} weights with importance, ${(params / 1e6).toFixed(2)} M parameters`);
console.log(textTable(
  ['type', 'GPU = reference (tensors)', 'GPU = llama-quantize', 'reference ms', 'GPU ms', 'GPU speedup', 'GPU M params/s', 'llama-quantize / studio convert ms (ratio)'],
  rows,
));
process.exit(0);
