// The one-command GPU benchmark (issue #13; not a test): in one run on one device, writes one JSON
// with (1) each WGSL kernel's traffic against a copyBufferToBuffer of the same bytes — RTN
// variants, every llama.cpp type's quantizer (with and without importance) and dequantizer, on a
// weight already on the GPU; (2) host→GPU upload by each path (writeBuffer whole and in pieces,
// mappedAtCreation staging, the product's uploadStorage) and GPU→host readback; (3) end to end,
// `convert` of a Llama-3.2-1B-shaped checkpoint made on the spot (bench/make-model.ts) to GGUF
// types on this GPU, its time split into reads, writes and the rest (quantize: upload, kernels,
// readback); each quantizer's bytes are also checked against the CPU reference on a slice.
// `npm run bench:gpu` fills .gpu/ (../shared/tools/gpu/prepare.sh, this bundle, make-model's) and
// runs it here (SwiftShader: small sizes, correctness only). On the GPU machine, from the checkout
// with .gpu/: `bash .gpu/enter.sh node .gpu/bench.mjs --out $OUT/gpu-bench.json` (about 3–5 min).
// Flags: --size N (kernel weight N×N; default 4096, 1024 on a CPU fallback), --upload-mib N,
// --layers N (the e2e model; 0 skips it), --types Q8_0,Q4_0,Q4_K_M, --out FILE.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ByteSink } from '../src/core/byte-sink';
import type { ByteSource } from '../src/core/byte-source';
import type { RtnSettings } from '../src/core/compressed-tensor';
import type { WeightLayout } from '../src/core/model-index';
import { adapterName } from '../src/core/gpu-adapter';
import { ggmlTypeByName } from '../src/core/ggml-types';
import { createGpuContext, type GpuContext } from '../src/gpu/context';
import { createBuffer, destroyBuffers, readBuffers, uploadStorage } from '../src/gpu/buffers';
import { acquireNodeGpu } from '../src/gpu/node-gpu';
import { dequantizeParamsBuffer, dequantizePipeline, encodeDequantizeGgml, GPU_DEQUANTIZE_TYPES, planDequantizeGgmlGpu } from '../src/kernels/ggml/dequantize';
import { encodeQuantizeGgml, GPU_IMPORTANCE_TYPES, GPU_QUANTIZE_TYPES, planQuantizeGgmlGpu, quantizeGgmlGpu, quantizeParamsBuffer, quantizePipeline } from '../src/kernels/ggml/quantize';
import { quantizeGgmlRef } from '../src/quant/ggml/ggml-codec';
import { createRtnBuffers, encodeRtn, planRtnGpu, rtnPipeline } from '../src/kernels/quant/rtn';
import { seededWeights } from '../src/kernels/quant/rtn-compare';
import { compressModel } from '../src/pipeline/compress-model';
import { openModel } from '../src/pipeline/open-model';
import { ggufTypeRecipe } from '../src/pipeline/recipe/shorthands';
import { resolveRecipe } from '../src/pipeline/recipe/resolve-recipe';
import { gpuGgmlDequantizer } from '../src/pipeline/weights/gguf-weights';
import { fileSink, modelSources } from '../src/cli/node-files';
import { findSidecars } from '../src/cli/sidecars';
import { chooseVulkanDriver, timeGpu } from './gpu-timing';

const RTN: { name: string; scheme: RtnSettings }[] = [
  { name: 'rtn 4-bit b32 asym', scheme: { bits: 4, symmetric: false, group: 32 } },
  { name: 'rtn 8-bit per-channel sym', scheme: { bits: 8, symmetric: true, group: 'per-channel' } },
  { name: 'rtn 3-bit b128 asym', scheme: { bits: 3, symmetric: false, group: 128 } },
];

interface KernelRow {
  kernel: string;
  bytesMoved: number;
  ms: number;
  gbPerS: number;
  vsCopy: number;
  /** Quantizers: the GPU's bytes equal the CPU reference's on a slice. */
  identicalToReference?: boolean;
}

