// Where the CLI compresses (`--device auto|gpu|cpu`, any command): the GPU through Dawn, or the
// CPU references, which give the same results. "auto" takes the GPU unless the only adapter is a
// CPU fallback (SwiftShader, llvmpipe…: WebGPU emulated on the CPU), where the plain TypeScript
// references are the faster path (measured in bench/cli-device.ts; issue #13 saw 2.5–5× on a
// 2-core machine). The choice is said on stderr, and the report names the device it ran on.
import { adapterName } from '../core/gpu-adapter';
import { GpuUnavailableError, UsageError } from '../core/errors';
import type { GpuContext } from '../gpu/context';
import { nodeGpuContext } from './gpu-node';

export type DeviceChoice = 'auto' | 'gpu' | 'cpu';

let choice: DeviceChoice = 'auto';

export function parseDeviceChoice(text: string | undefined): DeviceChoice {
  if (text === undefined) return 'auto';
  if (text === 'auto' || text === 'gpu' || text === 'cpu') return text;
  throw new UsageError(`--device must be auto, gpu or cpu; got "${text}"`);
}

/** Takes `--device X` (or `--device=X`) out of a command's arguments and sets the choice. */
export function takeDeviceFlag(args: string[]): string[] {
  const rest: string[] = [];
  let given: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--device') {
      if (i + 1 >= args.length) throw new UsageError('--device needs a value: auto, gpu or cpu');
      given = args[++i];
    } else if (a.startsWith('--device=')) given = a.slice('--device='.length);
    else rest.push(a);
  }
  choice = parseDeviceChoice(given);
  return rest;
}

const note = (text: string) => process.stderr.write(`studio: ${text}\n`);

/**
 * The GPU to compress on, or undefined for the CPU references, by the --device choice:
 * "gpu" insists (an error when there is none), "cpu" never asks, "auto" as said above.
 */
export async function compressionGpu(): Promise<GpuContext | undefined> {
  if (choice === 'cpu') return undefined;
  let ctx: GpuContext;
  try {
    ctx = await nodeGpuContext();
  } catch (e) {
    if (!(e instanceof GpuUnavailableError) || choice === 'gpu') throw e;
    note(`${e.message.replace(/\s*\n\s*/g, ' ')}; compressing with the CPU references instead (same results)`);
    return undefined;
  }
  if (choice === 'auto' && ctx.adapterInfo.isFallbackAdapter) {
    note(`the only WebGPU adapter (${adapterName(ctx.adapterInfo)}) emulates a GPU on the CPU, where the CPU references are faster: compressing with them (same results; --device gpu to use the adapter)`);
    ctx.destroy();
    return undefined;
  }
  return ctx;
}
