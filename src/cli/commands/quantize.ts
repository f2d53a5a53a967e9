// `studio quantize MODEL -o OUT --bits B [--block N | --per-channel] [--sym] [--include RE]
// [--exclude RE] [--json]`: round-to-nearest on the GPU, MatMulNBits ONNX out.
import { UsageError } from '../../core/errors';
import { type TensorSelection, tensorFilter } from '../../core/tensor-filter';
import { quantizeRtnGpu } from '../../kernels/quant/rtn';
import { exportQuantizedOnnx } from '../../pipeline/export-onnx';
import { openModel } from '../../pipeline/open-model';
import { bitsPerWeight, quantizeModel } from '../../pipeline/quantize-model';
import type { QuantBits, RtnScheme } from '../../core/quantized-tensor';
import { nodeGpuContext } from '../gpu-node';
import { fileSink, modelSources } from '../node-files';
import { endProgress, formatBytes, printJson, printLine, progressLine } from '../output';

export interface QuantizeArgs {
  model: string;
  out?: string;
  bits?: string;
  block?: string;
  perChannel: boolean;
  sym: boolean;
  include?: string;
  exclude?: string;
  json: boolean;
}

const BITS = [2, 3, 4, 8] as const;
const BLOCKS = [16, 32, 64, 128, 256] as const;

export function schemeFromArgs(args: Pick<QuantizeArgs, 'bits' | 'block' | 'perChannel' | 'sym'>): RtnScheme {
  if (args.bits === undefined) throw new UsageError('--bits is required (2, 3, 4 or 8)');
  const bits = Number(args.bits);
  if (!BITS.includes(bits as QuantBits)) throw new UsageError(`--bits must be 2, 3, 4 or 8, got "${args.bits}"`);
  if (args.block !== undefined && args.perChannel) throw new UsageError('give either --block N or --per-channel, not both');
  let blockSize: RtnScheme['blockSize'] = 32;
  if (args.perChannel) blockSize = 'per-channel';
  else if (args.block !== undefined) {
    const b = Number(args.block);
    if (!BLOCKS.includes(b as (typeof BLOCKS)[number])) {
      throw new UsageError(`--block must be one of ${BLOCKS.join(', ')}, got "${args.block}"`);
    }
    blockSize = b as RtnScheme['blockSize'];
  }
  return { bits: bits as QuantBits, symmetric: args.sym, blockSize };
}

/** The tensor selection of --include/--exclude; bad regular expressions are usage errors, raised before any file is read. */
export function selectionFromArgs(args: Pick<QuantizeArgs, 'include' | 'exclude'>): TensorSelection {
  const selection: TensorSelection =
    args.include !== undefined || args.exclude !== undefined
      ? { kind: 'custom', include: args.include, exclude: args.exclude }
      : { kind: 'all-matmuls' };
  tensorFilter(selection);
  return selection;
}

export async function quantizeCommand(args: QuantizeArgs): Promise<void> {
  if (!args.out) throw new UsageError('-o OUT is required');
  const scheme = schemeFromArgs(args);
  const selection = selectionFromArgs(args);
  const model = await openModel(await modelSources(args.model));
  const ctx = await nodeGpuContext();
  try {
    const result = await quantizeModel(model, scheme, selection, (input, s, signal) => quantizeRtnGpu(ctx, input, s, { signal }), {
      onProgress: (p) => {
        const mbps = p.elapsedMs > 0 ? p.bytesDone / 1e3 / p.elapsedMs : 0;
        progressLine(`quantize [${p.tensorsDone}/${p.tensorsTotal}] ${p.currentTensor}  ${mbps.toFixed(1)} MB/s`);
      },
    });
    endProgress();
    const sink = await fileSink(args.out);
    let outputBytes: number;
    try {
      outputBytes = await exportQuantizedOnnx(model, result, sink);
    } catch (e) {
      await sink.abort();
      throw e;
    }
    const summary = {
      inputBytes: model.index.fileBytes,
      outputBytes,
      bitsPerWeight: bitsPerWeight(result.entries),
      tensors: result.entries.map((e) => ({
        name: e.info.name,
        layer: e.info.layer,
        bits: e.tensor.bits,
        storedBits: e.tensor.storedBits,
        block: scheme.blockSize,
        relError: e.tensor.relError,
      })),
    };
    if (args.json) {
      printJson(summary);
      return;
    }
    printLine(`wrote ${args.out}: ${formatBytes(outputBytes)} (was ${formatBytes(summary.inputBytes)}), ` +
      `${summary.bitsPerWeight.toFixed(3)} bits per quantized weight, ${summary.tensors.length} tensors on ${ctx.adapterInfo.description || ctx.adapterInfo.vendor || 'GPU'}`);
    const worst = [...summary.tensors].sort((a, b) => b.relError - a.relError).slice(0, 5);
    for (const t of worst) printLine(`  ${t.layer.padEnd(40)} rel. error ${t.relError.toFixed(5)}`);
  } finally {
    ctx.destroy();
  }
}
