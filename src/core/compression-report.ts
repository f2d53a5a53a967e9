// What a compression run reports (page result panel, CLI --json, sweep points): per tensor the
// rule it got, the method and settings, the bytes before and after, and the error measured on
// the result; for the whole model the exact output size and bits per weight.
import type { CompressionPlan, OutputFormat, TensorEncoding } from './compression-plan';
import type { TensorRole } from './model-index';
import type { Recipe } from './recipe';
import { isIntGridSpec, pruneLabel, quantizeLabel } from './recipe';
import { ggmlTypeByName } from './ggml-types';

export interface TensorReport {
  name: string;
  layer: string;
  role: TensorRole;
  /** Index of the rule that decided (into the plan's rules), or null (no rule: kept). */
  rule: number | null;
  /** 'keep' or the quantize method id ('rtn', 'ggml'), or the prune method id when it only prunes. */
  method: string;
  /** 'keep', 'rtn 4-bit/32 asym', 'ggml Q4_K', 'wanda 50% + rtn 4-bit/32 asym'. */
  label: string;
  /** The prune method id, when the tensor was pruned. */
  prune?: string;
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
  /** ‖W − Ŵ‖ / ‖W‖ against the original weight, or null when the tensor was kept. */
  relError: number | null;
  /** Zeros / elements of the tensor as written, counted from the weights; null when not pruned. */
  sparsity: number | null;
  notes: string[];
}

/** Counted from the weights, not the targets. */
export interface SparsityReport {
  /** Exact zeros in the pruned tensors. */
  zeros: number;
  /** zeros / elements of the pruned tensors. */
  pruned: number;
  /** zeros / parameters of the whole model (tensors not pruned counted as dense). */
  model: number;
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
  /** Present when something was pruned. */
  sparsity?: SparsityReport;
  /** The calibration the run used, when a method needed one. */
  calibration?: { text: string; windows: number; tokens: number; /** Capture passes: 1, or one per decoder layer when sequential. */ passes: number };
  /** Bytes of the output compressed with gzip (what zeros save once a file is compressed), when measured. */
  gzipBytes?: number;
  /** Parameters before and after, when channel pruning removed some (and the MLP width when it is one for all layers). */
  parameters?: { before: number; after: number; mlpWidth?: { from: number; to: number } };
}

/**
 * A finished compress run as the history keeps it, per model content key: what it produced and
 * how. The file itself is not kept: its recipe makes it again (runs are deterministic).
 */
export interface ResultRecord {
  id: string;
  modelKey: string;
  /** When it finished (ms since the epoch). */
  at: number;
  /** The file name the result downloads as. */
  fileName: string;
  report: CompressReport;
}

/** Tensors and source bytes done, as the pipeline reports them; calibration windows first, when the recipe needs them. */
export interface CompressProgress {
  /** 'calibration' while the model runs on calibration text, then 'compress'; 'budget' while a size budget measures each weight (tensors = weights). */
  stage?: 'calibration' | 'compress' | 'budget';
  /** During calibration: windows done of all, and tokens per second. */
  calibration?: { windowsDone: number; windowsTotal: number; tokensPerSecond: number; elapsedMs: number };
  tensorsDone: number;
  tensorsTotal: number;
  bytesDone: number;
  bytesTotal: number;
  elapsedMs: number;
  currentTensor: string;
}

/** What a run measured per tensor: the error against the original and, when pruned, the zeros written. */
export interface TensorMeasures {
  relError: number;
  zeros?: number;
  /** What the methods said while running it (damping raised, dead inputs zeroed). */
  notes?: readonly string[];
}

/** The report of a plan once its tensors are measured (`paramCount`: the model's, for overall sparsity). */
export function reportOf(plan: CompressionPlan, measured: ReadonlyMap<string, TensorMeasures>, durationMs: number, device: string, paramCount = 0): CompressReport {
  const tensors = plan.tensors.map((t): TensorReport => {
    const base = {
      name: t.name, layer: t.layer, role: t.role, rule: t.rule, encoding: t.encoding.kind, numel: t.numel,
      bytesBefore: t.bytesBefore, bytes: t.bytesAfter, notes: t.notes,
    };
    if (t.action.kind === 'keep') return { ...base, method: 'keep', label: 'keep', relError: null, sparsity: null };
    if (t.action.kind === 'fold') return { ...base, method: 'fold', label: 'AWQ scales folded in', relError: null, sparsity: null };
    const e = t.encoding;
    const m = measured.get(t.name) ?? (e.kind === 'tied' ? measured.get(e.to) : undefined);
    const relError = m?.relError ?? null;
    if (m?.notes?.length) base.notes = [...t.notes, ...m.notes];
    const prune = t.action.prune;
    const pruned = prune ? { prune: prune.method, sparsity: m?.zeros !== undefined ? m.zeros / t.numel : null } : { sparsity: null };
    if (t.action.kind === 'prune') return { ...base, method: t.action.prune.method, label: pruneLabel(t.action.prune), relError, ...pruned };
    // An importance-weighted rule weighs only what calibration measured (never an embedding).
    const spec = t.action.spec.method === 'ggml' && t.needs === 'nothing' ? { method: 'ggml' as const, type: t.action.spec.type } : t.action.spec;
    const label = [prune ? pruneLabel(prune) : '', quantizeLabel(spec)].filter(Boolean).join(' + ');
    if (isIntGridSpec(spec)) {
      return { ...base, method: spec.method, label, bits: spec.bits, storedBits: spec.bits === 3 ? 4 : spec.bits, group: spec.group, relError, ...pruned };
    }
    const info = ggmlTypeByName(spec.type)!;
    return { ...base, method: spec.method, label, type: spec.type, bits: (info.blockBytes * 8) / info.blockSize, group: info.blockSize, relError, ...pruned };
  });
  const prunedTensors = plan.tensors.filter((t) => t.action.kind !== 'keep' && t.action.kind !== 'fold' && t.action.prune && !t.channels && t.encoding.kind !== 'tied');
  // Channel pruning removes parameters instead of zeroing them.
  const removed = plan.tensors.reduce((n, t) => n + (!t.channels ? 0 : (t.channels.of - t.channels.kept) * (t.channels.axis === 'rows' ? t.cols : t.rows)), 0);
  const zeros = prunedTensors.reduce((n, t) => n + (measured.get(t.name)?.zeros ?? 0), 0);
  const prunedNumel = prunedTensors.reduce((n, t) => n + t.numel, 0);
  return {
    format: plan.format, recipe: plan.recipe, recipeId: plan.recipeId, rules: plan.rules, ruleSources: plan.ruleSources,
    inputBytes: plan.inputBytes, outputBytes: plan.outputBytes, bitsPerWeight: plan.bitsPerWeight, tensors, notes: plan.notes, durationMs, device,
    ...(prunedTensors.length ? { sparsity: { zeros, pruned: prunedNumel ? zeros / prunedNumel : 0, model: paramCount ? zeros / paramCount : 0 } } : {}),
    ...(removed ? { parameters: { before: paramCount, after: paramCount - removed, ...(plan.mlpWidth ? { mlpWidth: plan.mlpWidth } : {}) } } : {}),
  };
}