function args() {
  const o = { size: 0, uploadMib: 0, layers: -1, types: 'Q8_0,Q4_0,Q4_K_M', out: '' };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '').replace(/-(\w)/g, (_, c: string) => c.toUpperCase()) as keyof typeof o;
    if (!(key in o) || argv[i + 1] === undefined) throw new Error(`unknown argument ${argv[i]} (use --size N, --upload-mib N, --layers N, --types A,B, --out FILE)`);
    (o as Record<string, string | number>)[key] = typeof o[key] === 'number' ? Number(argv[++i]) : argv[++i];
  }
  return o;
}

const gbps = (bytes: number, ms: number) => bytes / ms / 1e6;

/** (1) Kernels on an N×N weight already on the GPU, against a copy of the same bytes. */
async function kernels(ctx: GpuContext, size: number, budgetMs: number): Promise<KernelRow[]> {
  const numel = size * size;
  const values = seededWeights(numel, 1);
  const weights = uploadStorage(ctx, new Uint8Array(values.buffer), 'bench weights', GPUBufferUsage.COPY_SRC);
  const copyDst = createBuffer(ctx, numel * 4, GPUBufferUsage.COPY_DST, 'bench copy dst');
  const copy = await timeGpu(ctx, (e) => e.copyBufferToBuffer(weights, 0, copyDst, 0, numel * 4), budgetMs);
  const copyRate = gbps(2 * numel * 4, copy.ms);
  const rows: KernelRow[] = [{ kernel: 'copyBufferToBuffer', bytesMoved: 2 * numel * 4, ms: copy.ms, gbPerS: copyRate, vsCopy: 1 }];
  const add = (kernel: string, bytesMoved: number, ms: number) => {
    rows.push({ kernel, bytesMoved, ms, gbPerS: gbps(bytesMoved, ms), vsCopy: gbps(bytesMoved, ms) / copyRate });
    console.log(`  ${kernel}: ${gbps(bytesMoved, ms).toFixed(2)} GB/s, ${(gbps(bytesMoved, ms) / copyRate).toFixed(3)} × copy`);
  };
  console.log(`  copy: ${copyRate.toFixed(2)} GB/s`);

  const layout: WeightLayout = { rows: size, cols: size, rowStride: size, colStride: 1 };
  for (const { name, scheme } of RTN) {
    const plan = planRtnGpu(ctx, 'f32', numel * 4, layout, scheme);
    const pipeline = await rtnPipeline(ctx, plan);
    const buffers = createRtnBuffers(ctx, plan);
    const t = await timeGpu(ctx, (e) => encodeRtn(ctx, plan, pipeline, e, weights, buffers), budgetMs);
    add(name, numel * 4 + plan.codesBytes + plan.groups * (4 + 4 + 8), t.ms);
    destroyBuffers(...Object.values(buffers));
  }

  const importance = uploadStorage(ctx, new Uint8Array(Float32Array.from({ length: size }, (_, i) => 1 + (i % 7)).buffer), 'bench importance');
  const unused = createBuffer(ctx, 4, GPUBufferUsage.STORAGE, 'bench importance (unused)');
  const quantizeKinds = [...GPU_QUANTIZE_TYPES.map((t) => ({ type: t, weighted: false })), ...GPU_IMPORTANCE_TYPES.map((t) => ({ type: t, weighted: true }))];
  for (const { type, weighted } of quantizeKinds) {
    if (size % ggmlTypeByName(type)!.blockSize !== 0) continue;
    const plan = planQuantizeGgmlGpu(ctx, type, numel, weighted ? size : undefined);
    const pipeline = await quantizePipeline(ctx, plan);
    const params = quantizeParamsBuffer(ctx, plan);
    // Repeated dispatches OR into the same (no longer zero) blocks: the bytes are garbage, the work is the same.
    const blocks = createBuffer(ctx, plan.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, 'bench blocks');
    const t = await timeGpu(ctx, (e) => encodeQuantizeGgml(ctx, plan, pipeline, e, { params, input: weights, blocks, importance: weighted ? importance : unused }), budgetMs);
    add(`quantize ${type}${weighted ? ' + importance' : ''}`, numel * 4 + plan.byteLength + (weighted ? size * 4 : 0), t.ms);
    // The kernel's bytes against the CPU reference on the first 16 rows (the kernels' tests hold them equal everywhere).
    const head = values.subarray(0, 16 * size);
    const weights16 = weighted ? Float32Array.from({ length: size }, (_, i) => 1 + (i % 7)) : undefined;
    const same = Buffer.compare(await quantizeGgmlGpu(ctx, type, head, { importance: weights16 }), quantizeGgmlRef(type, head, weights16)) === 0;
    rows[rows.length - 1].identicalToReference = same;
    if (!same) console.log(`  !! quantize ${type}: GPU bytes differ from the reference`);
    destroyBuffers(params, blocks);
  }
  for (const type of GPU_DEQUANTIZE_TYPES) {
    const { blockSize, blockBytes } = ggmlTypeByName(type)!;
    if (size % blockSize !== 0) continue;
    const byteLength = (numel / blockSize) * blockBytes;
    const plan = planDequantizeGgmlGpu(ctx, type, byteLength, numel);
    const pipeline = await dequantizePipeline(ctx, plan);
    const params = dequantizeParamsBuffer(ctx, plan);
    const input = createBuffer(ctx, Math.ceil(byteLength / 4) * 4, GPUBufferUsage.STORAGE, 'bench blocks in');
    const out = createBuffer(ctx, numel * 4, GPUBufferUsage.STORAGE, 'bench values out');
    const t = await timeGpu(ctx, (e) => encodeDequantizeGgml(ctx, plan, pipeline, e, { params, input, values: out }), budgetMs);
    add(`dequantize ${type}`, byteLength + numel * 4, t.ms);
    destroyBuffers(params, input, out);
  }
  destroyBuffers(weights, copyDst, importance, unused);
  return rows;
}

