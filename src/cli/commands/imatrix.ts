// `studio imatrix MODEL -o FILE [--calib FILE] [--calib-windows N] [--json]`: llama-imatrix's
// job — run the model (ONNX) on calibration text (default the bundled wikitext-2 validation
// excerpt, 128 windows of 256 tokens) and write, for every matmul weight, Σx² per input column
// and the tokens seen, in llama.cpp's current importance-matrix format (a GGUF; keys are GGUF
// tensor names), which `convert --imatrix` and llama-quantize --imatrix both read.
import { EVAL_PROTOCOL } from '../../core/evaluation';
import { DEFAULT_CALIBRATION, type MethodNeeds } from '../../core/recipe';
import { UsageError } from '../../core/errors';
import { createNodeLmSession } from '../../eval/ort-node';
import { writeImatrix } from '../../formats/imatrix/imatrix-file';
import { calibrator } from '../../pipeline/calibration/calibrator';
import { imatrixFromCalibration } from '../../pipeline/calibration/imatrix-stats';
import { openModel } from '../../pipeline/open-model';
import { calibrationText } from '../eval-inputs';
import { compressionGpu } from '../device-choice';
import { graphModel } from '../graph-model';
import { fileSink, modelSources } from '../node-files';
import { endProgress, printJson, printLine, progressLine } from '../output';

export interface ImatrixArgs {
  model: string;
  out?: string;
  calib?: string;
  calibWindows?: string;
  json: boolean;
}

export async function imatrixCommand(args: ImatrixArgs): Promise<void> {
  if (!args.out) throw new UsageError('-o FILE is required (the importance matrix, e.g. imatrix.gguf)');
  const windows = args.calibWindows === undefined ? DEFAULT_CALIBRATION.windows : Number(args.calibWindows);
  if (!Number.isInteger(windows) || windows < 1) throw new UsageError(`--calib-windows must be a positive integer, got "${args.calibWindows}"`);
  const model = await graphModel(await openModel(await modelSources(args.model)), 'an importance matrix runs the model');
  const weights = model.index.tensors.filter((t) => t.role === 'matmul-weight').map((t) => t.name);
  const needs = new Map<string, MethodNeeds>(weights.map((w) => [w, 'input-stats']));
  const gpu = await compressionGpu();
  const started = performance.now();
  try {
    const text = args.calib ?? DEFAULT_CALIBRATION.text;
    const calibrate = calibrator(model, { text, windows, sequential: false }, { text: calibrationText, createSession: (bytes) => createNodeLmSession(bytes), gpu }, (p) => {
      const c = p.calibration!;
      const left = c.windowsDone > 0 ? ((c.windowsTotal - c.windowsDone) * c.elapsedMs) / c.windowsDone / 1000 : 0;
      progressLine(`imatrix [${c.windowsDone}/${c.windowsTotal} windows] ${c.tokensPerSecond.toFixed(0)} tokens/s, ${left.toFixed(0)} s left`);
    });
    const stats = await calibrate(needs);
    endProgress();
    const matrix = imatrixFromCalibration(model, stats, weights);
    const sink = await fileSink(args.out);
    try {
      await writeImatrix(sink, matrix);
      await sink.close();
    } catch (e) {
      await sink.abort();
      throw e;
    }
    const out = { output: args.out, entries: matrix.entries.size, windows: stats.windows, tokens: stats.tokens, chunkSize: EVAL_PROTOCOL.windowLength, seconds: (performance.now() - started) / 1000 };
    if (args.json) printJson(out);
    else printLine(`wrote ${args.out}: importance of ${out.entries} weights from ${out.windows} windows (${out.tokens} tokens) of ${text === 'builtin' ? 'the bundled wikitext-2 excerpt' : text}`);
  } finally {
    endProgress();
    gpu?.destroy();
  }
}
