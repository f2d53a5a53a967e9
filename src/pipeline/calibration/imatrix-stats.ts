// Importance matrices both ways (llama.cpp's `--imatrix`, formats/imatrix): a calibrate() that
// takes each weight's per-column statistics from an imported file instead of running the model
// (so GGUF and safetensors inputs, which have no graph, can use one), and the file's entries
// from a calibration run (`studio imatrix`, the page's download). Files key weights by their
// GGUF names, whatever the model's own format calls them.
import { ShapeError } from '../../core/errors';
import { EVAL_PROTOCOL } from '../../core/evaluation';
import type { TensorInfo } from '../../core/model-index';
import type { MethodNeeds } from '../../core/recipe';
import { CALIBRATION_TEXT_EXCERPT_PATH } from '../../eval/perplexity';
import { importanceOf, type ImportanceMatrix } from '../../formats/imatrix/imatrix-file';
import { hfToGgufName } from '../../model/llama-names';
import type { InputStats } from '../methods/method';
import type { OpenedModel } from '../open-model';
import { CalibrationStats } from './calibrate';

/** The name llama-imatrix gives a weight: its GGUF tensor name (`blk.0.attn_q.weight`). */
export function imatrixNameOf(t: Pick<TensorInfo, 'name' | 'layer'>): string {
  return hfToGgufName(`${t.layer}.weight`) ?? t.name;
}

/** What a calibrate() built from a file reports besides the statistics. */
export interface ImatrixCalibration {
  calibrate: (needs: ReadonlyMap<string, MethodNeeds>) => Promise<CalibrationStats>;
  /** Weights the plan wanted importance for that the file has none for (quantized without, as llama-quantize does). */
  missing(needs: ReadonlyMap<string, MethodNeeds>): string[];
}

/**
 * calibrate() from an importance matrix: each weight's statistics are the file's importance as
 * llama-quantize derives it, over one "token", so that sums / tokens is that importance exactly.
 */
export function imatrixCalibration(model: OpenedModel, matrix: ImportanceMatrix, fileName: string): ImatrixCalibration {
  const infos = new Map(model.index.tensors.map((t) => [t.name, t]));
  const importance = (weight: string) => {
    const info = infos.get(weight);
    return info ? importanceOf(matrix, imatrixNameOf(info)) : undefined;
  };
  return {
    async calibrate(needs) {
      const perWeight = new Map<string, InputStats>();
      for (const [weight, need] of needs) {
        if (need === 'nothing') continue;
        const sums = importance(weight);
        const cols = infos.get(weight)?.layout?.cols;
        if (!sums) continue;
        if (cols !== undefined && sums.length !== cols) {
          throw new ShapeError(`${fileName} has ${sums.length} importance values for ${imatrixNameOf(infos.get(weight)!)}, whose rows have ${cols}: it was made for another model`);
        }
        perWeight.set(weight, { sumSquares: sums, tokens: 1 });
      }
      return new CalibrationStats(perWeight, matrix.chunkCount, matrix.chunkCount * matrix.chunkSize, fileName, 0);
    },
    missing: (needs) => [...needs].filter(([w, n]) => n !== 'nothing' && !importance(w)).map(([w]) => w),
  };
}

/**
 * The importance-matrix entries of a calibration run: Σx² per input column and the tokens seen,
 * under GGUF names, in llama-imatrix's GGUF form (chunks of the protocol's window length).
 */
export function imatrixFromCalibration(model: OpenedModel, stats: CalibrationStats, weights: readonly string[]): ImportanceMatrix {
  const infos = new Map(model.index.tensors.map((t) => [t.name, t]));
  const entries = new Map<string, { sums: Float32Array; counts: Float32Array }>();
  for (const w of weights) {
    const s = stats.get(w);
    if (s) entries.set(imatrixNameOf(infos.get(w)!), { sums: s.sumSquares, counts: Float32Array.of(s.tokens) });
  }
  // llama-imatrix names its text file; 'builtin' is the studio's bundled excerpt.
  const dataset = stats.text === 'builtin' ? CALIBRATION_TEXT_EXCERPT_PATH.split('/').pop()! : stats.text;
  return { entries, datasets: [dataset], chunkCount: stats.windows, chunkSize: EVAL_PROTOCOL.windowLength, legacy: false };
}
