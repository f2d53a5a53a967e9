// The studio's worker: holds the opened model, the GPU device and the last compressed result, and
// does all the heavy work off the page's thread (comlink API in studio-api.ts). Every run goes
// through the recipe seam: plan (resolveRecipe), compress (compressModel), export (the plan's
// exporter). State changes only when an operation succeeds, so a failed load or a cancelled run
// leaves the previous state intact.
import * as Comlink from 'comlink';
import { blobSink, countingSink, type ByteSink } from '../core/byte-sink';
import { blobSource } from '../core/byte-source';
import type { CompressedTensor } from '../core/compressed-tensor';
import type { CompressReport, ResultRecord } from '../core/compression-report';
import type { EvalBackend, EvalReport, EvaluationRecord } from '../core/evaluation';
import { recipeId } from '../core/recipe-id';
import { MissingFileError, UnsupportedModelError, UsageError } from '../core/errors';
import type { ModelSummary } from '../core/model-summary';
import { imatrixFileName, outputFileName } from '../core/output-names';
import { ORT_WEB_HEAP_BYTES } from '../core/evaluation-memory';
import { createWebLmSession } from '../eval/ort-web';
import { CALIBRATION_TEXT_EXCERPT_PATH, EVAL_TEXT_EXCERPT_PATH } from '../eval/perplexity';
import { ModelEvaluation } from '../eval/model-evaluation';
import { acquireBrowserGpu } from '../gpu/browser-gpu';
import { createGpuContext, type GpuContext } from '../gpu/context';
import { explainingDeviceLoss } from '../gpu/device-loss';
import { ReacquiringGpu } from '../gpu/reacquiring-gpu';
import { IMATRIX_SNIFF_BYTES, readImatrix, sniffImatrixGguf, writeImatrix, type ImportanceMatrix } from '../formats/imatrix/imatrix-file';
import type { CalibrationStats } from '../pipeline/calibration/calibrate';
import { CalibrationCache, calibrator, type CalibrationEnvironment } from '../pipeline/calibration/calibrator';
import { imatrixFromCalibration } from '../pipeline/calibration/imatrix-stats';
import { compressModel, exportCompressed } from '../pipeline/compress-model';
import { exportContextOf } from '../pipeline/export-context';
import type { ExportContext, SinkFactory } from '../pipeline/exporters/exporter';
import { checkpointConfig } from '../pipeline/exporters/safetensors-config';
import { gzipMeasured } from '../pipeline/exporters/gzip-size';
import { graphBuildability } from '../pipeline/decoder-onnx';
import { openModel, type OpenedModel } from '../pipeline/open-model';
import { embeddedRecipe } from '../pipeline/recipe/embedded-recipe';
import { budgetSummary, sizeBudgetRecipe } from '../pipeline/budget/size-budget';
import { BUDGET_PROBE_WINDOWS } from '../core/size-budget';
import { loadTokenizer } from '../eval/tokenizer';
import { parseRecipe } from '../pipeline/recipe/parse-recipe';
import { resolveRecipe, type ResolvedPlan } from '../pipeline/recipe/resolve-recipe';
import { variantWeights } from '../pipeline/variant-weights';
import { gpuGgmlDequantizer } from '../pipeline/weights/gguf-weights';
import { buildGraphModel } from './built-graph';
import { installErrorTransfer } from './error-transfer';
import { legacyModelKey, modelKey } from './model-key';
import { continuedRun, newSweepRun, runSweepJob } from './sweep-job';
import { EVALUATIONS, newRecordId, RESULTS, storageError } from './history-db';
import { historyApi } from './history-api';
import { saveRecord } from './model-records';
import { loadSweepRun, moveSweepRuns } from './sweep-store';
import { throttle } from './throttle';
import { transformersJsZip } from './transformers-js-zip';
import type { ExportRequest, ExportResult, PlanRequest, StudioApi } from './studio-api';

installErrorTransfer();

