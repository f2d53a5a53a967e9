// What `--type` (and `--pure`) ask of a GGUF conversion: an all-float file (F32/F16/BF16), a
// llama-quantize preset mix, or one block type for every quantizable tensor (--pure), and the
// per-tensor ggml type that results (llama.cpp b10573 rules via planGgufPreset; FORMATS §4.4c).
import { UsageError } from '../../core/errors';
import { FLOAT_FILE_TYPE } from '../../formats/gguf/llama-metadata';
import { GGUF_PRESETS, planGgufPreset, tensorAllowsQuantization, type GgufPresetName, type PresetModel, type PresetTensor, type TensorTypeChoice } from '../../quant/ggml/gguf-presets';
import { ggmlScheme, type GgmlSchemeName } from '../../quant/ggml/schemes';

export type FloatTarget = keyof typeof FLOAT_FILE_TYPE;

export interface GgufTarget {
  /** As given: 'F32', 'Q4_K_M', 'Q4_1', … */
  name: string;
  /** `general.file_type` (llama_ftype). */
  fileType: number;
  float?: FloatTarget;
  preset?: GgufPresetName;
  /** Set with --pure: every quantizable tensor gets this type. */
  pureType?: GgmlSchemeName;
}

/**
 * --pure types without a preset of their own, with the llama_ftype llama-quantize writes for
 * them; k-quants plan through a preset with the same default type (its fallbacks included).
 */
const PURE_ONLY: Record<string, { type: GgmlSchemeName; fileType: number; via?: GgufPresetName }> = {
  Q4_1: { type: 'Q4_1', fileType: 3 },
  Q5_0: { type: 'Q5_0', fileType: 8 },
  Q5_1: { type: 'Q5_1', fileType: 9 },
  Q3_K_S: { type: 'Q3_K', fileType: 11, via: 'Q3_K_M' },
  Q4_K_S: { type: 'Q4_K', fileType: 14, via: 'Q4_K_M' },
  Q5_K_S: { type: 'Q5_K', fileType: 16, via: 'Q5_K_M' },
};

/** Every --type value, for help and messages. */
export const GGUF_TARGET_NAMES: readonly string[] = [...Object.keys(FLOAT_FILE_TYPE), ...Object.keys(GGUF_PRESETS), ...Object.keys(PURE_ONLY).map((n) => `${n} (--pure)`)];

/** Parses --type/--pure; UsageError for unknown names or a pure-only type without --pure. */
export function parseGgufTarget(name: string, pure = false): GgufTarget {
  const upper = name.toUpperCase();
  if (upper in FLOAT_FILE_TYPE) return { name: upper, fileType: FLOAT_FILE_TYPE[upper as FloatTarget], float: upper as FloatTarget };
  if (upper in GGUF_PRESETS) {
    const preset = GGUF_PRESETS[upper as GgufPresetName];
    return { name: upper, fileType: preset.fileType, preset: preset.name, pureType: pure ? preset.defaultType : undefined };
  }
  const p = PURE_ONLY[upper];
  if (p && pure) return { name: upper, fileType: p.fileType, preset: p.via, pureType: p.type };
  if (p) throw new UsageError(`--type ${name} is only available with --pure (the studio has no ${name} mix)`);
  throw new UsageError(`--type must be one of ${GGUF_TARGET_NAMES.join(', ')}; got "${name}"`);
}

export interface GgufTypePlan {
  /** Type per tensor, in input order. */
  types: GgmlSchemeName[];
  fallbacks: { name: string; from: GgmlSchemeName; to: GgmlSchemeName; message: string }[];
  /** llama.cpp's closing warning when any tensor fell back. */
  summary?: string;
}

/** 1-D tensors and norms stay F32; other tensors that are not quantized are written F16 (as llama-quantize keeps a F16 source). */
function keptType(t: PresetTensor, float: FloatTarget | undefined): GgmlSchemeName {
  if (t.shape.length < 2 || t.name.endsWith('_norm.weight')) return 'F32';
  return float ?? 'F16';
}

/** llama.cpp's tensor_type_fallback for the 32-block pure types: F16 when 32 does not divide the row. */
function pureChoice(t: PresetTensor, type: GgmlSchemeName): TensorTypeChoice {
  const ncols = t.shape[t.shape.length - 1];
  const block = ggmlScheme(type)!.blockSize;
  if (ncols % block === 0) return { name: t.name, type };
  const message = `${t.name} - ncols ${ncols} not divisible by ${block} (required for type ${type}) (must use F16 due to unusual shape) -> falling back to F16`;
  return { name: t.name, type: 'F16', fallback: { from: type, message } };
}

/** The ggml type of every tensor (GGUF names, numpy shapes) for a target. */
export function planGgufTypes(target: GgufTarget, tensors: readonly PresetTensor[], model: PresetModel): GgufTypePlan {
  let choices: TensorTypeChoice[];
  let summary: string | undefined;
  if (target.float) {
    choices = tensors.map((t) => ({ name: t.name, type: null }));
  } else if (target.preset) {
    const plan = planGgufPreset(target.preset, tensors, model, target.pureType !== undefined);
    choices = plan.choices;
    summary = plan.summary;
  } else {
    choices = tensors.map((t) => (tensorAllowsQuantization(t) ? pureChoice(t, target.pureType!) : { name: t.name, type: null }));
    const n = choices.filter((c) => c.fallback).length;
    if (n) summary = `WARNING: ${n} of ${tensors.length} tensor(s) required fallback quantization`;
  }
  const types = choices.map((c, i) => c.type ?? keptType(tensors[i], target.float));
  const fallbacks = choices.flatMap((c, i) => (c.fallback ? [{ name: c.name, from: c.fallback.from, to: types[i], message: c.fallback.message }] : []));
  return { types, fallbacks, summary };
}
