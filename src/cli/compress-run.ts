// What `compress`, `quantize` and `convert` share: open the model and its sidecar files, resolve
// the recipe into a plan for the output's format, then either print the plan (--dry-run) or run
// it on the GPU (the CPU references where WebGPU is missing, said on stderr), streaming the file
// to `OUT.partial` and renaming it when complete; on failure nothing half-written is left.
import { stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { CompressProgress, CompressReport } from '../core/compression-report';
import { reportOf } from '../core/compression-report';
import type { CompressionPlan, OutputFormat } from '../core/compression-plan';
import { MissingFileError, UsageError } from '../core/errors';
import type { Recipe } from '../core/recipe';
import { readImatrix, type ImportanceMatrix } from '../formats/imatrix/imatrix-file';
import { createNodeLmSession } from '../eval/ort-node';
import { calibrator } from '../pipeline/calibration/calibrator';
import { compressModel } from '../pipeline/compress-model';
import { gzipMeasured, type GzipMeasuredSink } from '../pipeline/exporters/gzip-size';
import type { ExportContext, WrittenOutput } from '../pipeline/exporters/exporter';
import { graphBuildability } from '../pipeline/decoder-onnx';
import { openModel, type OpenedModel } from '../pipeline/open-model';
import { resolveRecipe, type ResolvedPlan } from '../pipeline/recipe/resolve-recipe';
import { gpuGgmlDequantizer } from '../pipeline/weights/gguf-weights';
import { cpuPool } from './cpu-pool';
import { compressionGpu } from './device-choice';
import { graphModel } from './graph-model';
import { fileSink, fileSource, modelSources } from './node-files';
import { endProgress, progressLine } from './output';
import { findSidecars, type Sidecars } from './sidecars';
import { calibrationText } from './eval-inputs';

export interface CompressRunArgs {
  model: string;
  out?: string;
  recipe: Recipe;
  config?: string;
  tokenizer?: string;
  /** safetensors: shard above this many bytes of tensor data. */
  maxShardBytes?: number;
  /** Build a checkpoint's or GGUF's graph in float16 (transformers.js fp16 / q4f16). */
  graphFloat16?: boolean;
}

export function outputFormatOf(out: string | undefined): OutputFormat {
  if (!out) throw new UsageError('-o OUT is required (OUT.onnx, OUT.gguf or OUT.safetensors)');
  if (/\.onnx$/i.test(out)) return 'onnx';
  if (/\.gguf$/i.test(out)) return 'gguf';
  if (/\.safetensors$/i.test(out)) return 'safetensors';
  throw new UsageError(`-o must end in .onnx, .gguf or .safetensors; got "${out}"`);
}

export interface Planned {
  model: OpenedModel;
  sidecars: Sidecars;
  resolved: ResolvedPlan;
}

export async function planRun(args: CompressRunArgs): Promise<Planned> {
  const format = outputFormatOf(args.out);
  let model = await openModel(await modelSources(args.model));
  const sidecars = await findSidecars(args.model, args);
  // ONNX output and calibration need the model's graph: built when the model has none and can
  // have one; otherwise the plan below says what needs it.
  if (!model.onnx && (await graphBuildability(model)).buildable) {
    const float16 = args.graphFloat16 === true;
    if (format === 'onnx') model = await graphModel(model, 'ONNX output puts the weights in a graph', { float16 });
    else if ((await resolveRecipe(model, args.recipe, format, { ...sidecars.context, assumeGraph: true })).plan.calibration) {
      model = await graphModel(model, 'the recipe calibrates on text, which runs the model', { float16 });
    }
  }
  const resolved = await resolveRecipe(model, args.recipe, format, outputContext(sidecars, format, args.out!, args.maxShardBytes));
  return { model, sidecars, resolved };
}

/** The export context for OUT: --max-shard-size shards safetensors, and caps each ONNX file (the .onnx, its external data files). */
function outputContext(sidecars: Sidecars, format: OutputFormat, out: string, maxShardBytes: number | undefined): ExportContext {
  return format === 'onnx' ? { ...sidecars.context, onnxFileName: basename(out), onnxMaxFileBytes: maxShardBytes } : { ...sidecars.context, maxShardBytes };
}

/** The plan again for another output name (a transformers.js folder names its file after the plan's dtype): ONNX external data is named after it. */
export async function replannedFor(planned: Planned, out: string, recipe: Recipe, maxShardBytes?: number): Promise<Planned> {
  const { format } = planned.resolved.plan;
  if (format !== 'onnx') return planned;
  return { ...planned, resolved: await resolveRecipe(planned.model, recipe, format, outputContext(planned.sidecars, format, out, maxShardBytes)) };
}

export interface RunOutcome extends WrittenOutput {
  report: CompressReport;
  /** Paths of the files written, the main file first. */
  paths: string[];
}

function progress(p: CompressProgress): void {
  if (p.stage === 'calibration' && p.calibration) {
    const c = p.calibration;
    const left = c.windowsDone > 0 ? ((c.windowsTotal - c.windowsDone) * c.elapsedMs) / c.windowsDone / 1000 : 0;
    progressLine(`calibrate [${c.windowsDone}/${c.windowsTotal} windows] ${c.tokensPerSecond.toFixed(0)} tokens/s, ${left.toFixed(0)} s left`);
    if (c.windowsDone === c.windowsTotal) endProgress();
    return;
  }
  const mbps = p.elapsedMs > 0 ? p.bytesDone / 1e3 / p.elapsedMs : 0;
  const left = p.bytesDone > 0 ? ((p.bytesTotal - p.bytesDone) * p.elapsedMs) / p.bytesDone / 1000 : undefined;
  progressLine(`compress [${p.tensorsDone}/${p.tensorsTotal}] ${p.currentTensor}  ${mbps.toFixed(1)} MB/s${left !== undefined ? `, ${left.toFixed(0)} s left` : ''}`);
}

/** An importance-matrix file a recipe names (calibration.imatrix), as a path. */
async function imatrixFile(path: string): Promise<ImportanceMatrix> {
  const file = await stat(path).catch(() => null);
  if (!file?.isFile()) throw new MissingFileError(`${path}: importance matrix not found`, path);
  return readImatrix(await fileSource(path));
}

/** Runs a plan into OUT (and, for shards, files beside it); `gzip` also measures the files' gzip size. */
export async function runPlanned({ model, resolved }: Planned, out: string, opts: { gzip?: boolean } = {}): Promise<RunOutcome> {
  const needsGpu = resolved.plan.order.length > 0 || (model.gguf?.tensors.some((t) => !['F32', 'F16', 'BF16'].includes(t.type.name)) ?? false);
  const gpu = needsGpu ? await compressionGpu() : undefined;
  const cpu = gpu ? undefined : cpuPool();
  const folder = dirname(resolve(out));
  const opened: { path: string; abort(): Promise<void> }[] = [];
  const measured: GzipMeasuredSink[] = [];
  const spec = resolved.plan.calibration;
  try {
    const { report, written } = await compressModel(model, resolved, {
      gpu,
      cpu,
      dequantize: gpu ? gpuGgmlDequantizer(gpu) : undefined,
      onProgress: progress,
      calibrate: spec ? calibrator(model, spec, { text: calibrationText, imatrix: imatrixFile, createSession: (bytes) => createNodeLmSession(bytes), gpu }, progress) : undefined,
      output: async (name) => {
        const path = name === null ? out : join(folder, name);
        const sink = await fileSink(path);
        opened.push({ path, abort: sink.abort });
        if (!opts.gzip) return sink;
        const m = gzipMeasured(sink);
        measured.push(m);
        return m;
      },
    });
    endProgress();
    for (const n of report.notes) if (n.includes('has no importance for')) process.stderr.write(`studio: ${n}\n`);
    if (opts.gzip) report.gzipBytes = (await Promise.all(measured.map((m) => m.gzipBytes()))).reduce((a, b) => a + b, 0);
    return { ...written!, report, paths: opened.map((o) => o.path) };
  } catch (e) {
    endProgress();
    for (const o of opened) {
      await o.abort();
      await unlink(o.path).catch(() => {});
    }
    throw e;
  } finally {
    gpu?.destroy();
    cpu?.destroy();
  }
}

/** The report of a plan that has not run (--dry-run): no errors measured yet. */
export function dryRunReport(plan: CompressionPlan): CompressReport {
  return reportOf(plan, new Map(), 0, 'none (dry run)');
}