interface Opened {
  model: OpenedModel;
  /** The content key its sweeps are saved under: hashed in the background, so opening does not wait for a read of every byte. */
  key: Promise<string>;
  evaluation: ModelEvaluation;
  /** config.json / tokenizer.json parsed once (GGUF output reads them). */
  context: Promise<ExportContext>;
  /** Calibrations of this model, reused by later runs and sweep points on the same text. */
  calibrations: CalibrationCache;
  /** The sweep run the page shows (null: the next sweep starts a new run). */
  openRunId: string | null;
}

/** Calibration texts the person added, by file name (a recipe names them; they outlive a model). */
const calibrationTexts = new Map<string, string>();
/** Importance-matrix files the person loaded, by file name (calibration.imatrix names them). */
const imatrixFiles = new Map<string, ImportanceMatrix>();

/** The GPU, acquired on first use and again after a lost device. */
const gpu = new ReacquiringGpu(() => createGpuContext(acquireBrowserGpu()));
let opened: Opened | null = null;
let last: { resolved: ResolvedPlan; results: Map<string, CompressedTensor>; report: CompressReport; calibration?: CalibrationStats } | null = null;
let job: AbortController | null = null;
let sweep: { controller: AbortController; reason: 'paused' | 'cancelled' } | null = null;

/** A finished point of the open model's history: of the run named, else of the open run. */
async function finishedPoint(pointId: string, runId?: string) {
  const o = requireModel();
  const id = runId ?? o.openRunId;
  const run = id ? await loadSweepRun(id) : null;
  const point = run && run.modelKey === (await o.key) ? run.points.find((p) => p.id === pointId) : undefined;
  if (!run || !point) throw new UsageError(`No finished sweep point "${pointId}" in this model's sweep history`);
  return { run, point };
}

function requireModel(): Opened {
  if (!opened) throw new UsageError('Open a model first');
  return opened;
}

function gpuContext(): Promise<GpuContext> {
  return gpu.get();
}

/** The GPU, or null when WebGPU is not available (the CPU references then compute the same results). */
async function gpuOrNull(): Promise<GpuContext | null> {
  try {
    return await gpuContext();
  } catch (e) {
    if ((e as { code?: string }).code === 'gpu-unavailable') return null;
    throw e;
  }
}

async function bundledFile(path: string, what: string): Promise<string> {
  const url = new URL(`${import.meta.env.BASE_URL}${path}`, self.location.origin);
  // Past the HTTP cache, as the sample (store/sample-files.ts): the service worker's cache serves it.
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new MissingFileError(`could not load the bundled ${what} (${url.pathname}: HTTP ${response.status})`, url.pathname);
  return response.text();
}

const bundledText = () => bundledFile(EVAL_TEXT_EXCERPT_PATH, 'evaluation text');

/** What calibration runs on in the page: onnxruntime-web on the chosen backend, the texts above, the GPU. */
function calibrationEnvironment(o: Opened, backend: EvalBackend, ctx: GpuContext | null): CalibrationEnvironment {
  return {
    async text(name) {
      if (name === 'builtin') return bundledFile(CALIBRATION_TEXT_EXCERPT_PATH, 'calibration text');
      const text = calibrationTexts.get(name);
      if (text === undefined) throw new MissingFileError(`the recipe calibrates on "${name}", which is not loaded: add it as the calibration text, or use the bundled one`, name);
      return text;
    },
    async imatrix(name) {
      const m = imatrixFiles.get(name);
      if (!m) throw new MissingFileError(`the recipe takes its importance from "${name}", which is not loaded: add it with Load imatrix…, or measure it on a text`, name);
      return m;
    },
    createSession: (bytes) => createWebLmSession(bytes, { executionProvider: backend }),
    heapBytes: ORT_WEB_HEAP_BYTES,
    gpu: ctx ?? undefined,
    cache: o.calibrations,
  };
}

