// Runs a plan (DESIGN "Data flow"): the one orchestration the worker and the CLI share. Tensors
// are compressed one at a time in the order the exporter writes them — the next tensor's bytes
// are read while the current one is on the GPU — with progress after each and cancellation
// between them. With an output, the exporter streams the file and pulls each result as it gets
// there, so memory holds one tensor, not the model; without one (the page), the results are
// kept for evaluation and a later export.
import type { CompressedTensor } from '../core/compressed-tensor';
import { type CompressProgress, type CompressReport, reportOf } from '../core/compression-report';
import { StudioError, throwIfAborted } from '../core/errors';
import type { TensorInfo } from '../core/model-index';
import type { GpuContext } from '../gpu/context';
import type { SinkFactory, WrittenOutput } from './exporters/exporter';
import type { WeightInput } from './methods/method';
import { methodOf } from './methods/registry';
import type { OpenedModel } from './open-model';
import type { ResolvedPlan } from './recipe/resolve-recipe';
import type { GgmlDequantizer } from './weights/gguf-weights';
import { readWeight } from './weights/read-weight';

export interface CompressOptions {
  /** Run the GPU kernels on this device; without one, the CPU references (same results). */
  gpu?: GpuContext;
  signal?: AbortSignal;
  onProgress?: (p: CompressProgress) => void;
  /** Decodes quantized GGUF sources (default: the CPU references). */
  dequantize?: GgmlDequantizer;
  /** Stream the output through these sinks while compressing. */
  output?: SinkFactory;
  /** Keep every result (for evaluation or a later `exportCompressed`). */
  keepResults?: boolean;
}

export interface CompressResult {
  report: CompressReport;
  /** Every compressed tensor by source name, when `keepResults`. */
  results?: Map<string, CompressedTensor>;
  /** What was written, when `output` was given. */
  written?: WrittenOutput;
}

/** The adapter in words: its description, else vendor and architecture ("google swiftshader"). */
function deviceName(gpu: GpuContext): string {
  const { description, vendor, architecture } = gpu.adapterInfo;
  return description || [vendor, architecture].filter(Boolean).join(' ') || 'GPU';
}

/** A StudioError from one tensor, with the tensor named (the kernels do not know it). */
function namedError(e: unknown, info: TensorInfo): unknown {
  if (!(e instanceof StudioError) || e.code === 'cancelled' || e.message.includes(info.name)) return e;
  const named = new StudioError(e.code, `${info.layer} (${info.name}): ${e.message}`, { ...e.details, tensor: info.name });
  Object.defineProperty(named, 'name', { value: e.name });
  return named;
}

export async function compressModel(model: OpenedModel, resolved: ResolvedPlan, opts: CompressOptions = {}): Promise<CompressResult> {
  const { plan, target } = resolved;
  const start = performance.now();
  const infos = new Map(model.index.tensors.map((t) => [t.name, t]));
  const entries = new Map(plan.tensors.map((t) => [t.name, t]));
  const order = plan.order;
  const bytesTotal = order.reduce((n, name) => n + infos.get(name)!.byteLength, 0);
  const relErrors = new Map<string, number>();
  const kept = opts.keepResults ? new Map<string, CompressedTensor>() : undefined;
  let done = 0;
  let bytesDone = 0;
  const report = (current: string) =>
    opts.onProgress?.({ tensorsDone: done, tensorsTotal: order.length, bytesDone, bytesTotal, elapsedMs: performance.now() - start, currentTensor: current });

  const reads = new Map<string, Promise<WeightInput>>();
  const read = (name: string) => {
    let r = reads.get(name);
    if (!r) {
      r = readWeight(model, infos.get(name)!, opts.dequantize);
      r.catch(() => {}); // awaited (and thrown) where it is used
      reads.set(name, r);
    }
    return r;
  };

  const compressOne = async (name: string): Promise<CompressedTensor> => {
    const cached = kept?.get(name);
    if (cached) return cached;
    throwIfAborted(opts.signal);
    const info = infos.get(name)!;
    const entry = entries.get(name)!;
    if (entry.action.kind !== 'quantize') throw new Error(`Internal error: ${name} has no quantize action`);
    report(info.layer);
    const input = await read(name);
    reads.delete(name);
    const next = order[order.indexOf(name) + 1];
    if (next !== undefined) void read(next);
    const spec = entry.action.spec;
    const method = methodOf(spec);
    let result: CompressedTensor;
    try {
      result = opts.gpu ? await method.runGpu(opts.gpu, input, spec, opts.signal) : await method.runRef(input, spec);
    } catch (e) {
      throw namedError(e, info);
    }
    relErrors.set(name, result.relError);
    kept?.set(name, result);
    done++;
    bytesDone += info.byteLength;
    report(infos.get(order[done] ?? name)!.layer);
    return result;
  };

  // One tensor at a time, in the order asked for (the exporter's, which is plan.order).
  let chain: Promise<unknown> = Promise.resolve();
  const results = (name: string): Promise<CompressedTensor> => {
    const next = chain.then(() => compressOne(name));
    chain = next.catch(() => {});
    return next;
  };

  let written: WrittenOutput | undefined;
  if (opts.output) {
    written = await target.write(plan, results, opts.output);
  } else {
    for (const name of order) await results(name);
  }
  throwIfAborted(opts.signal);
  const device = opts.gpu ? deviceName(opts.gpu) : 'CPU reference';
  return { report: reportOf(plan, relErrors, performance.now() - start, device), results: kept, written };
}

/** Writes an export from kept results (the page's download after a run). */
export async function exportCompressed(resolved: ResolvedPlan, results: ReadonlyMap<string, CompressedTensor>, output: SinkFactory): Promise<WrittenOutput> {
  return resolved.target.write(resolved.plan, async (name) => {
    const r = results.get(name);
    if (!r) throw new Error(`Internal error: no compressed result for ${name}`);
    return r;
  }, output);
}
