// GPU test setup shared by *.gpu.test.ts (browser) and the Node GPU tests (STYLE.md "Tests"): a
// missing adapter skips with a stated reason on a developer machine but fails under CI=true.
import { createGpuContext, type GpuContext } from './context';

/**
 * CI=true? In Node from process.env; in vitest's browser mode only through the project's
 * `test.env` (vitest defines the literal `import.meta.env.CI` from it).
 */
export function isCi(): boolean {
  const fromProcess = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.CI;
  const ci: string | undefined = fromProcess ?? import.meta.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}

export interface TestGpu {
  ctx: GpuContext | null;
  /** Why `ctx` is null (for `it.skipIf(!ctx)` messages). */
  skipReason: string;
}

/** A GpuContext from `acquire()`, or null with a reason; under CI a failure is rethrown. */
export async function gpuForTests(acquire: () => GPU | Promise<GPU>): Promise<TestGpu> {
  try {
    return { ctx: await createGpuContext(await acquire()), skipReason: '' };
  } catch (e) {
    if (isCi()) throw e;
    const skipReason = `no WebGPU adapter, GPU tests skipped: ${e instanceof Error ? e.message : String(e)}`;
    console.warn(skipReason);
    return { ctx: null, skipReason };
  }
}