/** Streams into a file picked with the File System Access API. */
async function fileHandleSink(handle: FileSystemFileHandle): Promise<ByteSink> {
  const writable = await handle.createWritable();
  let bytesWritten = 0;
  let closed = false;
  return {
    async write(chunk) {
      await writable.write(chunk as Uint8Array<ArrayBuffer>);
      bytesWritten += chunk.byteLength;
    },
    async close() {
      if (closed) return;
      closed = true;
      await writable.close();
    },
    get bytesWritten() {
      return bytesWritten;
    },
  };
}

/** One job at a time (compress, export, evaluate): a new one cancels the previous. */
async function asJob<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  job?.abort();
  const controller = new AbortController();
  job = controller;
  try {
    return await run(controller.signal);
  } finally {
    if (job === controller) job = null;
  }
}

async function resolve(request: PlanRequest): Promise<ResolvedPlan> {
  const { model, context } = requireModel();
  return resolveRecipe(model, parseRecipe(request.recipe), request.format, await context);
}

/** Where an export goes: the picked file, or a Blob to download. Only single files (no shards) in the page. */
function exportSinks(target: FileSystemFileHandle | undefined): { open: SinkFactory; blob(): Blob | undefined } {
  let blob: ReturnType<typeof blobSink> | null = null;
  return {
    async open(name) {
      // Past 2 GiB an ONNX export needs external data files beside it (the plan says so first).
      if (name !== null) throw new UnsupportedModelError(`this export needs ${name} beside its main file, and the page saves one file: write it with the CLI (npx studio compress … -o OUT.onnx), which puts the files side by side`);
      if (target) return fileHandleSink(target);
      blob = blobSink();
      return blob;
    },
    blob: () => blob?.toBlob(),
  };
}

/** The gzip size of the export of kept results (written to nowhere: only counted). */
async function gzipSizeOf(resolved: ResolvedPlan, results: ReadonlyMap<string, CompressedTensor>): Promise<number> {
  let measured: ReturnType<typeof gzipMeasured> | null = null;
  await exportCompressed(resolved, results, async () => (measured = gzipMeasured(countingSink())));
  return measured!.gzipBytes();
}

/** Makes `next` the open model (a failed open or build never gets here, so the previous one stays). */
async function adopt(next: OpenedModel, extra: Pick<ModelSummary, 'graph' | 'builtFrom'>): Promise<ModelSummary> {
  const key = modelKey(next.files).then(async (k) => {
    // Sweeps saved by an earlier version (keyed by name and size) move to the content key.
    await moveSweepRuns(await legacyModelKey(next.files[0]), k).catch(() => null);
    return k;
  });
  key.catch(() => {}); // reported by the sweep call that needs it
  job?.abort();
  sweep?.controller.abort();
  await opened?.evaluation.release();
  const runtime = { createSession: (bytes: Uint8Array, backend: EvalBackend) => createWebLmSession(bytes, { executionProvider: backend }), bundledText, heapBytes: ORT_WEB_HEAP_BYTES };
  const context = exportContextOf(next);
  context.catch(() => {}); // reported when a plan needs it
  opened = { model: next, key, evaluation: new ModelEvaluation(next, runtime), context, calibrations: new CalibrationCache(), openRunId: null };
  last = null;
  const carried = embeddedRecipe(next);
  return {
    index: next.index,
    files: next.files.map((f) => f.name),
    hasTokenizer: Boolean(next.tokenizer),
    ...(next.tokenizerFromModel ? { tokenizerFromModel: true } : {}),
    hasConfig: Boolean(next.config),
    ...(carried ? { embeddedRecipe: carried } : {}),
    ...extra,
  };
}

