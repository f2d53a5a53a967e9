// Buffer helpers shared by the kernel wrappers: upload (chunked writeBuffer), readback through
// one mapped staging buffer, uniform packing, and error scopes that turn GPU allocation failures
// into OutOfMemoryError. Sizes are bytes; WebGPU wants copy sizes and offsets in multiples of 4.
import { OutOfMemoryError } from '../core/errors';
import type { GpuContext } from './context';
import { deviceLostError, explainGpuFailure } from './device-loss';

/** writeBuffer piece size: big enough to amortise the call, small enough not to double host memory. */
export const UPLOAD_CHUNK_BYTES = 16 << 20;

/**
 * The most bytes one pass of a kernel that works in slices binds: the device's limits, and at most
 * 128 MiB. Chromium carries writeBuffer data through shared memory that stays mapped in the page
 * and the GPU process until the GPU process has consumed it; a whole 1 GB embedding written at once
 * sat there twice over (page memory bench: 5.1 GB for a 0.32 B model). Passes of 128 MiB keep that
 * and the pass's own buffers small beside the weight, and are still large enough to fill a GPU.
 */
export const MAX_PASS_BYTES = 128 << 20;

/** The bytes one sliced pass may bind on this device (see MAX_PASS_BYTES). */
export function passByteLimit(ctx: GpuContext): number {
  return Math.min(ctx.limits.maxStorageBufferBindingSize, ctx.limits.maxBufferSize, MAX_PASS_BYTES);
}

export function alignTo(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

/** A buffer of at least `byteLength` bytes (rounded up to 4; 4 minimum). */
export function createBuffer(ctx: GpuContext, byteLength: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
  return ctx.device.createBuffer({ label, size: Math.max(4, alignTo(byteLength, 4)), usage });
}

/**
 * Writes `bytes` into `buffer` at `byteOffset` (a multiple of 4) in pieces of `chunkBytes`. A length
 * that is not a multiple of 4 gets its tail zero-padded (the buffer must have room for it).
 */
export function uploadBytes(
  ctx: GpuContext,
  buffer: GPUBuffer,
  bytes: Uint8Array,
  byteOffset = 0,
  chunkBytes = UPLOAD_CHUNK_BYTES,
): void {
  const whole = bytes.byteLength - (bytes.byteLength % 4);
  const step = Math.max(4, chunkBytes - (chunkBytes % 4));
  for (let at = 0; at < whole; at += step) {
    const n = Math.min(step, whole - at);
    ctx.device.queue.writeBuffer(buffer, byteOffset + at, bytes.buffer, bytes.byteOffset + at, n);
  }
  if (whole < bytes.byteLength) {
    const tail = new Uint8Array(4);
    tail.set(bytes.subarray(whole));
    ctx.device.queue.writeBuffer(buffer, byteOffset + whole, tail);
  }
}

/** A new STORAGE | COPY_DST buffer holding `bytes`. */
export function uploadStorage(ctx: GpuContext, bytes: Uint8Array, label: string, extraUsage = 0): GPUBuffer {
  const buffer = createBuffer(ctx, bytes.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | extraUsage, label);
  uploadBytes(ctx, buffer, bytes);
  return buffer;
}

export interface ReadbackRange {
  buffer: GPUBuffer;
  /** Bytes to read from the start of `buffer`. */
  byteLength: number;
}

/**
 * Copies each range into one MAP_READ staging buffer, maps it once and returns a private copy of
 * each range (exactly `byteLength` bytes). The source buffers need COPY_SRC usage.
 */
export async function readBuffers(ctx: GpuContext, ranges: ReadbackRange[]): Promise<Uint8Array<ArrayBuffer>[]> {
  const offsets: number[] = [];
  let total = 0;
  for (const r of ranges) {
    offsets.push(total);
    total += alignTo(r.byteLength, 4);
  }
  const staging = createBuffer(ctx, total, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'readback staging');
  try {
    const encoder = ctx.device.createCommandEncoder({ label: 'readback' });
    ranges.forEach((r, i) => {
      const n = alignTo(r.byteLength, 4);
      if (n > 0) encoder.copyBufferToBuffer(r.buffer, 0, staging, offsets[i], n);
    });
    ctx.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const mapped = new Uint8Array(staging.getMappedRange());
    const out = ranges.map((r, i) => mapped.slice(offsets[i], offsets[i] + r.byteLength));
    staging.unmap();
    return out;
  } finally {
    staging.destroy();
  }
}

export type UniformField = ['u32' | 'i32' | 'f32', number];

/**
 * Packs scalar fields of a WGSL uniform struct in declaration order (4 bytes each), padded to a
 * multiple of 16 bytes as the uniform address space requires.
 */
export function packUniform(fields: readonly UniformField[]): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(alignTo(Math.max(fields.length, 1) * 4, 16));
  const view = new DataView(bytes.buffer);
  fields.forEach(([type, value], i) => {
    if (type === 'f32') view.setFloat32(i * 4, value, true);
    else if (type === 'i32') view.setInt32(i * 4, value, true);
    else {
      if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
        throw new Error(`Internal error: uniform field ${i} = ${value} is not a u32`);
      }
      view.setUint32(i * 4, value, true);
    }
  });
  return bytes;
}

/** A new UNIFORM | COPY_DST buffer holding the packed struct. */
export function uniformBuffer(ctx: GpuContext, fields: readonly UniformField[], label: string): GPUBuffer {
  const bytes = packUniform(fields);
  const buffer = createBuffer(ctx, bytes.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label);
  ctx.device.queue.writeBuffer(buffer, 0, bytes);
  return buffer;
}

/**
 * Runs `fn` inside out-of-memory and validation error scopes. A GPU allocation failure becomes
 * OutOfMemoryError (with `what` in the message); a validation error is a bug and is thrown as one.
 */
export async function withGpuErrorScopes<T>(ctx: GpuContext, what: string, fn: () => Promise<T>): Promise<T> {
  const { device } = ctx;
  device.pushErrorScope('validation');
  device.pushErrorScope('out-of-memory');
  let result: T | undefined;
  let thrown: unknown;
  let failed = false;
  try {
    result = await fn();
  } catch (e) {
    thrown = e;
    failed = true;
  }
  let oom: GPUError | null;
  let validation: GPUError | null;
  try {
    oom = await device.popErrorScope();
    validation = await device.popErrorScope();
  } catch (popFailed) {
    // Dawn rejects the pops of a device that is being lost (the spec would resolve them).
    throw await explainGpuFailure(ctx, what, failed ? thrown : popFailed);
  }
  if (oom) {
    throw new OutOfMemoryError(
      `The GPU could not allocate memory for ${what} (${oom.message.trim()}). Close other GPU-heavy tabs or apps, or ` +
        'quantize a smaller model.',
    );
  }
  // A lost device fails work in its own ways (mapAsync's AbortError, empty scopes): say what happened.
  if (ctx.lostReason) throw deviceLostError(what, ctx.lostReason);
  if (validation) throw new Error(`Internal error: WebGPU validation failed during ${what}: ${validation.message.trim()}`);
  if (failed) throw await explainGpuFailure(ctx, what, thrown);
  return result as T;
}

/** Destroys every buffer given (undefined entries are skipped). */
export function destroyBuffers(...buffers: (GPUBuffer | undefined)[]): void {
  for (const b of buffers) b?.destroy();
}
