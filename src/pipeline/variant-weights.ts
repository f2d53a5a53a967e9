// The weights a compressed variant feeds the weights-as-inputs evaluation session (DESIGN
// decision 4): Ŵ of every quantized tensor, dequantized by the references; a tied output head
// (GGUF and safetensors store it once, as the token embedding) is fed the embedding's Ŵ, as
// llama.cpp computes with it; a channel-pruned weight is fed at its narrower size.
import type { CompressedTensor } from '../core/compressed-tensor';
import type { CompressionPlan } from '../core/compression-plan';
import type { VariantWeight } from '../eval/variant-evaluator';
import { dequantizeCompressed } from '../quant/dequantize-compressed';

export function variantWeights(plan: CompressionPlan, results: ReadonlyMap<string, CompressedTensor>): VariantWeight[] {
  const out: VariantWeight[] = [];
  for (const t of plan.tensors) {
    const source = t.encoding.kind === 'tied' ? t.encoding.to : t.name;
    const r = results.get(source);
    if (r) out.push({ name: t.name, values: () => dequantizeCompressed(r), ...(t.channels ? { rows: t.rows, cols: t.cols } : {}) });
  }
  return out;
}
