// `studio sweep MODEL --bits 8,4,3 --block 32,128 [--sym both|yes|no] [--include RE]
// [--exclude RE] [--windows N] [--tokenizer FILE] [--text FILE] --json`: the grid as a queue,
// one JSON line per finished point on stdout, then a summary line.
import { UsageError } from '../../core/errors';
import { createNodeLmSession } from '../../eval/ort-node';
import { quantizeRtnGpu } from '../../kernels/quant/rtn';
import { openModel } from '../../pipeline/open-model';
import { ggufTargetOf, type GgufVariantInputs } from '../../pipeline/gguf-variant';
import type { OpenedModel } from '../../pipeline/open-model';
import { expandGrid, runSweep, type SweepAxes } from '../../pipeline/sweep';
import { MissingFileError } from '../../core/errors';
import { VariantEvaluator } from '../../pipeline/variant-evaluator';
import type { QuantBits, RtnScheme } from '../../core/quantized-tensor';
import { nodeGpuContext } from '../gpu-node';
import { evaluationTokens, parseWindows } from '../eval-inputs';
import { modelSources } from '../node-files';
import { printJson, progressLine } from '../output';
import { selectionFromArgs } from './quantize';

export interface SweepArgs {
  model: string;
  bits?: string;
  ggufTypes?: string;
  block?: string;
  sym?: string;
  include?: string;
  exclude?: string;
  windows?: string;
  tokenizer?: string;
  text?: string;
  json: boolean;
}

function list(value: string | undefined, flag: string): string[] {
  if (!value) throw new UsageError(`${flag} is required (a comma-separated list)`);
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

export function sweepAxesFromArgs(args: SweepArgs): SweepAxes {
  const ggufTypes = args.ggufTypes ? list(args.ggufTypes, '--gguf-types').map((t) => ggufTargetOf(t).name) : [];
  if (!args.bits && ggufTypes.length === 0) throw new UsageError('give --bits (RTN points) and/or --gguf-types (llama.cpp points)');
  const bits = (args.bits ? list(args.bits, '--bits') : []).map((b) => {
    const n = Number(b);
    if (![2, 3, 4, 8].includes(n)) throw new UsageError(`--bits values must be 2, 3, 4 or 8, got "${b}"`);
    return n as QuantBits;
  });
  const blocks = list(args.block ?? '32', '--block').map((b): RtnScheme['blockSize'] => {
    if (b === 'pc' || b === 'per-channel') return 'per-channel';
    const n = Number(b);
    if (![16, 32, 64, 128, 256].includes(n)) throw new UsageError(`--block values must be 16, 32, 64, 128, 256 or per-channel, got "${b}"`);
    return n as RtnScheme['blockSize'];
  });
  const sym = args.sym ?? 'no';
  const symmetric = sym === 'both' ? [false, true] : sym === 'yes' || sym === 'true' ? [true] : sym === 'no' || sym === 'false' ? [false] : null;
  if (!symmetric) throw new UsageError(`--sym must be both, yes or no, got "${sym}"`);
  const selection = selectionFromArgs(args);
  const label = selection.kind === 'custom' ? `include=${args.include ?? ''};exclude=${args.exclude ?? ''}` : 'all-matmuls';
  return { bits, blocks, symmetric, selections: [{ label, selection }], ggufTypes };
}

async function cliGgufInputs(model: OpenedModel): Promise<GgufVariantInputs> {
  const json = async (f: OpenedModel['config']) => JSON.parse(new TextDecoder().decode(await f!.read(0, f!.byteLength)));
  if (!model.config) throw new MissingFileError('--gguf-types needs config.json beside the model or in its parent folder', 'config.json');
  if (!model.tokenizer) throw new MissingFileError('--gguf-types needs tokenizer.json beside the model or in its parent folder', 'tokenizer.json');
  return { config: await json(model.config), tokenizer: await json(model.tokenizer) };
}

export async function sweepCommand(args: SweepArgs): Promise<void> {
  if (!args.json) throw new UsageError('sweep prints JSON lines: pass --json');
  const axes = sweepAxesFromArgs(args);
  const windows = parseWindows(args.windows);
  const model = await openModel(await modelSources(args.model));
  const tokens = await evaluationTokens(model, args);
  const ctx = await nodeGpuContext();
  const evaluator = await VariantEvaluator.create(model, (bytes) => createNodeLmSession(bytes));
  try {
    const grid = expandGrid(axes);
    const reference = await evaluator.evaluate(tokens, [], { windows });
    const started = performance.now();
    const points = await runSweep(model, grid, (input, s, signal) => quantizeRtnGpu(ctx, input, s, { signal }), evaluator, tokens, {
      windows,
      ggufInputs: axes.ggufTypes?.length ? await cliGgufInputs(model) : undefined,
      onProgress: (p) =>
        progressLine(`sweep [${p.pointIndex + 1}/${p.pointsTotal}] ${p.config.id} ${p.phase}${p.eval ? ` ${p.eval.windowsDone}/${p.eval.windowsTotal}` : ''}`),
      // The recipe objects stay out of the line; its fields say the same flat.
      onPoint: (point) => printJson(Object.fromEntries(Object.entries(point).filter(([k]) => k !== 'selection' && k !== 'scheme'))),
    });
    printJson({
      summary: true,
      points: points.length,
      referencePpl: reference.ppl,
      referenceBytes: model.index.fileBytes,
      windows,
      elapsedMs: performance.now() - started,
      adapter: ctx.adapterInfo,
    });
  } finally {
    await evaluator.release();
    ctx.destroy();
  }
}
