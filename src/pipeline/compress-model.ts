// Runs a plan (DESIGN "Data flow"): the one orchestration the worker and the CLI share. Tensors
// are compressed one at a time in the order the exporter writes them — the next tensor's bytes
// are read while the current one is on the GPU — with progress after each and cancellation
// between them. Calibration comes first; a sequential one compresses layer by layer as it goes,
// and those results wait for the exporter. With an output, the exporter streams the file and pulls each result as it gets
// there, so memory holds one tensor, not the model; without one (the page), the results are
// kept for evaluation and a later export.
import type { CompressedTensor, DenseTensor } from '../core/compressed-tensor';
import { actionPrune } from '../core/compression-plan';
import { type CompressProgress, type CompressReport, reportOf, type TensorMeasures } from '../core/compression-report';
import { StudioError, throwIfAborted } from '../core/errors';
import { adapterName } from '../core/gpu-adapter';
import { recipeId } from '../core/recipe-id';
import type { MethodNeeds } from '../core/recipe';
import type { TensorInfo } from '../core/model-index';
import type { GpuContext } from '../gpu/context';
import { dequantizeCompressed } from '../quant/dequantize-compressed';
import { relativeError } from '../quant/metrics';
import type { CalibrationStats, SequentialRun } from './calibration/calibrate';
import type { SinkFactory, WrittenOutput } from './exporters/exporter';
import type { CpuParallel, InputStats, WeightInput } from './methods/method';
import { expandChannels, mlpPart, selectChannels } from './methods/mlp-channels';
import { type AwqGroupScales, scaledStats, scaleWeight, searchGroupScales, unscaleWeight } from './methods/awq-scales';
import type { AwqScaleGroup } from '../core/compression-plan';
import type { AwqQuantize } from '../core/recipe';

/** The calibration statistics of a weight's input, by weight name. */
type StatsOf = (name: string) => InputStats | undefined;
import { originalValues } from './methods/prune-run';
import { methodOf, pruneMethodOf } from './methods/registry';
import type { OpenedModel } from './open-model';
import type { ResolvedPlan } from './recipe/resolve-recipe';
import type { GgmlDequantizer } from './weights/gguf-weights';
import { readWeight } from './weights/read-weight';

export interface CompressOptions {
  /** Run the GPU kernels on this device; without one, the CPU references (same results). */
  gpu?: GpuContext;
  /** Without a GPU: threads for the CPU references, where a method can use them (same results). */
  cpu?: CpuParallel;
  signal?: AbortSignal;
  onProgress?: (p: CompressProgress) => void;
  /** Decodes quantized GGUF sources (default: the CPU references). */
  dequantize?: GgmlDequantizer;
  /** Stream the output through these sinks while compressing. */
  output?: SinkFactory;
  /** Keep every result (for evaluation or a later `exportCompressed`). */
  keepResults?: boolean;
  /**
   * Runs calibration for the plan's calibrated tensors (weight name → what its method needs); the
   * caller owns the runtime, the text and any cache. Required when the plan has `calibration`.
   */
  calibrate?: (needs: ReadonlyMap<string, MethodNeeds>, signal?: AbortSignal, sequential?: SequentialRun) => Promise<CalibrationStats>;
}

export interface CompressResult {
  report: CompressReport;
  /** Every compressed tensor by source name, when `keepResults`. */
  results?: Map<string, CompressedTensor>;
  /** What was written, when `output` was given. */
  written?: WrittenOutput;
  /** What calibration measured, when the plan calibrated (the page offers it as an importance matrix). */
  calibration?: CalibrationStats;
}

/** A StudioError from one tensor, with the tensor named (the kernels do not know it). */
function namedError(e: unknown, info: TensorInfo): unknown {
  if (!(e instanceof StudioError) || e.code === 'cancelled' || e.message.includes(info.name)) return e;
  const named = new StudioError(e.code, `${info.layer} (${info.name}): ${e.message}`, { ...e.details, tensor: info.name });
  Object.defineProperty(named, 'name', { value: e.name });
  return named;
}

