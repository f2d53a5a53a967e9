// What a compression run reports (page result panel, CLI --json, sweep points): per tensor the
// rule it got, the method and settings, the bytes before and after, and the error measured on
// the result; for the whole model the exact output size and bits per weight.
import type { CompressionPlan, OutputFormat, TensorEncoding } from './compression-plan';
import type { TensorRole } from './model-index';
import type { Recipe } from './recipe';
import { quantizeLabel } from './recipe';
import { ggmlTypeByName } from './ggml-types';

export interface TensorReport {
  name: string;
  layer: string;
  role: TensorRole;
  /** Index of the rule that decided (into the plan's rules), or null (no rule: kept). */
  rule: number | null;
  /** 'keep' or the method id ('rtn', 'ggml'). */
  method: string;
  /** 'keep', 'rtn 4-bit/32 asym', 'ggml Q4_K'. */
  label: string;
  /** Nominal bits: the rtn code width, or a ggml type's bits per weight. */
  bits?: number;
  /** Container bits of rtn codes (3-bit codes in 4-bit containers). */
  storedBits?: number;
  /** Elements per scale along the input dimension (ggml: the block), or 'per-channel'. */
  group?: number | 'per-channel';
  /** ggml type name. */
  type?: string;
  encoding: TensorEncoding['kind'];
  numel: number;
  bytesBefore: number;
  /** Bytes of this tensor in the output. */
  bytes: number;
  /** ‖W − Ŵ‖ / ‖W‖, or null when the tensor was kept. */
  relError: number | null;
  notes: string[];
}

export interface CompressReport {
  format: OutputFormat;
  recipe: Recipe;
  recipeId: string;
  rules: CompressionPlan['rules'];
  ruleSources: string[];
  inputBytes: number;
  /** Exact bytes of the output file(s). */
  outputBytes: number;
  /** 8 · bytes of the quantized tensors / their element count. */
  bitsPerWeight: number;
  tensors: TensorReport[];
  notes: string[];
  durationMs: number;
  /** What computed it: the GPU adapter, or "CPU reference". */
  device: string;
}

/** Tensors and source bytes done, as the pipeline reports them. */
export interface CompressProgress {
  tensorsDone: number;
  tensorsTotal: number;
  bytesDone: number;
  bytesTotal: number;
  elapsedMs: number;
  currentTensor: string;
}

/** The report of a plan once its tensors' errors are known. */
export function reportOf(plan: CompressionPlan, relErrors: ReadonlyMap<string, number>, durationMs: number, device: string): CompressReport {
  const tensors = plan.tensors.map((t): TensorReport => {
    const base = {
      name: t.name, layer: t.layer, role: t.role, rule: t.rule, encoding: t.encoding.kind, numel: t.numel,
      bytesBefore: t.bytesBefore, bytes: t.bytesAfter, notes: t.notes,
    };
    if (t.action.kind === 'keep') return { ...base, method: 'keep', label: 'keep', relError: null };
    const spec = t.action.spec;
    const e = t.encoding;
    const relError = relErrors.get(t.name) ?? (e.kind === 'tied' ? relErrors.get(e.to) : undefined) ?? null;
    if (spec.method === 'rtn') {
      return { ...base, method: 'rtn', label: quantizeLabel(spec), bits: spec.bits, storedBits: spec.bits === 3 ? 4 : spec.bits, group: spec.group, relError };
    }
    const info = ggmlTypeByName(spec.type)!;
    return { ...base, method: 'ggml', label: quantizeLabel(spec), type: spec.type, bits: (info.blockBytes * 8) / info.blockSize, group: info.blockSize, relError };
  });
  return {
    format: plan.format, recipe: plan.recipe, recipeId: plan.recipeId, rules: plan.rules, ruleSources: plan.ruleSources,
    inputBytes: plan.inputBytes, outputBytes: plan.outputBytes, bitsPerWeight: plan.bitsPerWeight, tensors, notes: plan.notes, durationMs, device,
  };
}
