// Sweep-point timing for bench/eval.ts: a small RTN grid through runSweep (src/pipeline/sweep.ts)
// wired as `studio sweep` wires it — each point a recipe compressed on Node's Dawn (`webgpu`),
// evaluation on onnxruntime-node — reporting per point quantizeMs, evalMs and the rest of the
// point's wall time (planning the exact export size), all in ms.
import { join } from 'node:path';
import { nodeGpuContext } from '../src/cli/gpu-node';
import { modelSources } from '../src/cli/node-files';
import { createNodeLmSession } from '../src/eval/ort-node';
import type { GpuAdapterIdentity } from '../src/core/gpu-adapter';
import type { RtnBits, RtnGroupSize } from '../src/core/recipe';
import { VariantEvaluator } from '../src/eval/variant-evaluator';
import { openModel } from '../src/pipeline/open-model';
import { expandGrid, runSweep } from '../src/pipeline/sweep';

export interface SweepBenchOptions {
  models: string[];
  /** Absolute path of ../shared/fixtures. */
  fixtures: string;
  tokens: ReadonlyMap<string, ArrayLike<number>>;
  bits: RtnBits[];
  blocks: RtnGroupSize[];
  windows: number;
  threads?: number;
  log: (line: string) => void;
}

export interface SweepBenchRow {
  model: string;
  point: string;
  windows: number;
  /** Quantizing every matmul weight on the GPU (upload, kernels, readback). */
  quantizeMs: number;
  /** Dequantized feeds + the W forward passes. */
  evalMs: number;
  /** The rest of the point: measuring the exact export size. */
  otherMs: number;
  wallMs: number;
  ppl: number;
  bitsPerWeight: number;
  bytes: number;
}

export interface SweepBenchResult {
  adapter: GpuAdapterIdentity;
  evalExecutionProvider: string;
  /** Unquantized perplexity at the same W per model (also warms the evaluator up). */
  referencePpl: Record<string, number>;
  rows: SweepBenchRow[];
}

/** Runs the grid on each model, sequentially; one GPU device for the whole run. */
export async function runSweepBench(opts: SweepBenchOptions): Promise<SweepBenchResult> {
  const ctx = await nodeGpuContext();
  const grid = expandGrid({
    bits: opts.bits,
    blocks: opts.blocks,
    symmetric: [false],
    selections: [{ label: 'all-matmuls', selection: { kind: 'all-matmuls' } }],
  });
  const rows: SweepBenchRow[] = [];
  const referencePpl: Record<string, number> = {};
  let evalExecutionProvider = '';
  try {
    for (const name of opts.models) {
      const tokens = opts.tokens.get(name);
      if (!tokens) throw new Error(`no tokens for ${name}`);
      const model = await openModel(await modelSources(join(opts.fixtures, 'models', name, 'onnx', 'model.onnx')));
      const evaluator = await VariantEvaluator.create(model, (bytes) =>
        createNodeLmSession(bytes, { intraOpNumThreads: opts.threads }),
      );
      evalExecutionProvider = evaluator.executionProvider;
      try {
        referencePpl[name] = (await evaluator.evaluate(tokens, [], { windows: opts.windows })).ppl;
        let pointStart = performance.now();
        await runSweep(model, grid, evaluator, tokens, {
          windows: opts.windows,
          gpu: ctx,
          onProgress: (p) => {
            if (p.phase === 'quantize') pointStart = performance.now();
          },
          onPoint: (point) => {
            const wallMs = performance.now() - pointStart;
            rows.push({
              model: name,
              point: `${point.bits}-bit b${point.block} ${point.sym ? 'sym' : 'asym'}`,
              windows: point.windows,
              quantizeMs: point.quantizeMs,
              evalMs: point.evalMs,
              otherMs: Math.max(0, wallMs - point.quantizeMs - point.evalMs),
              wallMs,
              ppl: point.ppl,
              bitsPerWeight: point.bitsPerWeight,
              bytes: point.bytes,
            });
            opts.log(`sweep ${name} ${point.label}: quantize ${point.quantizeMs.toFixed(0)} ms, evaluate ${point.evalMs.toFixed(0)} ms`);
          },
        });
      } finally {
        await evaluator.release();
      }
    }
    return { adapter: ctx.adapterInfo, evalExecutionProvider, referencePpl, rows };
  } finally {
    ctx.destroy();
  }
}