const api: StudioApi = {
  async gpuStatus() {
    try {
      const ctx = await gpuContext();
      return { available: true, adapter: ctx.adapterInfo, ...(gpu.reacquiredAfter ? { reacquiredAfter: gpu.reacquiredAfter } : {}) };
    } catch (e) {
      return { available: false, reason: e instanceof Error ? e.message : String(e) };
    }
  },

  async open(files: File[]): Promise<ModelSummary> {
    const next = await openModel(files.map((f) => blobSource(f, f.webkitRelativePath || f.name)));
    return adopt(next, next.onnx ? {} : { graph: await graphBuildability(next) });
  },

  async buildGraph(onProgress, options) {
    const o = requireModel();
    return asJob(async (signal) => {
      const progress = throttle(onProgress, 100);
      const built = await buildGraphModel(o.model, { float16: options?.float16, signal, onProgress: (written, total) => progress.call({ written, total }) });
      progress.flush();
      return adopt(built.model, { builtFrom: built.builtFrom });
    });
  },

  async checkRecipe(recipe) {
    return parseRecipe(recipe);
  },

  async plan(request) {
    return (await resolve(request)).plan;
  },

  async compress(request, onProgress) {
    const o = requireModel();
    return asJob(async (signal) => {
      const resolved = await resolve(request);
      const ctx = resolved.plan.order.length ? await gpuOrNull() : null;
      const progress = throttle(onProgress, 100);
      const spec = resolved.plan.calibration;
      const { report, results, calibration } = await explainingDeviceLoss(ctx, 'compressing', () =>
        compressModel(o.model, resolved, {
          gpu: ctx ?? undefined,
          dequantize: ctx ? gpuGgmlDequantizer(ctx, signal) : undefined,
          signal,
          onProgress: progress.call,
          keepResults: true,
          calibrate: spec ? calibrator(o.model, spec, calibrationEnvironment(o, request.backend ?? 'auto', ctx), progress.call) : undefined,
        }),
      );
      progress.flush();
      if (resolved.plan.order.length && !ctx) report.notes.push('WebGPU is not available in this browser: the CPU references computed this result (the same numbers, more slowly).');
      // Zeros do not make a dense file smaller, but they compress: say by how much.
      if (report.sparsity) report.gzipBytes = await gzipSizeOf(resolved, results!);
      last = { resolved, results: results!, report, ...(calibration ? { calibration } : {}) };
      // Into the history; the result stands either way (a full quota only keeps it out of the list).
      const record: ResultRecord = { id: newRecordId(), modelKey: await o.key, at: Date.now(), fileName: outputFileName(o.model.index.fileName, resolved.plan.format, resolved.plan.recipe), report };
      await saveRecord(RESULTS, record).catch((e) => report.notes.push(`${storageError(e).message} This result is not in the history.`));
      return report;
    });
  },

  async fitBudget(request, onProgress) {
    const o = requireModel();
    return asJob(async (signal) => {
      const ctx = await gpuOrNull();
      const progress = throttle(onProgress, 100);
      const backend = request.backend ?? 'auto';
      const env = calibrationEnvironment(o, backend, ctx);
      const spec = { text: request.calibration.text, windows: request.calibration.windows, sequential: false };
      const calibrate = calibrator(o.model, spec, env, progress.call);
      let probe;
      if (o.model.onnx && o.model.tokenizer) {
        const tokenizer = loadTokenizer(await o.model.tokenizer.read(0, o.model.tokenizer.byteLength), {}, o.model.tokenizer.name);
        probe = { evaluator: await o.evaluation.evaluator(backend), tokens: tokenizer.encode(await env.text(spec.text)), windows: BUDGET_PROBE_WINDOWS };
      }
      const started = performance.now();
      const r = await sizeBudgetRecipe(o.model, request.target, request.format, {
        calibrate: (needs, s) => calibrate(needs, s),
        gpu: ctx ?? undefined,
        context: await o.context,
        signal,
        probe,
        onProgress: (p) => {
          if (p.stage === 'sensitivity') {
            progress.call({ stage: 'budget', tensorsDone: p.done, tensorsTotal: p.total, bytesDone: 0, bytesTotal: 0, elapsedMs: performance.now() - started, currentTensor: p.current ?? '' });
          }
        },
      });
      progress.flush();
      return budgetSummary(r);
    });
  },

  async addCalibrationText(file) {
    const text = await file.text();
    if (!text.trim()) throw new UsageError(`${file.name} is empty: a calibration text needs at least one window of 256 tokens`);
    calibrationTexts.set(file.name, text);
    return { name: file.name, characters: text.length };
  },

  async isImatrix(file) {
    if (/\.dat$/i.test(file.name)) return true;
    return sniffImatrixGguf(new Uint8Array(await file.slice(0, IMATRIX_SNIFF_BYTES).arrayBuffer()));
  },

  async addImatrix(file) {
    const m = await readImatrix(blobSource(file, file.name));
    imatrixFiles.set(file.name, m);
    return { name: file.name, entries: m.entries.size, chunks: m.chunkCount, chunkSize: m.chunkSize, datasets: m.datasets };
  },

  async exportImatrix() {
    const { model } = requireModel();
    const stats = last?.calibration;
    if (!last || !stats || stats.passes === 0) throw new UsageError('The last run measured no importance: compress with a recipe that calibrates on a text first');
    const weights = last.resolved.plan.tensors.filter((t) => t.needs !== 'nothing' && t.role === 'matmul-weight').map((t) => t.name);
    const sink = blobSink();
    await writeImatrix(sink, imatrixFromCalibration(model, stats, weights));
    const blob = sink.toBlob();
    return { fileName: imatrixFileName(model.index.fileName), bytesWritten: blob.size, blob };
  },

  async exportCheckpointConfig() {
    const { context } = requireModel();
    if (!last || last.resolved.plan.format !== 'safetensors') throw new UsageError('config.json goes with a safetensors result: compress for safetensors first');
    const { config } = await context;
    if (!config) throw new UsageError('The model was opened without config.json: drop it with the model to get one for the checkpoint');
    const blob = new Blob([`${JSON.stringify(checkpointConfig(config, last.resolved.plan), null, 2)}\n`], { type: 'application/json' });
    return { fileName: 'config.json', bytesWritten: blob.size, blob };
  },

  async exportTransformersJs(perplexity) {
    const { model, context } = requireModel();
    if (!last || last.resolved.plan.format !== 'onnx') throw new UsageError('A transformers.js folder holds an ONNX result: compress for ONNX first');
    const { config, modelName } = await context;
    if (!config || !model.tokenizer) throw new UsageError('A transformers.js folder needs the model\'s config.json and tokenizer.json: drop them with the model');
    const { name, blob } = await transformersJsZip(model, last, config, modelName, perplexity);
    return { fileName: `${name}.zip`, bytesWritten: blob.size, blob };
  },

  cancel() {
    job?.abort();
  },

  async exportFile(request: ExportRequest, target?: FileSystemFileHandle, onProgress?): Promise<ExportResult> {
    const { model } = requireModel();
    return asJob(async (signal) => {
      const sinks = exportSinks(target);
      if (request.source === 'result') {
        if (!last) throw new UsageError('Compress the model first: there is no result to export');
        const { plan } = last.resolved;
        const written = await exportCompressed(last.resolved, last.results, sinks.open);
        return { fileName: target?.name || outputFileName(model.index.fileName, plan.format, plan.recipe), bytesWritten: written.bytes, blob: sinks.blob() };
      }
      const { run: saved, point } = await finishedPoint(request.pointId, request.runId);
      const resolved = await resolve({ recipe: point.recipe, format: point.format });
      const ctx = resolved.plan.order.length ? await gpuOrNull() : null;
      const progress = throttle((p: Parameters<NonNullable<typeof onProgress>>[0]) => onProgress?.(p), 100);
      const spec = resolved.plan.calibration;
      const calibrate = spec ? calibrator(model, spec, calibrationEnvironment(requireModel(), saved.request.executionProvider, ctx), progress.call) : undefined;
      const { written } = await explainingDeviceLoss(ctx, 'exporting the sweep point', () => compressModel(model, resolved, { gpu: ctx ?? undefined, signal, onProgress: progress.call, output: sinks.open, calibrate }));
      progress.flush();
      return { fileName: target?.name || outputFileName(model.index.fileName, point.format, point.recipe), bytesWritten: written!.bytes, blob: sinks.blob() };
    });
  },

  async evaluate(request, onProgress) {
    const o = requireModel();
    return asJob(async (signal) => {
      const subject = request.subject ?? 'original';
      let report: EvalReport;
      let label = 'original';
      let recipe: string | undefined;
      if (subject === 'original') {
        report = await o.evaluation.evaluate(request, [], { signal, onProgress });
      } else if (subject === 'result') {
        if (!last) throw new UsageError('Compress the model first: there is no result to evaluate');
        const { plan } = last.resolved;
        report = await o.evaluation.evaluate(request, variantWeights(plan, last.results), { signal, onProgress });
        label = `result ${outputFileName(o.model.index.fileName, plan.format, plan.recipe)}`;
        recipe = recipeId(plan.recipe);
      } else {
        if (!request.pointId) throw new UsageError('Name the sweep point to evaluate');
        const { run, point } = await finishedPoint(request.pointId, request.runId);
        const resolved = await resolve({ recipe: point.recipe, format: point.format });
        const ctx = resolved.plan.order.length ? await gpuOrNull() : null;
        const spec = resolved.plan.calibration;
        const calibrate = spec ? calibrator(o.model, spec, calibrationEnvironment(o, run.request.executionProvider, ctx), () => {}) : undefined;
        const { results } = await explainingDeviceLoss(ctx, 'compressing the sweep point', () => compressModel(o.model, resolved, { gpu: ctx ?? undefined, signal, keepResults: true, calibrate }));
        report = await o.evaluation.evaluate(request, variantWeights(resolved.plan, results!), { signal, onProgress });
        label = `sweep point ${point.label} · ${point.selectionLabel}`;
        recipe = point.id;
      }
      const record: EvaluationRecord = { id: newRecordId(), modelKey: await o.key, at: Date.now(), subject, label, ...(recipe ? { recipeId: recipe } : {}), report };
      // The evaluation is done either way: a failed save only keeps it out of the history.
      await saveRecord(EVALUATIONS, record).catch((e) => (record.notSaved = storageError(e).message));
      return record;
    });
  },

  async runSweep(request, callbacks) {
    const o = requireModel();
    const { model, key, evaluation } = o;
    sweep?.controller.abort();
    const current = { controller: new AbortController(), reason: 'cancelled' as 'paused' | 'cancelled' };
    sweep = current;
    try {
      const ctx = await gpuContext();
      const env = calibrationEnvironment(o, request.executionProvider, ctx);
      const open = o.openRunId ? await loadSweepRun(o.openRunId) : null;
      const run = continuedRun(open, request) ?? newSweepRun(await key, model.index.fileName, request);
      o.openRunId = run.runId;
      return await explainingDeviceLoss(ctx, 'the sweep', () =>
        runSweepJob(run, model, evaluation, ctx, request, callbacks, {
          signal: current.controller.signal,
          stopReason: () => current.reason,
          calibrate: (spec, needs, signal, onProgress, sequential) => calibrator(model, spec, env, (p) => p.calibration && onProgress(p.calibration))(needs, signal, sequential),
          gzipBytes: gzipSizeOf,
          calibrationText: (name) => env.text(name),
        }),
      );
    } finally {
      if (sweep === current) sweep = null;
    }
  },

  pauseSweep() {
    if (!sweep) return;
    sweep.reason = 'paused';
    sweep.controller.abort();
  },

  cancelSweep() {
    if (!sweep) return;
    sweep.reason = 'cancelled';
    sweep.controller.abort();
  },

  ...historyApi({ model: requireModel, sweepRunning: () => sweep !== null }),
};

Comlink.expose(api);
