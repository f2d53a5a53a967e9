// safetensors output: a Hugging Face checkpoint (docs/FORMATS.md §5), sharded with
// model.safetensors.index.json above `maxShardBytes`, the recipe and the studio's version in
// `__metadata__`. Integer-quantized Linear weights of the decoder layers (2/4/8 bits, integer zero
// points) are written GPTQ-packed — qweight/qzeros/scales/g_idx, AutoGPTQ's v1 layout (§6.1) —
// with `quantization_config` in config.json (safetensors-config.ts), which is what AutoGPTQ,
// GPTQModel and transformers load. Everything else is F32, F16 or BF16 (the recipe's dtype, else
// as stored; F32 for a quantized GGUF source): a quantized weight the GPTQ layout cannot hold
// (3 bits, float zero points, llama.cpp types, the output head) is stored dequantized, and the
// plan says which and why.
import type { CompressedTensor } from '../../core/compressed-tensor';
import type { CompressionPlan, TensorEncoding } from '../../core/compression-plan';
import type { RecipeDtype } from '../../core/recipe';
import { type GptqPacked, gptqPackProblem, packGptq } from '../../formats/safetensors/gptq-packed';
import { shardedSafetensorsBytes, type SafetensorsTensorToWrite, writeShardedSafetensors } from '../../formats/safetensors/safetensors-writer';
import { dequantizeCompressed } from '../../quant/dequantize-compressed';
import { codeAt } from '../../quant/rtn';
import { methodOf } from '../methods/registry';
import { hfWeightSource } from '../weights/hf-weights';
import type { HfTensor } from '../weights/weight-source';
import type { Exporter, ExportTarget } from './exporter';
import { encodeFloats } from './float-bytes';
import { inDecoderLayer } from './safetensors-config';
import { provenanceMetadata } from './provenance';

const STORED = { f32: 'F32', f16: 'F16', bf16: 'BF16' } as const;
type Stored = (typeof STORED)[RecipeDtype];

const BYTES: Record<Stored, number> = { F32: 4, F16: 2, BF16: 2 };

/** The four GPTQ tensors of one packed Linear, in the order written. */
const GPTQ_PARTS = ['qweight', 'qzeros', 'scales', 'g_idx'] as const;
type GptqPart = (typeof GPTQ_PARTS)[number];

/** Shape and dtype of one GPTQ tensor of a [rows = N, cols = K] Linear. */
function gptqPartHeader(part: GptqPart, rows: number, cols: number, bits: number, groupSize: number): { dtype: string; shape: number[] } {
  const groups = Math.ceil(cols / groupSize);
  const per = 32 / bits;
  if (part === 'qweight') return { dtype: 'I32', shape: [cols / per, rows] };
  if (part === 'qzeros') return { dtype: 'I32', shape: [groups, rows / per] };
  if (part === 'scales') return { dtype: 'F16', shape: [groups, rows] };
  return { dtype: 'I32', shape: [cols] };
}

function gptqOf(t: CompressedTensor): GptqPacked {
  if (t.kind !== 'int-groups') throw new Error(`Internal error: a GPTQ-packed weight came back as ${t.kind}`);
  return packGptq({ rows: t.rows, cols: t.cols, bits: t.bits, groupSize: t.groupSize, code: (r, c) => codeAt(t, r, c), zeroPoints: t.zeroPoints, scales: t.scales });
}

