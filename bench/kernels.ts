// Kernel benchmark (not a test): GPU-only time of each RTN variant on a size×size f32 weight that is
// already on the GPU, against a plain copyBufferToBuffer of the same bytes on the same device.
// RTN reads every weight once and writes less back, so "× copy" near 1 means memory-bound at
// the copy rate (DESIGN.md "What bounds performance").
// Run: npm run bench:kernels [-- --size 4096] [-- --out results.json]   (or BENCH_SIZE=4096)
// Here (no GPU) it uses SwiftShader; on a GPU machine the real Vulkan driver (tools/gpu/README.md).
import { writeFileSync } from 'node:fs';
import { createGpuContext, type GpuContext } from '../src/gpu/context';
import { createBuffer, destroyBuffers, uploadStorage } from '../src/gpu/buffers';
import { acquireNodeGpu } from '../src/gpu/node-gpu';
import { createRtnBuffers, encodeRtn, planRtnGpu, rtnPipeline } from '../src/kernels/quant/rtn';
import { seededWeights } from '../src/kernels/quant/rtn-compare';
import type { WeightLayout } from '../src/core/model-index';
import type { RtnSettings } from '../src/core/compressed-tensor';
import { chooseVulkanDriver, timeGpu } from './gpu-timing';

const VARIANTS: { name: string; scheme: RtnSettings }[] = [
  { name: 'rtn 4-bit b32 asym', scheme: { bits: 4, symmetric: false, group: 32 } },
  { name: 'rtn 8-bit per-channel sym', scheme: { bits: 8, symmetric: true, group: 'per-channel' } },
  { name: 'rtn 2-bit b64 sym', scheme: { bits: 2, symmetric: true, group: 64 } },
  { name: 'rtn 3-bit b128 asym', scheme: { bits: 3, symmetric: false, group: 128 } },
];

interface Row {
  kernel: string;
  layout: string;
  bytesMoved: number;
  ms: number;
  gbPerS: number;
  vsCopy: number;
  reps: number;
}

function parseArgs(argv: string[]): { size: number; out: string | null } {
  let size = Number(process.env.BENCH_SIZE ?? 1024);
  let out: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--size') size = Number(argv[++i]);
    else if (argv[i] === '--out') out = argv[++i] ?? null;
    else throw new Error(`unknown argument ${argv[i]} (use --size N, --out FILE)`);
  }
  if (!Number.isInteger(size) || size < 16) throw new Error(`--size must be an integer ≥ 16, got ${size}`);
  return { size, out };
}

async function main(): Promise<void> {
  const { size, out } = parseArgs(process.argv.slice(2));
  chooseVulkanDriver();
  const ctx = await createGpuContext(await acquireNodeGpu());
  const { vendor, architecture, description } = ctx.adapterInfo;
  console.log(`adapter: vendor "${vendor}", architecture "${architecture}", description "${description}"`);
  console.log(`weight: ${size}×${size} f32 (${((size * size * 4) / 2 ** 20).toFixed(1)} MiB), already on the GPU\n`);

  const inputBytes = size * size * 4;
  const weights = uploadStorage(ctx, new Uint8Array(seededWeights(size * size, 1).buffer), 'bench weights', GPUBufferUsage.COPY_SRC);
  const copyDst = createBuffer(ctx, inputBytes, GPUBufferUsage.COPY_DST, 'bench copy dst');
  const copy = await timeGpu(ctx, (e) => e.copyBufferToBuffer(weights, 0, copyDst, 0, inputBytes));
  const copyGbPerS = (2 * inputBytes) / copy.ms / 1e6;
  const rows: Row[] = [{ kernel: 'copyBufferToBuffer', layout: '-', bytesMoved: 2 * inputBytes, ms: copy.ms, gbPerS: copyGbPerS, vsCopy: 1, reps: copy.reps }];

  const layouts: [string, WeightLayout][] = [
    ['[out,in]', { rows: size, cols: size, rowStride: size, colStride: 1 }],
    ['[in,out]', { rows: size, cols: size, rowStride: 1, colStride: size }],
  ];
  for (const { name, scheme } of VARIANTS) {
    for (const [layoutName, layout] of layouts) {
      const plan = planRtnGpu(ctx, 'f32', inputBytes, layout, scheme);
      const pipeline = await rtnPipeline(ctx, plan);
      const buffers = createRtnBuffers(ctx, plan);
      const written = plan.codesBytes + plan.groups * (4 + 4 + 8); // codes, scales, zero points, partials
      const t = await timeGpu(ctx, (e) => encodeRtn(ctx, plan, pipeline, e, weights, buffers));
      const gbPerS = (inputBytes + written) / t.ms / 1e6;
      rows.push({ kernel: name, layout: layoutName, bytesMoved: inputBytes + written, ms: t.ms, gbPerS, vsCopy: gbPerS / copyGbPerS, reps: t.reps });
      destroyBuffers(...Object.values(buffers));
    }
  }
  destroyBuffers(weights, copyDst);

  const header = ['kernel', 'layout', 'bytes moved', 'ms', 'GB/s', '× copy', 'reps'];
  const table = rows.map((r) => [r.kernel, r.layout, String(r.bytesMoved), r.ms.toFixed(3), r.gbPerS.toFixed(2), r.vsCopy.toFixed(2), String(r.reps)]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  for (const row of table) console.log(line(row));
  if (out) {
    writeFileSync(out, JSON.stringify({ adapter: ctx.adapterInfo, size, dtype: 'f32', rows }, null, 2));
    console.log(`\nwrote ${out}`);
  }
  ctx.destroy();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