/** A pruned weight as the quantize method's input: row-major float32. */
function denseInput(info: TensorInfo, pruned: DenseTensor): WeightInput {
  const { rows, cols } = pruned;
  return { info, bytes: new Uint8Array(pruned.values.buffer, pruned.values.byteOffset, pruned.values.byteLength), dtype: 'f32', layout: { rows, cols, rowStride: cols, colStride: 1 } };
}

function countZeros(values: Float32Array): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === 0) n++;
  return n;
}

export async function compressModel(model: OpenedModel, resolved: ResolvedPlan, opts: CompressOptions = {}): Promise<CompressResult> {
  const { plan, target } = resolved;
  const start = performance.now();
  const infos = new Map(model.index.tensors.map((t) => [t.name, t]));
  const entries = new Map(plan.tensors.map((t) => [t.name, t]));
  const order = plan.order;
  const bytesTotal = order.reduce((n, name) => n + infos.get(name)!.byteLength, 0);
  const measures = new Map<string, TensorMeasures>();
  const kept = opts.keepResults ? new Map<string, CompressedTensor>() : undefined;
  /** Compressed during sequential calibration, waiting for the exporter to ask for them. */
  const early = new Map<string, CompressedTensor>();
  let done = 0;
  let bytesDone = 0;
  const progress = (current: string) =>
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

  /** Channel pruning: the kept channels of each MLP, chosen once from its down_proj and the statistics of its input. */
  const mlpChannels = new Map<string, Promise<Uint32Array>>();
  const channelsFor = (name: string, statsOf: StatsOf): Promise<Uint32Array> => {
    const entry = entries.get(name)!;
    const { block } = mlpPart(entry.layer)!;
    let kept = mlpChannels.get(block);
    if (!kept) {
      const down = plan.tensors.find((t) => t.layer === `${block}.down_proj`)!;
      kept = readWeight(model, infos.get(down.name)!, opts.dequantize).then((w) => selectChannels({ ...w, stats: statsOf(down.name) }, entry.channels!.kept, opts.gpu, opts.signal));
      kept.catch(() => {}); // awaited (and thrown) by each tensor of the MLP
      mlpChannels.set(block, kept);
    }
    return kept;
  };

  /** AWQ: each scale group's scales, searched once from its weights and their input statistics. */
  const awqByConsumer = new Map<string, AwqScaleGroup>();
  const awqByProducer = new Map<string, AwqScaleGroup>();
  /** The vectors divided by a group's scales: norms (the producer itself) and biases of divided rows. */
  const awqByFolded = new Map<string, AwqScaleGroup>();
  for (const g of plan.awq ?? []) {
    for (const c of g.consumers) awqByConsumer.set(c, g);
    awqByProducer.set(g.producer.name, g);
    if (g.producer.kind === 'norm') awqByFolded.set(g.producer.name, g);
    if (g.producer.bias !== undefined) awqByFolded.set(g.producer.bias, g);
  }
  const awqScales = new Map<string, Promise<AwqGroupScales>>();
  /**
   * Sequential calibration feeds what was compressed to the next layers' capture in the original
   * space — Ŵ with its AWQ scales taken back out, norms as they were — which computes the same
   * function as the folded model; kept here (by name) until the capture takes it.
   */
  const awqOriginalSpace = new Map<string, Float32Array>();
  const awqScalesFor = (group: AwqScaleGroup, statsOf: StatsOf): Promise<AwqGroupScales> => {
    let s = awqScales.get(group.id);
    if (!s) {
      const spec = (entries.get(group.consumers[0])!.action as { spec: AwqQuantize }).spec;
      s = Promise.all(group.consumers.map(async (c) => ({ ...(await readWeight(model, infos.get(c)!, opts.dequantize)), stats: statsOf(c) }))).then((weights) =>
        searchGroupScales(group, weights, spec, opts.gpu, opts.signal),
      );
      s.catch(() => {}); // awaited (and thrown) by each tensor of the group
      awqScales.set(group.id, s);
    }
    return s;
  };
  /** A norm (or a bias of divided rows) with its group's AWQ scales divided out. */
  const foldVector = async (name: string, statsOf: StatsOf): Promise<CompressedTensor> => {
    const info = infos.get(name)!;
    const scales = await awqScalesFor(awqByFolded.get(name)!, statsOf);
    const vector = { ...info, layout: { rows: 1, cols: info.numel, rowStride: info.numel, colStride: 1 } };
    const original = originalValues(await readWeight(model, vector, opts.dequantize));
    const values = Float32Array.from(original, (v, i) => v / scales.producer[i]);
    measures.set(name, { relError: 0 });
    if (plan.calibration?.sequential) awqOriginalSpace.set(name, original);
    return { kind: 'dense', rows: 1, cols: info.numel, values, relError: 0 };
  };
  /** The weight as its method sees it under AWQ: scales in its columns (a consumer), 1/s in its rows (a producer). */
  const awqInput = async (input: WeightInput, statsOf: StatsOf): Promise<{ input: WeightInput; cols?: AwqGroupScales; rows?: AwqGroupScales }> => {
    const name = input.info.name;
    const asConsumer = awqByConsumer.get(name);
    const asProducer = awqByProducer.get(name);
    if (!asConsumer && !asProducer) return { input };
    const cols = asConsumer ? await awqScalesFor(asConsumer, statsOf) : undefined;
    const rows = asProducer ? await awqScalesFor(asProducer, statsOf) : undefined;
    const { rows: r, cols: c } = input.layout;
    const values = scaleWeight(originalValues(input), r, c, cols?.consumer, rows?.producer);
    const stats = cols && input.stats ? scaledStats(input.stats, cols.consumer) : input.stats;
    return {
      input: { info: input.info, bytes: new Uint8Array(values.buffer), dtype: 'f32', layout: { rows: r, cols: c, rowStride: c, colStride: 1 }, ...(stats ? { stats } : {}) },
      cols,
      rows,
    };
  };

  /** Runs one tensor's action (prune, then quantize) and measures it against the original. */
  const compressTensor = async (name: string, statsOf: StatsOf, next: string | undefined): Promise<CompressedTensor> => {
    throwIfAborted(opts.signal);
    const info = infos.get(name)!;
    const entry = entries.get(name)!;
    const action = entry.action;
    if (action.kind === 'keep') throw new Error(`Internal error: ${name} has nothing to do`);
    if (action.kind === 'fold') return foldVector(name, statsOf);
    const channels = entry.channels ? await channelsFor(name, statsOf) : undefined;
    const original: WeightInput = { ...(await read(name)), stats: statsOf(name), ...(channels ? { channels } : {}) };
    reads.delete(name);
    if (next !== undefined) void read(next);
    const awq = await awqInput(original, statsOf);
    const input = awq.input;
    const prune = actionPrune(action);
    let result: CompressedTensor;
    let pruned: DenseTensor | undefined;
    try {
      if (prune) {
        const p = pruneMethodOf(prune);
        pruned = opts.gpu ? await p.runGpu(opts.gpu, input, prune, opts.signal) : await p.runRef(input, prune);
      }
      if (action.kind === 'quantize') {
        const q = methodOf(action.spec);
        const qInput = pruned ? denseInput(info, pruned) : input;
        result = opts.gpu ? await q.runGpu(opts.gpu, qInput, action.spec, opts.signal) : await q.runRef(qInput, action.spec, opts.cpu);
      } else {
        result = pruned!;
      }
    } catch (e) {
      throw namedError(e, info);
    }
    const notes = [...(pruned?.notes ?? []), ...(result !== pruned ? (result.notes ?? []) : [])];
    if (awq.cols) notes.push(`AWQ scales of ${awq.cols.group.id}: α = ${awq.cols.alpha.toFixed(2)}, output error ${awq.cols.ofRtn.toFixed(3)} × round-to-nearest's on the calibration text`);
    if (awq.rows) notes.push(`AWQ: rows divided by the scales of ${awq.rows.group.id}`);
    const noted = notes.length ? { notes } : {};
    if (awq.cols || awq.rows) {
      // Against the original weight: the scales taken back out of Ŵ.
      const { rows, cols } = input.layout;
      const back = unscaleWeight(dequantizeCompressed(result), rows, cols, awq.cols?.consumer, awq.rows?.producer);
      measures.set(name, { relError: relativeError(originalValues(original), back), ...noted });
      if (plan.calibration?.sequential) awqOriginalSpace.set(name, back);
    } else if (entry.channels) {
      // Against the original weight, the removed channels counting as zeros (no zeros are written).
      const written = expandChannels(dequantizeCompressed(result), info.layout!.rows, info.layout!.cols, entry.channels.axis, channels!);
      measures.set(name, { relError: result.kind === 'dense' ? result.relError : relativeError(originalValues(input), written), ...noted });
    } else if (prune) {
      // Error against the original weight (not the pruned one), zeros counted from what is written.
      const written = dequantizeCompressed(result);
      measures.set(name, { relError: result.kind === 'dense' ? result.relError : relativeError(originalValues(input), written), zeros: countZeros(written), ...noted });
    } else {
      measures.set(name, { relError: result.relError, ...noted });
    }
    return result;
  };

  const needs = new Map(plan.tensors.filter((t) => t.needs !== 'nothing').map((t) => [t.name, t.needs]));
  let calibration: CalibrationStats | undefined;
  if (needs.size) {
    if (!opts.calibrate) throw new Error('Internal error: the plan needs calibration and the caller gave no calibrate()');
    const sequential: SequentialRun | undefined = plan.calibration?.sequential
      ? {
          key: `${plan.format}:${recipeId(plan.recipe)}`,
          tensors: order,
          compress: async (name, statsOf) => {
            progress(infos.get(name)!.layer);
            const r = await compressTensor(name, statsOf, undefined);
            early.set(name, r);
            const { rows, cols } = entries.get(name)!;
            const back = awqOriginalSpace.get(name);
            awqOriginalSpace.delete(name);
            return { values: back ?? dequantizeCompressed(r), rows, cols };
          },
        }
      : undefined;
    calibration = await opts.calibrate(needs, opts.signal, sequential);
  }

  const compressOne = async (name: string): Promise<CompressedTensor> => {
    const cached = kept?.get(name);
    if (cached) return cached;
    const info = infos.get(name)!;
    progress(info.layer);
    const ready = early.get(name);
    early.delete(name);
    const result = ready ?? (await compressTensor(name, (n) => calibration?.get(n), order[order.indexOf(name) + 1]));
    kept?.set(name, result);
    done++;
    bytesDone += info.byteLength;
    progress(infos.get(order[done] ?? name)!.layer);
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
  const device = opts.gpu ? adapterName(opts.gpu.adapterInfo) : opts.cpu && opts.cpu.tensors > 0 ? `CPU reference, ${opts.cpu.threads} threads` : 'CPU reference';
  const report = reportOf(plan, measures, performance.now() - start, device, model.index.paramCount);
  if (calibration) {
    report.calibration = { text: calibration.text, windows: calibration.windows, tokens: calibration.tokens, passes: calibration.passes };
    report.notes.push(...calibration.notes);
  }
  return { report, results: kept, written, ...(calibration ? { calibration } : {}) };
}

/** Writes an export from kept results (the page's download after a run). */
export async function exportCompressed(resolved: ResolvedPlan, results: ReadonlyMap<string, CompressedTensor>, output: SinkFactory): Promise<WrittenOutput> {
  return resolved.target.write(resolved.plan, async (name) => {
    const r = results.get(name);
    if (!r) throw new Error(`Internal error: no compressed result for ${name}`);
    return r;
  }, output);
}