const int32Bytes = (a: Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

interface OutputTensor {
  name: string;
  dtype: string;
  shape: number[];
  data: () => Promise<Uint8Array>;
}

export const safetensorsExporter: Exporter = {
  format: 'safetensors',
  prepare(model, recipe, context): ExportTarget {
    const source = hfWeightSource(model, context.config);
    const bySource = new Map(source.tensors.map((t) => [t.source, t]));
    const dtypeOf = (t: HfTensor | undefined): Stored => STORED[recipe.dtype ?? t?.dtype ?? 'f32'];
    const metadata = (plan: CompressionPlan) => ({ format: 'pt', ...provenanceMetadata(plan.recipe) });
    const entries = (plan: CompressionPlan) => new Map(plan.tensors.map((t) => [t.name, t]));
    /** Why a quantized weight is stored dequantized, by source name (filled by `encode`). */
    const dequantizedWhy = new Map<string, string>();

    /** Every tensor written, with where its bytes come from (`results`: the compressed tensors, pulled once each). */
    const outputs = (plan: CompressionPlan, results?: (name: string) => Promise<CompressedTensor>): OutputTensor[] => {
      const byName = entries(plan);
      // A packed Linear's four tensors are written one after another: pack once, for the four.
      let packed: { source: string; value: Promise<GptqPacked> } | undefined;
      const packedOf = (name: string) => {
        if (packed?.source !== name) packed = { source: name, value: results!(name).then(gptqOf) };
        return packed.value;
      };
      return source.tensors.flatMap((t): OutputTensor[] => {
        const entry = byName.get(t.source);
        const e = entry?.encoding;
        if (e?.kind === 'gptq-packed') {
          const base = t.name.replace(/\.weight$/, '');
          return GPTQ_PARTS.map((part) => ({
            name: `${base}.${part}`,
            ...gptqPartHeader(part, entry!.rows, entry!.cols, e.bits, e.groupSize),
            data: async () => {
              const p = await packedOf(t.source);
              if (part === 'scales') return encodeFloats(p.scales, 'F16');
              return int32Bytes(part === 'qweight' ? p.qweight : part === 'qzeros' ? p.qzeros : p.gIdx);
            },
          }));
        }
        // HF order [out, in]: a channel-pruned MLP projection is written at its new size.
        const shape = entry?.channels ? [entry.rows, entry.cols] : t.shape;
        const dtype = e?.kind === 'float' ? e.dtype : dtypeOf(t);
        const compressed = entry !== undefined && entry.action.kind !== 'keep';
        return [{ name: t.name, dtype, shape, data: async () => encodeFloats(compressed ? dequantizeCompressed(await results!(t.source)) : await source.readFloats(t.name), dtype) }];
      });
    };
    const options = (plan: CompressionPlan) => ({ maxShardBytes: context.maxShardBytes ?? Number.POSITIVE_INFINITY, metadata: metadata(plan) });

    return {
      format: 'safetensors',
      // llama.cpp presets choose block types by GGUF tensor names; here they would only be dequantized again.
      encode(tensor, action): TensorEncoding {
        const hf = bySource.get(tensor.name);
        if (!hf) return { kind: 'tied', to: source.tensors.find((t) => t.name === 'model.embed_tokens.weight')?.source ?? '' };
        if (action.kind !== 'quantize') return { kind: 'float', dtype: dtypeOf(hf), dequantized: false };
        const geometry = methodOf(action.spec).geometry(action.spec, tensor.layout!.cols);
        let why: string | undefined;
        if (geometry.kind !== 'int-groups') why = 'llama.cpp block types have no safetensors layout';
        else if (geometry.layout.floatZeroPoints) why = "GPTQ's layout has no float zero points";
        else if (tensor.role !== 'matmul-weight' || !inDecoderLayer(hf.name)) why = 'GPTQ checkpoints quantize the Linear layers of the decoder layers only';
        else why = gptqPackProblem(geometry.layout.bits, tensor.layout!.rows, tensor.layout!.cols);
        if (why === undefined && geometry.kind === 'int-groups') return { kind: 'gptq-packed', ...geometry.layout };
        dequantizedWhy.set(tensor.name, why!);
        return { kind: 'float', dtype: dtypeOf(hf), dequantized: true };
      },
      tensorBytes(tensor, e) {
        if (e.kind === 'float') return tensor.numel * BYTES[e.dtype];
        if (e.kind !== 'gptq-packed') return 0;
        const { rows, cols } = tensor.layout!;
        const groups = Math.ceil(cols / e.groupSize);
        return (rows * cols * e.bits) / 8 + (groups * rows * e.bits) / 8 + groups * rows * 2 + cols * 4;
      },
      planNotes: (plan) => {
        const notes: string[] = [];
        const packed = plan.tensors.filter((t) => t.encoding.kind === 'gptq-packed');
        if (packed.length) {
          notes.push(`${packed.length} quantized Linear weights are stored GPTQ-packed (qweight/qzeros/scales/g_idx, AutoGPTQ's v1 layout, float16 scales); config.json's quantization_config tells AutoGPTQ, GPTQModel and transformers how to load them`);
        }
        const dequantized = plan.tensors.filter((t) => t.encoding.kind === 'float' && t.encoding.dequantized);
        if (dequantized.length) {
          const reasons = [...new Set(dequantized.map((t) => dequantizedWhy.get(t.name)).filter((w) => w !== undefined))];
          const which = dequantized.length === 1 ? `1 quantized weight (${dequantized[0].layer}) is` : `${dequantized.length} quantized weights are`;
          notes.push(`${which} stored dequantized as floats, at float size (the file shows exactly what the recipe did): ${reasons.join('; ')}`);
        }
        return notes;
      },
      fileBytes: async (plan) => shardedSafetensorsBytes(outputs(plan), options(plan)),
      outputTensors: (plan) => outputs(plan).map(({ name, dtype, shape }) => ({ name, type: dtype, shape })),
      order: (plan) => {
        const byName = entries(plan);
        return source.tensors.map((t) => t.source).filter((n) => byName.get(n) !== undefined && byName.get(n)!.action.kind !== 'keep');
      },
      async write(plan, results, openSink) {
        const tensors: SafetensorsTensorToWrite[] = outputs(plan, results);
        const files = await writeShardedSafetensors((name) => openSink(name === 'model.safetensors' ? null : name), tensors, options(plan));
        return { files: files.map((f) => (f === 'model.safetensors' ? null : f)), bytes: shardedSafetensorsBytes(tensors, options(plan)) };
      },
    };
  },
};
