// safetensors output: a Hugging Face checkpoint (docs/FORMATS.md §5) with every tensor as F32,
// F16 or BF16 (the recipe's dtype, else as stored; F32 for a quantized GGUF source), sharded with
// model.safetensors.index.json above `maxShardBytes`, the recipe and the studio's version in
// `__metadata__`. safetensors has no quantized layout the studio writes yet (GPTQ-packed is
// issue #10), so quantized weights are stored dequantized: the file shows exactly what the
// recipe did to each weight, at float size — the plan says so.
import { dequantizeCompressed } from '../../quant/dequantize-compressed';
import type { CompressionPlan, TensorEncoding } from '../../core/compression-plan';
import type { RecipeDtype } from '../../core/recipe';
import { shardedSafetensorsBytes, type SafetensorsTensorToWrite, writeShardedSafetensors } from '../../formats/safetensors/safetensors-writer';
import { hfWeightSource } from '../weights/hf-weights';
import type { HfTensor } from '../weights/weight-source';
import type { Exporter, ExportTarget } from './exporter';
import { encodeFloats } from './float-bytes';
import { provenanceMetadata } from './provenance';

const STORED = { f32: 'F32', f16: 'F16', bf16: 'BF16' } as const;
type Stored = (typeof STORED)[RecipeDtype];


const BYTES: Record<Stored, number> = { F32: 4, F16: 2, BF16: 2 };

export const safetensorsExporter: Exporter = {
  format: 'safetensors',
  prepare(model, recipe, context): ExportTarget {
    const source = hfWeightSource(model, context.config);
    const bySource = new Map(source.tensors.map((t) => [t.source, t]));
    const dtypeOf = (t: HfTensor | undefined): Stored => STORED[recipe.dtype ?? t?.dtype ?? 'f32'];
    const metadata = (plan: CompressionPlan) => ({ format: 'pt', ...provenanceMetadata(plan.recipe) });
    const entries = (plan: CompressionPlan) => new Map(plan.tensors.map((t) => [t.name, t]));
    const headers = (plan: CompressionPlan) => {
      const byName = entries(plan);
      return source.tensors.map((t) => {
        const e = byName.get(t.source)?.encoding;
        const entry = byName.get(t.source);
        // HF order [out, in]: a channel-pruned MLP projection is written at its new size.
        const shape = entry?.channels ? [entry.rows, entry.cols] : t.shape;
        return { hf: t, shape, dtype: e?.kind === 'float' ? e.dtype : dtypeOf(t), compressed: entry !== undefined && entry.action.kind !== 'keep' };
      });
    };
    const options = (plan: CompressionPlan) => ({ maxShardBytes: context.maxShardBytes ?? Number.POSITIVE_INFINITY, metadata: metadata(plan) });

    return {
      format: 'safetensors',
      // llama.cpp presets choose block types by GGUF tensor names; here they would only be dequantized again.
      encode(tensor, action): TensorEncoding {
        const hf = bySource.get(tensor.name);
        if (!hf) return { kind: 'tied', to: source.tensors.find((t) => t.name === 'model.embed_tokens.weight')?.source ?? '' };
        return { kind: 'float', dtype: dtypeOf(hf), dequantized: action.kind === 'quantize' };
      },
      tensorBytes: (tensor, e) => (e.kind === 'float' ? tensor.numel * BYTES[e.dtype] : 0),
      planNotes: (plan) =>
        plan.tensors.some((t) => t.action.kind === 'quantize')
          ? ['safetensors holds float weights: quantized weights are stored dequantized, so the file is not smaller (it shows exactly what the recipe did to each weight)']
          : [],
      fileBytes: async (plan) => shardedSafetensorsBytes(headers(plan).map(({ hf, dtype, shape }) => ({ name: hf.name, dtype, shape })), options(plan)),
      outputTensors: (plan) => headers(plan).map(({ hf, dtype, shape }) => ({ name: hf.name, type: dtype, shape })),
      order: (plan) => {
        const byName = entries(plan);
        return source.tensors.map((t) => t.source).filter((n) => byName.get(n) !== undefined && byName.get(n)!.action.kind !== 'keep');
      },
      async write(plan, results, openSink) {
        const tensors: SafetensorsTensorToWrite[] = headers(plan).map(({ hf, dtype, shape, compressed }) => ({
          name: hf.name,
          dtype,
          shape,
          data: async () => encodeFloats(compressed ? dequantizeCompressed(await results(hf.source)) : await source.readFloats(hf.name), dtype),
        }));
        const files = await writeShardedSafetensors((name) => openSink(name === 'model.safetensors' ? null : name), tensors, options(plan));
        return { files: files.map((f) => (f === 'model.safetensors' ? null : f)), bytes: shardedSafetensorsBytes(tensors, options(plan)) };
      },
    };
  },
};
