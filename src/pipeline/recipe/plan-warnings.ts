// Warnings a plan carries about its source: an output larger than the file it came from (a float
// conversion of a quantized GGUF, a float16 graph made float32), and weights that were already
// quantized being quantized again — new rounding error on top of the old, so more loss than the
// same recipe on the float original. The source of a built graph is the file it was built from.
import type { CompressionPlan } from '../../core/compression-plan';
import type { OpenedModel } from '../open-model';

const FLOAT_TYPES = /^(f32|f16|bf16|f64|F32|F16|BF16|F64)$/;
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

export function sourceWarnings(plan: CompressionPlan, model: OpenedModel): string[] {
  const notes: string[] = [];
  const source = model.builtFrom ?? model.index;
  // Past a margin: the provenance metadata alone makes an unchanged export a few bytes larger.
  if (plan.outputBytes > source.fileBytes * 1.01 + 65536) {
    notes.push(`the output (${mib(plan.outputBytes)}) is larger than ${source.fileName} (${mib(source.fileBytes)}): the recipe stores some weights in more bits than the source did`);
  }
  const quantizedBefore = new Map(source.tensors.filter((t) => !FLOAT_TYPES.test(String(t.dtype))).map((t) => [t.layer, String(t.dtype)]));
  const again = plan.tensors.filter((t) => t.action.kind === 'quantize' && quantizedBefore.has(t.layer));
  if (again.length > 0) {
    const types = [...new Set(again.map((t) => quantizedBefore.get(t.layer)!))].join(', ');
    notes.push(
      `${again.length} tensor${again.length > 1 ? 's are' : ' is'} already quantized in ${source.fileName} (${types}): quantizing again adds new rounding error to the old, so expect more loss than the same recipe on the float original (keep them to carry them over as they are)`,
    );
  }
  return notes;
}
