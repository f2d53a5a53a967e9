// The CLI's older flags as recipes (issue: "the existing quantize flags become a shorthand"):
// `quantize --bits/--block/--per-channel/--sym/--include/--exclude` and `convert --type/--pure/
// --dtype`. Flag mistakes are usage errors raised before any file is read.
import { UsageError } from '../../core/errors';
import {
  DEFAULT_CALIBRATION, GGUF_MIX_PRESETS, GGUF_PURE_PRESETS, RECIPE_DTYPES, RECIPE_VERSION, RTN_BITS, RTN_GROUP_SIZES,
  type GgufPresetName, type Recipe, type RecipeDtype, type RtnBits, type RtnGroupSize, type RtnQuantize,
} from '../../core/recipe';
import { MLP_PROJECTIONS, OUTPUT_HEAD_PATTERN, selectionRules, type TensorSelection } from '../../core/tensor-selection';
import { parseRecipe } from './parse-recipe';
import { compileMatch } from '../../core/rule-match';

const list = (values: readonly (string | number)[]) => values.join(', ').replace(/, ([^,]+)$/, ' or $1');

export interface RtnFlags {
  bits?: string;
  block?: string;
  perChannel: boolean;
  sym: boolean;
}

export function rtnSpecFromFlags(args: RtnFlags): RtnQuantize {
  if (args.bits === undefined) throw new UsageError(`--bits is required (${list(RTN_BITS)})`);
  const bits = Number(args.bits);
  if (!(RTN_BITS as readonly number[]).includes(bits)) throw new UsageError(`--bits must be ${list(RTN_BITS)}, got "${args.bits}"`);
  if (args.block !== undefined && args.perChannel) throw new UsageError('give either --block N or --per-channel, not both');
  let group: RtnGroupSize = 32;
  if (args.perChannel) group = 'per-channel';
  else if (args.block !== undefined) {
    const b = Number(args.block);
    if (!(RTN_GROUP_SIZES as readonly number[]).includes(b)) throw new UsageError(`--block must be one of ${RTN_GROUP_SIZES.join(', ')}, got "${args.block}"`);
    group = b as RtnGroupSize;
  }
  return { method: 'rtn', bits: bits as RtnBits, group, symmetric: args.sym };
}

/** The selection of --include/--exclude; bad regular expressions are usage errors. */
export function selectionFromFlags(args: { include?: string; exclude?: string }): TensorSelection {
  for (const [flag, value] of [['--include', args.include], ['--exclude', args.exclude]] as const) {
    if (value === undefined) continue;
    try {
      compileMatch(value, 0);
    } catch (e) {
      throw new UsageError(`${flag} is not a valid regular expression: ${(e as Error).message.replace(/^.*regular expression: /, '')}`);
    }
  }
  return args.include !== undefined || args.exclude !== undefined ? { kind: 'custom', include: args.include, exclude: args.exclude } : { kind: 'all-matmuls' };
}

/** How calibrated shorthands calibrate: --calib FILE, --calib-windows N, --calib-once. */
export interface CalibrationFlags {
  calib?: string;
  calibWindows?: string;
  /** One calibration pass on the original model instead of one per layer. */
  calibOnce?: boolean;
}

function calibrationOf(args: CalibrationFlags): Record<string, unknown> {
  const windows = args.calibWindows === undefined ? DEFAULT_CALIBRATION.windows : Number(args.calibWindows);
  return { text: args.calib ?? DEFAULT_CALIBRATION.text, windows, sequential: !args.calibOnce };
}

const hasCalibrationFlags = (args: CalibrationFlags) => args.calib !== undefined || args.calibWindows !== undefined || Boolean(args.calibOnce);

/** A shorthand's recipe through the parser, its messages said as the flags that set the fields. */
function parsedAsFlags(raw: Record<string, unknown>, flags: Record<string, string>): Recipe {
  try {
    return parseRecipe(raw);
  } catch (e) {
    const field = (e as { details?: { field?: string } }).details?.field;
    const flag = field ? { ...flags, 'calibration.windows': '--calib-windows' }[field] : undefined;
    throw new UsageError(flag ? `${flag}: ${(e as Error).message.replace(/^rule \d+: /, '')}` : (e as Error).message);
  }
}

