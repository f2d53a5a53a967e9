// The page's handle on the studio worker: one module worker per page, wrapped with comlink.
// Errors thrown in the worker arrive as StudioError subclasses with their `code` (see error-transfer.ts).
import * as Comlink from 'comlink';
import type { StudioApi } from './studio-api';
import { installErrorTransfer } from './error-transfer';

export type StudioClient = Comlink.Remote<StudioApi>;

export function createStudioClient(): { client: StudioClient; terminate(): void } {
  installErrorTransfer();
  const worker = new Worker(new URL('./studio.worker.ts', import.meta.url), { type: 'module', name: 'studio' });
  return { client: Comlink.wrap<StudioApi>(worker), terminate: () => worker.terminate() };
}

/** Wraps a progress callback so comlink passes it to the worker by reference. */
export function progressCallback<T>(fn: (p: T) => void): (p: T) => void {
  return Comlink.proxy(fn);
}