/** (2) Host→GPU and GPU→host, `mib` MiB, each path timed to the queue's completion. */
async function transfers(ctx: GpuContext, mib: number): Promise<{ path: string; gbPerS: number }[]> {
  const bytes = new Uint8Array(mib << 20);
  for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i & 255;
  const out: { path: string; gbPerS: number }[] = [];
  const measure = async (path: string, fn: () => Promise<void>) => {
    await fn(); // warm
    const t0 = performance.now();
    await fn();
    const ms = performance.now() - t0;
    out.push({ path, gbPerS: gbps(bytes.length, ms) });
    console.log(`  ${path}: ${gbps(bytes.length, ms).toFixed(2)} GB/s`);
  };
  const target = createBuffer(ctx, bytes.length, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC, 'bench upload');
  await measure('writeBuffer whole', async () => {
    ctx.device.queue.writeBuffer(target, 0, bytes);
    await ctx.device.queue.onSubmittedWorkDone();
  });
  for (const piece of [4, 16, 64].filter((p) => p <= mib)) {
    await measure(`writeBuffer in ${piece} MiB pieces`, async () => {
      for (let at = 0; at < bytes.length; at += piece << 20) ctx.device.queue.writeBuffer(target, at, bytes.subarray(at, at + (piece << 20)));
      await ctx.device.queue.onSubmittedWorkDone();
    });
  }
  await measure('mappedAtCreation staging + copy', async () => {
    const staging = ctx.device.createBuffer({ size: bytes.length, usage: GPUBufferUsage.COPY_SRC, mappedAtCreation: true });
    new Uint8Array(staging.getMappedRange()).set(bytes);
    staging.unmap();
    const e = ctx.device.createCommandEncoder();
    e.copyBufferToBuffer(staging, 0, target, 0, bytes.length);
    ctx.device.queue.submit([e.finish()]);
    await ctx.device.queue.onSubmittedWorkDone();
    staging.destroy();
  });
  await measure("uploadStorage (the product's path)", async () => {
    const b = uploadStorage(ctx, bytes, 'bench uploadStorage');
    await ctx.device.queue.onSubmittedWorkDone();
    b.destroy();
  });
  await measure('readback (readBuffers)', async () => {
    await readBuffers(ctx, [{ buffer: target, byteLength: bytes.length }]);
  });
  target.destroy();
  return out;
}

/** A source whose reads are timed into `clock.readMs`. */
function timedSource(s: ByteSource, clock: { readMs: number }): ByteSource {
  return {
    ...s,
    name: s.name,
    byteLength: s.byteLength,
    async read(offset: number, length: number) {
      const t0 = performance.now();
      const r = await s.read(offset, length);
      clock.readMs += performance.now() - t0;
      return r;
    },
  };
}

