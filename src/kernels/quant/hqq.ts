// Wrapper for shaders/quant/hqq.wgsl: HQQ of one weight W [rows][cols] (row-major float32) on the
// GPU, one invocation per group, as hqqRef (src/quant/hqq.ts) up to WGSL's pow() (see the kernel's
// header; src/kernels/quant/hqq.gpu.test.ts bounds the difference). Returns the reference's result
// shape, so the method packs both alike. Sizes are bytes unless named otherwise.
import shaderCode from '../../../shaders/quant/hqq.wgsl?raw';
import divRn from '../../../shaders/common/div-rn.wgsl?raw';
import { storedBitsFor } from '../../core/compressed-tensor';
import { GpuLimitError, ShapeError, throwIfAborted } from '../../core/errors';
import { RTN_BITS } from '../../core/recipe';
import { createBuffer, destroyBuffers, passByteLimit, readBuffers, uploadStorage, withGpuErrorScopes } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/context';
import { dispatchGrid } from '../../gpu/dispatch';
import { withHelpers } from '../../gpu/wgsl';
import { type HqqOptions, type HqqRefResult } from '../../quant/hqq';
import { groupSizeOf, packBlockOf } from '../../quant/rtn';
import { checkBindingSize, compileKernel, PassRecorder } from '../linalg/passes';
import { rowsPerSlice } from './row-slices';

export const HQQ_SHADER = withHelpers(shaderCode, { 'common/div-rn.wgsl': divRn });
const WG_SIZE = 64;

export interface HqqGpuPlan {
  groupSize: number;
  groupsPerRow: number;
  paddedCols: number;
  storedBits: 2 | 4 | 8;
  codesBytes: number;
  dispatch: [number, number];
}

/** Checks the shape, the options and the device limits; touches no GPU object. */
export function planHqqGpu(ctx: GpuContext, w: Float32Array, rows: number, cols: number, opts: HqqOptions): HqqGpuPlan {
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows < 1 || cols < 1 || w.length !== rows * cols) {
    throw new ShapeError(`HQQ needs W as ${rows}×${cols} floats; got ${w.length}`);
  }
  if (!(RTN_BITS as readonly number[]).includes(opts.bits)) throw new ShapeError(`HQQ bits must be ${RTN_BITS.join(', ')}, got ${opts.bits}`);
  const groupSize = groupSizeOf(opts, cols);
  const packBlock = packBlockOf(opts, cols);
  const groupsPerRow = Math.ceil(cols / groupSize);
  const paddedCols = Math.ceil(cols / packBlock) * packBlock;
  const storedBits = storedBitsFor(opts.bits);
  const codesBytes = (rows * paddedCols * storedBits) / 8;
  const what = `HQQ on a ${rows}×${cols} weight`;
  checkBindingSize(ctx, w.byteLength, what);
  checkBindingSize(ctx, codesBytes, what);
  if (rows * paddedCols > 0xffffffff) throw new GpuLimitError(`${what} is too large to index with 32-bit GPU integers; split the tensor`);
  const dispatch = dispatchGrid(Math.ceil((rows * groupsPerRow) / WG_SIZE), ctx.limits.maxComputeWorkgroupsPerDimension, what);
  return { groupSize, groupsPerRow, paddedCols, storedBits, codesBytes, dispatch };
}

/**
 * HQQ of W on the GPU: codes [rows][cols] one byte each, scales, zeros and Ŵ, as hqqRef returns
 * them. A weight whose buffers pass the device's binding limit goes in slices of whole rows (each
 * group lies in one row, so the slices' results laid end to end are the whole weight's).
 */
