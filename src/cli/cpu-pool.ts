// The CLI's CPU threads (worker_threads) for the references when it compresses without a GPU
// (--device cpu, or auto on a CPU-fallback adapter): a llama.cpp-typed weight is cut into slices
// of whole rows — blocks never cross rows, so the bytes equal one thread's — that the threads
// quantize and measure while the next slices wait; at most two slices per thread are in flight,
// so memory stays the weight, its blocks and a few 16 MiB slices. Worker code is its own bundle
// (.cli-build/cpu-worker.mjs, made by bin/studio.mjs); where it is absent (tests running the
// sources) there is no pool and the references run on the main thread. --threads N (default:
// the machine's cores, at most 16; 1 = no pool) sets the count.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UsageError } from '../core/errors';
import { ggmlTypeByName } from '../core/ggml-types';
import type { CpuParallel } from '../pipeline/methods/method';
import { quantizeGgmlRef } from '../quant/ggml/ggml-codec';
import { RelativeErrorSum } from '../quant/metrics';

export interface CpuTask {
  id: number;
  type: string;
  values: Float32Array;
  importance?: Float32Array;
}

export type CpuTaskResult = { id: number; bytes: Uint8Array; err: number; norm: number } | { id: number; error: string };

/** Values per slice: 16 MiB of float32 (whole rows; one row when a row is longer). */
const SLICE_VALUES = 1 << 22;
const MAX_THREADS = 16;

let requested: number | undefined;

/** Takes `--threads N` (or `--threads=N`) out of a command's arguments. */
export function takeThreadsFlag(args: string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = a === '--threads' ? args[++i] : a.startsWith('--threads=') ? a.slice('--threads='.length) : null;
    if (value === null) {
      rest.push(a);
      continue;
    }
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--threads must be a whole number ≥ 1, got "${value ?? ''}"`);
    requested = n;
  }
  return rest;
}

/** The worker bundle beside the CLI's bundle, when there is one. */
function workerFile(): string | undefined {
  const url = new URL('./cpu-worker.mjs', import.meta.url);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? fileURLToPath(url) : undefined;
}

/** The pool for this run (undefined for one thread, or without the worker bundle); destroy() it after. */
export function cpuPool(): (CpuParallel & { destroy(): void }) | undefined {
  const threads = requested ?? Math.min(availableParallelism(), MAX_THREADS);
  const file = workerFile();
  if (threads < 2 || !file) return undefined;
  return new CpuPool(file, threads);
}

class CpuPool implements CpuParallel {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, (r: CpuTaskResult) => void>();
  private nextId = 0;
  private broken: string | undefined;
  tensors = 0;

  constructor(file: string, readonly threads: number) {
    this.workers = Array.from({ length: threads }, () => {
      const w = new Worker(file);
      w.on('message', (r: CpuTaskResult) => {
        this.waiting.get(r.id)?.(r);
        this.waiting.delete(r.id);
      });
      w.on('error', (e) => {
        // A thread that died takes no more work: what waits, and anything asked later, fails.
        this.broken = `a CPU thread failed: ${e.message}`;
        for (const [id, resolve] of this.waiting) resolve({ id, error: this.broken });
        this.waiting.clear();
      });
      return w;
    });
  }

  private run(worker: Worker, task: CpuTask): Promise<CpuTaskResult> {
    if (this.broken !== undefined) return Promise.resolve({ id: task.id, error: this.broken });
    return new Promise((resolve) => {
      this.waiting.set(task.id, resolve);
      worker.postMessage(task, [task.values.buffer as ArrayBuffer]);
    });
  }

  async quantizeGgml(type: string, values: Float32Array, rows: number, cols: number, importance?: Float32Array) {
    const { blockSize, blockBytes } = ggmlTypeByName(type)!;
    const rowBytes = (cols / blockSize) * blockBytes;
    // Four slices per thread at least (so a thread that finishes early takes more), at most 16 MiB each.
    const rowsPerSlice = Math.max(1, Math.min(Math.floor(SLICE_VALUES / cols), Math.ceil(rows / (this.threads * 4))));
    const out = new Uint8Array(rows * rowBytes);
    const sums: { err: number; norm: number }[] = [];
    let next = 0;
    let failed: string | undefined;
    // Each thread takes the next slice when it is done with one: a copy goes over (transferred),
    // its blocks come back into place.
    const drive = async (worker: Worker) => {
      while (next < rows && failed === undefined) {
        const first = next;
        const count = Math.min(rowsPerSlice, rows - first);
        next += count;
        const slice = values.slice(first * cols, (first + count) * cols);
        const r = await this.run(worker, { id: this.nextId++, type, values: slice, importance });
        if ('error' in r) failed = r.error;
        else {
          out.set(r.bytes, first * rowBytes);
          sums[first / rowsPerSlice] = r;
        }
      }
    };
    await Promise.all(this.workers.map(drive));
    // A thread's error crosses as text: the main thread reruns the reference for the error itself (its kind and details).
    if (failed !== undefined) {
      quantizeGgmlRef(type, values, importance);
      throw new Error(failed);
    }
    this.tensors++;
    const total = new RelativeErrorSum();
    for (const s of sums) total.addSums(s.err, s.norm);
    return { bytes: out, relError: total.value() };
  }

  destroy(): void {
    for (const w of this.workers) void w.terminate();
  }
}
