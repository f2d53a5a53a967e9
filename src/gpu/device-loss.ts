// Telling a lost GPU device from other failures. When the GPU process crashes or the driver
// resets, Dawn fails the work in flight in its own words ("Instance dropped in popErrorScope",
// "A valid external Instance reference no longer exists", mapAsync's AbortError) a moment before
// `device.lost` resolves; whoever catches such an error waits briefly for that promise, so the
// page says "the GPU device was lost" (and the next action re-acquires one, reacquiring-gpu.ts)
// instead of showing Dawn's words.
import { GpuUnavailableError, StudioError } from '../core/errors';
import type { GpuContext } from './context';

/** How long a failure waits for `device.lost` (measured here: it resolves within a few ms of the first failure). */
export const DEVICE_LOST_GRACE_MS = 500;

/** Why the device was lost, waiting up to `graceMs` for it; null when it is not lost. */
export async function lostReasonOf(ctx: GpuContext, graceMs = DEVICE_LOST_GRACE_MS): Promise<string | null> {
  if (ctx.lostReason) return ctx.lostReason;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), graceMs)));
  const lost = ctx.device.lost.then((info) => `${info.reason}: ${info.message}`);
  try {
    return await Promise.race([lost, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function deviceLostError(what: string, reason: string): GpuUnavailableError {
  return new GpuUnavailableError(`The GPU device was lost during ${what} (${reason}); run it again: the next run acquires a new device.`);
}

/**
 * The error to report for `error`, thrown while `ctx` did `what`: a device-lost error when the
 * device is (or within the grace period turns out to be) lost, else `error` itself. The studio's
 * own errors (NaN weights, usage, limits) are returned at once: they are never a lost device.
 */
export async function explainGpuFailure(ctx: GpuContext, what: string, error: unknown): Promise<unknown> {
  if (error instanceof StudioError && !ctx.lostReason) return error;
  const reason = await lostReasonOf(ctx);
  return reason ? deviceLostError(what, reason) : error;
}

/** Runs `fn` (GPU work on `ctx`, or CPU work when null), reporting a lost device as such. */
export async function explainingDeviceLoss<T>(ctx: GpuContext | null, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw ctx ? await explainGpuFailure(ctx, what, e) : e;
  }
}