export async function hqqGpu(ctx: GpuContext, w: Float32Array, rows: number, cols: number, opts: HqqOptions & { signal?: AbortSignal }): Promise<HqqRefResult> {
  for (let i = 0; i < w.length; i++) {
    if (!Number.isFinite(w[i])) {
      throw new ShapeError(`weight has a non-finite value (${w[i]}) at row ${Math.floor(i / cols)}, column ${i % cols}; cannot quantize`, { element: i });
    }
  }
  const unbound = { ...ctx, limits: { ...ctx.limits, maxStorageBufferBindingSize: Infinity, maxBufferSize: Infinity } };
  const whole = planHqqGpu(unbound, w, rows, cols, opts); // shape and options, for the whole weight
  const limit = passByteLimit(ctx);
  const perRow = [cols * 4, (whole.paddedCols * whole.storedBits) / 8];
  if (Math.max(...perRow) * rows <= limit) return hqqPass(ctx, w, rows, cols, opts);
  const sliceRows = rowsPerSlice(limit, perRow);
  if (sliceRows === 0) checkBindingSize(ctx, Math.max(...perRow), `HQQ on one ${cols}-column row`);
  const out: HqqRefResult = {
    codes: new Uint8Array(rows * cols),
    scales: new Float32Array(rows * whole.groupsPerRow),
    zeros: new Float32Array(rows * whole.groupsPerRow),
    values: new Float32Array(rows * cols),
  };
  for (let row = 0; row < rows; row += sliceRows) {
    const n = Math.min(sliceRows, rows - row);
    const part = await hqqPass(ctx, w.subarray(row * cols, (row + n) * cols), n, cols, opts);
    out.codes.set(part.codes, row * cols);
    out.values.set(part.values, row * cols);
    out.scales.set(part.scales, row * whole.groupsPerRow);
    out.zeros.set(part.zeros, row * whole.groupsPerRow);
  }
  return out;
}

/** One GPU pass of hqqGpu over rows whose buffers fit the device's limits. */
async function hqqPass(ctx: GpuContext, w: Float32Array, rows: number, cols: number, opts: HqqOptions & { signal?: AbortSignal }): Promise<HqqRefResult> {
  const plan = planHqqGpu(ctx, w, rows, cols, opts);
  throwIfAborted(opts.signal);
  const kernel = await compileKernel(ctx, 'quant/hqq', HQQ_SHADER, ['read-only-storage', 'storage', 'storage', 'storage'], {
    WG_SIZE,
    BITS: opts.bits,
    STORED_BITS: plan.storedBits,
    INTEGER_ZERO: opts.zeroPoint === 'integer' ? 1 : 0,
  });
  throwIfAborted(opts.signal);
  const groups = rows * plan.groupsPerRow;
  const [codeBytes, scaleBytes, zeroBytes] = await withGpuErrorScopes(ctx, `HQQ on a ${rows}×${cols} weight`, async () => {
    const out = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
    const weights = uploadStorage(ctx, new Uint8Array(w.buffer, w.byteOffset, w.byteLength), 'hqq weights');
    const codes = createBuffer(ctx, plan.codesBytes, out, 'hqq codes');
    const scales = createBuffer(ctx, groups * 4, out, 'hqq scales');
    const zeros = createBuffer(ctx, groups * 4, out, 'hqq zeros');
    const encoder = ctx.device.createCommandEncoder({ label: 'hqq' });
    const rec = new PassRecorder(ctx, encoder);
    try {
      rec.dispatch(
        kernel,
        [
          ['u32', rows],
          ['u32', cols],
          ['u32', plan.groupSize],
          ['u32', plan.groupsPerRow],
          ['u32', plan.paddedCols],
          ['u32', opts.iterations],
          ['u32', 0],
          ['f32', Math.fround(opts.lpNorm - 1)],
          ['f32', opts.beta],
          ['f32', opts.kappa],
        ],
        [weights, codes, scales, zeros],
        plan.dispatch,
      );
      rec.endPass();
      ctx.device.queue.submit([encoder.finish()]);
      return await readBuffers(ctx, [
        { buffer: codes, byteLength: plan.codesBytes },
        { buffer: scales, byteLength: groups * 4 },
        { buffer: zeros, byteLength: groups * 4 },
      ]);
    } finally {
      rec.destroy();
      destroyBuffers(weights, codes, scales, zeros);
    }
  });
  throwIfAborted(opts.signal);
  const scales = new Float32Array(scaleBytes.buffer);
  const zeros = new Float32Array(zeroBytes.buffer);
  // Unpack the codes (the method repacks them with the shared IntGroupTensor packer) and form Ŵ as hqqRef does.
  const codes = new Uint8Array(rows * cols);
  const values = new Float32Array(rows * cols);
  const mask = (1 << plan.storedBits) - 1;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const bit = (r * plan.paddedCols + c) * plan.storedBits;
      const q = (codeBytes[bit >> 3] >> (bit & 7)) & mask;
      const g = r * plan.groupsPerRow + Math.floor(c / plan.groupSize);
      codes[r * cols + c] = q;
      values[r * cols + c] = Math.fround(Math.fround(q - zeros[g]) * scales[g]);
    }
  }
  return { codes, scales, zeros, values };
}