function timedSink(s: ByteSink & { abort(): Promise<void> }, clock: { writeMs: number }): ByteSink {
  return {
    async write(bytes) {
      const t0 = performance.now();
      await s.write(bytes);
      clock.writeMs += performance.now() - t0;
    },
    close: () => s.close(),
    get bytesWritten() {
      return s.bytesWritten;
    },
  };
}

/** (3) convert of the generated model to each type on this GPU, in process (the CLI's path without its process). */
async function endToEnd(ctx: GpuContext, layers: number, types: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'studio-gpu-bench-'));
  try {
    const made = performance.now();
    const makeModel = resolve(import.meta.dirname, 'make-model.mjs');
    execFileSync(process.execPath, [makeModel, '--shape', 'llama-3.2-1b', '--layers', String(layers), '-o', dir], { stdio: 'inherit' });
    const tokenizer = resolve(import.meta.dirname, 'tokenizer.json');
    if (existsSync(tokenizer)) execFileSync('cp', [tokenizer, join(dir, 'tokenizer.json')]);
    const makeS = (performance.now() - made) / 1000;
    const results = [];
    for (const type of types) {
      const clock = { readMs: 0, writeMs: 0 };
      const model = await openModel((await modelSources(dir)).map((s) => timedSource(s, clock)));
      const sidecars = await findSidecars(dir, {});
      const resolved = await resolveRecipe(model, ggufTypeRecipe(type, false), 'gguf', sidecars.context);
      const out = join(dir, `out-${type}.gguf`);
      const t0 = performance.now();
      const sink = await fileSink(out);
      const { report } = await compressModel(model, resolved, { gpu: ctx, dequantize: gpuGgmlDequantizer(ctx), output: async () => timedSink(sink, clock) });
      await sink.close();
      const totalMs = performance.now() - t0;
      const row = { type, totalS: totalMs / 1000, readS: clock.readMs / 1000, writeS: clock.writeMs / 1000, quantizeS: (totalMs - clock.readMs - clock.writeMs) / 1000, bytes: sink.bytesWritten, device: report.device, paramsPerS: (model.index.paramCount ?? 0) / (totalMs / 1000) };
      console.log(`  convert → ${type}: ${row.totalS.toFixed(1)} s (reads ${row.readS.toFixed(1)}, writes ${row.writeS.toFixed(1)}, the rest ${row.quantizeS.toFixed(1)}), ${(row.bytes / 2 ** 20).toFixed(0)} MiB`);
      results.push(row);
      rmSync(out);
    }
    return { layers, makeModelS: makeS, results };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const o = args();
  chooseVulkanDriver();
  const gpu = await acquireNodeGpu(); // kept referenced for the whole run (../shared/tools/gpu/README.md)
  const ctx = await createGpuContext(gpu);
  const fallback = ctx.adapterInfo.isFallbackAdapter === true;
  const size = o.size || (fallback ? 1024 : 4096);
  const uploadMib = o.uploadMib || (fallback ? 64 : 1024);
  const layers = o.layers >= 0 ? o.layers : fallback ? 1 : 16;
  const types = fallback && o.layers < 0 ? ['Q8_0'] : o.types.split(',');
  const machine = { adapter: adapterName(ctx.adapterInfo), fallbackAdapter: fallback, cpu: cpus()[0]?.model, cores: availableParallelism(), memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  console.log(`adapter ${machine.adapter}${fallback ? ' (a CPU fallback: sizes cut, figures for correctness only)' : ''}; maxStorageBufferBindingSize ${ctx.limits.maxStorageBufferBindingSize}`);
  const started = performance.now();
  console.log(`(1) kernels on a ${size}×${size} f32 weight on the GPU`);
  const kernelRows = await kernels(ctx, size, fallback ? 300 : 1000);
  console.log(`(2) transfers, ${uploadMib} MiB`);
  const transferRows = await transfers(ctx, uploadMib);
  console.log(`(3) end to end, Llama-3.2-1B shape, ${layers} layers`);
  const e2e = layers > 0 ? await endToEnd(ctx, layers, types) : null;
  const json = { machine, limits: ctx.limits, size, uploadMib, kernels: kernelRows, transfers: transferRows, endToEnd: e2e, seconds: (performance.now() - started) / 1000 };
  if (o.out) writeFileSync(o.out, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`done in ${json.seconds.toFixed(0)} s${o.out ? `: ${o.out}` : ''}`);
  ctx.destroy();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
