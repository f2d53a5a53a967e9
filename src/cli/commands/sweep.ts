// `studio sweep MODEL --bits 8,4,3 --block 32,128 [--sym both|yes|no] [--include RE]
// [--exclude RE] [--windows N] [--tokenizer FILE] [--text FILE] --json`: the grid as a queue,
// one JSON line per finished point on stdout, then a summary line.
import { UsageError } from '../../core/errors';
import { createNodeLmSession } from '../../eval/ort-node';
import { quantizeRtnGpu } from '../../kernels/quant/rtn';
import { openModel } from '../../pipeline/open-model';
import { expandGrid, runSweep } from '../../pipeline/sweep';
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

export function sweepAxesFromArgs(args: SweepArgs) {
  const bits = list(args.bits, '--bits').map((b) => {
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
  return { bits, blocks, symmetric, selections: [{ label, selection }] };
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
      onProgress: (p) =>
        progressLine(`sweep [${p.pointIndex + 1}/${p.pointsTotal}] ${p.config.id} ${p.phase}${p.eval ? ` ${p.eval.windowsDone}/${p.eval.windowsTotal}` : ''}`),
      onPoint: (point) => {
        const { selection: _selection, scheme: _scheme, ...fields } = point;
        printJson(fields);
      },
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