export interface QuantizeFlags extends RtnFlags, CalibrationFlags {
  /** rtn (default), gptq, awq or hqq. */
  method?: string;
  /** gptq / awq on a llama.cpp block type instead of --bits/--block/--sym (GGUF output). */
  type?: string;
  actOrder?: boolean;
  /** hqq: float (default below 8 bits) or integer. */
  zeroPoint?: string;
  include?: string;
  exclude?: string;
}

/** `quantize` flags → the recipe they mean (gptq: the same grid, calibrated first). */
export function quantizeRecipe(args: QuantizeFlags): Recipe {
  const method = args.method ?? 'rtn';
  if (method !== 'rtn' && method !== 'gptq' && method !== 'awq' && method !== 'hqq') throw new UsageError(`--method must be rtn, gptq, awq or hqq, got "${method}"`);
  if (method !== 'gptq' && args.actOrder) throw new UsageError('--act-order goes with --method gptq');
  if (method !== 'gptq' && method !== 'awq' && hasCalibrationFlags(args)) throw new UsageError(`--calib* go with --method gptq or awq (${method} needs no calibration)`);
  if (method !== 'hqq' && args.zeroPoint !== undefined) throw new UsageError('--zero-point goes with --method hqq');
  if (method === 'hqq') return hqqRecipe(args);
  if (args.type !== undefined) return blockTypeRecipe(method, args);
  const grid = rtnSpecFromFlags(args);
  if (method === 'rtn') return { recipe: RECIPE_VERSION, rules: selectionRules(selectionFromFlags(args), { quantize: grid }) };
  const quantize = method === 'awq' ? awqSpecFromFlags(args) : { ...grid, method: 'gptq', ...(args.actOrder ? { actOrder: true } : {}) };
  // GPTQ and AWQ calibrate each weight's input: embeddings (no input) are kept.
  const rules = selectionRules(selectionFromFlags(args), { quantize: grid }).map((r) => (r.quantize ? { ...r, role: 'matmul-weight', quantize } : r));
  return parsedAsFlags({ recipe: RECIPE_VERSION, calibration: calibrationOf(args), rules }, {});
}

/** `quantize --method gptq|awq --type Q4_K`: the method on a llama.cpp block type, every matmul weight the flags select. */
function blockTypeRecipe(method: string, args: QuantizeFlags): Recipe {
  if (method !== 'gptq' && method !== 'awq') throw new UsageError(`--type goes with --method gptq or awq (for a plain llama.cpp type use \`studio convert --type\`)`);
  const grid = [args.bits !== undefined && '--bits', args.block !== undefined && '--block', args.perChannel && '--per-channel', args.sym && '--sym'].filter(Boolean);
  if (grid.length) throw new UsageError(`${grid.join(', ')} do${grid.length === 1 ? 'es' : ''} not go with --type (the llama.cpp type is the grid)`);
  const quantize = { method, type: args.type, ...(args.actOrder ? { actOrder: true } : {}) };
  const rules = selectionRules(selectionFromFlags(args), { quantize: { method: 'rtn', bits: 4, group: 32, symmetric: false } }).map((r) => (r.quantize ? { ...r, role: 'matmul-weight', quantize } : r));
  return parsedAsFlags({ recipe: RECIPE_VERSION, calibration: calibrationOf(args), rules }, { 'quantize.type': '--type' });
}

/** `quantize --method awq`: AWQ's own group default (128) unless --block/--per-channel say otherwise. */
function awqSpecFromFlags(args: QuantizeFlags): Record<string, unknown> {
  const { bits, group, symmetric } = rtnSpecFromFlags({ ...args, block: args.block ?? (args.perChannel ? undefined : '128') });
  return { method: 'awq', bits, group, symmetric };
}

/** `quantize --method hqq`: HQQ's own group default (64) unless --block/--per-channel say otherwise; no --sym (its grid is asymmetric). */
function hqqRecipe(args: QuantizeFlags): Recipe {
  if (args.sym) throw new UsageError('--sym does not go with --method hqq (HQQ optimises the zero point of an asymmetric grid)');
  const { bits, group } = rtnSpecFromFlags({ ...args, block: args.block ?? (args.perChannel ? undefined : '64') });
  const quantize = { method: 'hqq', bits, group, ...(args.zeroPoint !== undefined ? { zeroPoint: args.zeroPoint } : {}) };
  const rules = selectionRules(selectionFromFlags(args), { quantize: { method: 'rtn', bits, group, symmetric: false } }).map((r) => (r.quantize ? { ...r, quantize } : r));
  return parsedAsFlags({ recipe: RECIPE_VERSION, rules }, { 'quantize.zeroPoint': '--zero-point' });
}

