// The calibrate() a compress run is given (pipeline/compress-model.ts): the recipe's calibration
// text (the bundled wikitext-2 validation excerpt, or the user's file) encoded with the model's
// tokenizer, run through onnxruntime, with progress, and cached per model + text + windows so
// several runs (a sweep, a second recipe) reuse it — or, when the recipe names an importance-
// matrix file (calibration.imatrix), that file's statistics (imatrix-stats.ts), with nothing run.
// The caller owns the runtime, the texts and the files.
import type { CompressProgress } from '../../core/compression-report';
import { MissingFileError } from '../../core/errors';
import type { CalibrationSpec, MethodNeeds } from '../../core/recipe';
import { checkFitsOrtWeb } from '../../core/evaluation-memory';
import { loadTokenizer } from '../../eval/tokenizer';
import type { SessionFactory } from '../../eval/variant-evaluator';
import type { GpuContext } from '../../gpu/context';
import type { OpenedModel } from '../open-model';
import type { ImportanceMatrix } from '../../formats/imatrix/imatrix-file';
import { calibrate, CalibrationStats, type SequentialRun } from './calibrate';
import { imatrixCalibration } from './imatrix-stats';

export interface CalibrationEnvironment {
  /** The text a recipe names: 'builtin' or a file name (which the caller resolves). */
  text(name: string): Promise<string>;
  createSession: SessionFactory;
  /** The session runtime's memory cap (onnxruntime-web's heap), checked before calibration runs; absent: none. */
  heapBytes?: number;
  gpu?: GpuContext;
  /** Shared across runs of the same model. */
  cache?: CalibrationCache;
  /** The importance-matrix file a recipe names (calibration.imatrix), read by the caller. */
  imatrix?(name: string): Promise<ImportanceMatrix>;
}

/** Finished calibrations of one model, by text, text length and windows. */
export class CalibrationCache {
  private entries: { key: string; stats: CalibrationStats }[] = [];

  find(key: string, needs: ReadonlyMap<string, MethodNeeds>): CalibrationStats | undefined {
    return this.entries.find((e) => e.key === key && e.stats.covers(needs))?.stats;
  }

  /** Keeps the last few (Hessians are large: n² floats per matmul input). */
  add(key: string, stats: CalibrationStats): void {
    this.entries = [...this.entries.filter((e) => e.key !== key), { key, stats }].slice(-4);
  }
}

export function calibrator(
  model: OpenedModel,
  spec: CalibrationSpec,
  env: CalibrationEnvironment,
  onProgress?: (p: CompressProgress) => void,
): (needs: ReadonlyMap<string, MethodNeeds>, signal?: AbortSignal, sequential?: SequentialRun) => Promise<CalibrationStats> {
  return async (needs, signal, sequential) => {
    if (spec.imatrix !== undefined) {
      if (!env.imatrix) throw new MissingFileError(`the recipe takes its importance from ${spec.imatrix}, which is not loaded here`, spec.imatrix);
      const fromFile = imatrixCalibration(model, await env.imatrix(spec.imatrix), spec.imatrix);
      const stats = await fromFile.calibrate(needs);
      // llama-quantize quantizes a weight its matrix lacks without importance, and says so.
      for (const w of fromFile.missing(needs)) stats.notes.push(`${spec.imatrix} has no importance for ${w}: quantized without it (as llama-quantize does)`);
      return stats;
    }
    if (!model.tokenizer) {
      throw new MissingFileError(`calibration needs the model's tokenizer.json to encode its text: give it with ${model.index.fileName}`, 'tokenizer.json');
    }
    if (env.heapBytes !== undefined) checkFitsOrtWeb(model.index, env.heapBytes);
    const text = await env.text(spec.text);
    // A sequential calibration saw the layers before each one compressed: it belongs to this recipe.
    const key = `${spec.text}|${text.length}|${spec.windows}|${sequential ? sequential.key : 'once'}`;
    const cached = env.cache?.find(key, needs);
    if (cached) return cached;
    const tokenizer = loadTokenizer(await model.tokenizer.read(0, model.tokenizer.byteLength), {}, model.tokenizer.name);
    const stats = await calibrate(model, needs, {
      windows: spec.windows,
      tokens: tokenizer.encode(text),
      textLabel: spec.text,
      createSession: env.createSession,
      gpu: env.gpu,
      signal,
      onProgress: (c) => onProgress?.({ stage: 'calibration', calibration: c, tensorsDone: 0, tensorsTotal: 0, bytesDone: 0, bytesTotal: 0, elapsedMs: c.elapsedMs, currentTensor: '' }),
    }, sequential);
    env.cache?.add(key, stats);
    return stats;
  };
}
