// The browser's WebGPU entry point (page or worker: both expose navigator.gpu in Chrome/Edge 113+).
import { GpuUnavailableError } from '../core/errors';
import { ENABLE_WEBGPU_HELP } from './context';

/** `navigator.gpu` of this page or worker; GpuUnavailableError (with how to enable it) when absent. */
export function acquireBrowserGpu(): GPU {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (!nav?.gpu) throw new GpuUnavailableError(`${ENABLE_WEBGPU_HELP} (navigator.gpu is missing)`);
  return nav.gpu;
}