const FLOAT_TYPES: Record<string, RecipeDtype> = { F32: 'f32', F16: 'f16', BF16: 'bf16' };
/** Every --type value, for help and messages. */
export const GGUF_TYPE_NAMES: readonly string[] = [...Object.keys(FLOAT_TYPES), ...GGUF_MIX_PRESETS, ...GGUF_PURE_PRESETS.map((n) => `${n} (--pure)`)];

/** `convert --type T [--pure]` (GGUF) → a float conversion or a llama.cpp preset. */
export function ggufTypeRecipe(type: string, pure: boolean): Recipe {
  const upper = type.toUpperCase();
  if (upper in FLOAT_TYPES) return { recipe: RECIPE_VERSION, dtype: FLOAT_TYPES[upper], rules: [] };
  if ((GGUF_MIX_PRESETS as readonly string[]).includes(upper)) {
    return { recipe: RECIPE_VERSION, preset: upper as GgufPresetName, ...(pure ? { pure: true } : {}), rules: [] };
  }
  if ((GGUF_PURE_PRESETS as readonly string[]).includes(upper)) {
    if (!pure) throw new UsageError(`--type ${type} is only available with --pure (the studio has no ${type} mix)`);
    return { recipe: RECIPE_VERSION, preset: upper as GgufPresetName, rules: [] };
  }
  throw new UsageError(`--type must be one of ${GGUF_TYPE_NAMES.join(', ')}; got "${type}"`);
}

/** `convert --dtype D` (safetensors) → a float conversion. */
export function dtypeRecipe(dtype: string | undefined): Recipe {
  if (dtype === undefined) return { recipe: RECIPE_VERSION, rules: [] };
  const d = dtype.toLowerCase();
  if (!(RECIPE_DTYPES as readonly string[]).includes(d)) throw new UsageError(`--dtype must be ${RECIPE_DTYPES.join(', ')}; got "${dtype}"`);
  return { recipe: RECIPE_VERSION, dtype: d as RecipeDtype, rules: [] };
}

export interface PruneFlags extends CalibrationFlags {
  method?: string;
  sparsity?: string;
  pattern?: string;
  thenBits?: string;
  block?: string;
}

/**
 * `prune` flags → their recipe: every matmul weight but the output head (as Wanda and SparseGPT
 * prune) with the method, then optionally rtn; checked by the recipe parser, whose messages name
 * the field — here said as the flag.
 */
export function pruneRecipe(args: PruneFlags): Recipe {
  if (!args.method) throw new UsageError('--method is required (magnitude, wanda, sparsegpt or channels)');
  if ((args.sparsity === undefined) === (args.pattern === undefined)) throw new UsageError('give either --sparsity S (e.g. 0.5) or --pattern 2:4');
  if (args.method === 'channels' && args.pattern !== undefined) throw new UsageError('--method channels removes a fraction of each MLP\'s channels: give --sparsity S, not --pattern');
  if (args.block !== undefined && args.thenBits === undefined) throw new UsageError('--block goes with --then-bits');
  const prune: Record<string, unknown> = { method: args.method };
  if (args.sparsity !== undefined) prune.sparsity = Number(args.sparsity);
  if (args.pattern !== undefined) prune.pattern = args.pattern;
  // Channel pruning takes each MLP's three projections together; the others every matmul weight.
  const rule: Record<string, unknown> = args.method === 'channels' ? { match: MLP_PROJECTIONS, prune } : { match: '.*', role: 'matmul-weight', prune };
  if (args.thenBits !== undefined) rule.quantize = rtnSpecFromFlags({ bits: args.thenBits, block: args.block, perChannel: false, sym: false });
  const raw: Record<string, unknown> = { recipe: RECIPE_VERSION, rules: [{ match: OUTPUT_HEAD_PATTERN, keep: true }, rule] };
  if (args.method !== 'magnitude' || hasCalibrationFlags(args)) raw.calibration = calibrationOf(args);
  return parsedAsFlags(raw, { 'prune.method': '--method', 'prune.sparsity': '--sparsity', 'prune.pattern': '--pattern' });
}
