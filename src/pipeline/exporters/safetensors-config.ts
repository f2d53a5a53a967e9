// config.json beside a written safetensors checkpoint: `dtype` / `torch_dtype` say the output's
// float type where the source config had them, `intermediate_size` the MLP width after channel
// pruning (transformers builds the narrower MLP from it), and `quantization_config` how the
// GPTQ-packed Linear weights are stored (docs/FORMATS.md §6.1): the most common bits/group/sym as
// the model's setting, GPTQModel's `dynamic` overrides ("+:module": its own setting, "-:module":
// not quantized) for the Linear weights of the decoder layers that differ.
import type { CompressionPlan, TensorPlan } from '../../core/compression-plan';
import type { RecipeDtype } from '../../core/recipe';

const TORCH: Record<RecipeDtype, string> = { f16: 'float16', bf16: 'bfloat16', f32: 'float32' };

/** Whether a module (`model.layers.3.mlp.up_proj`) sits in a decoder layer: GPTQ checkpoints quantize those Linear weights only. */
export const inDecoderLayer = (module: string): boolean => /^model\.layers\.\d+\./.test(module);

type PlanForConfig = Pick<CompressionPlan, 'recipe' | 'mlpWidth' | 'tensors' | 'calibration'>;

export function checkpointConfig(config: Record<string, unknown>, plan: PlanForConfig): Record<string, unknown> {
  const dtype = plan.recipe.dtype;
  const quantization = gptqQuantizationConfig(plan);
  if (!dtype && !plan.mlpWidth && !quantization) return config;
  const out = { ...config };
  if (dtype) for (const key of ['dtype', 'torch_dtype']) if (key in out) out[key] = TORCH[dtype];
  if (plan.mlpWidth) out.intermediate_size = plan.mlpWidth.to;
  if (quantization) out.quantization_config = quantization;
  return out;
}

interface GptqSetting {
  bits: number;
  group_size: number;
  sym: boolean;
}

/** A packed weight's setting as its rule said it (per-channel is GPTQ's −1: one group over K). */
function settingOf(t: TensorPlan): GptqSetting | undefined {
  const e = t.encoding;
  if (e.kind !== 'gptq-packed') return undefined;
  const group = t.action.kind === 'quantize' && 'group' in t.action.spec ? t.action.spec.group : e.groupSize;
  return { bits: e.bits, group_size: group === 'per-channel' ? -1 : e.groupSize, sym: e.symmetric };
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** transformers' `quantization_config` for the plan's GPTQ-packed weights, or undefined when there are none. */
export function gptqQuantizationConfig(plan: PlanForConfig): Record<string, unknown> | undefined {
  const linears = plan.tensors.filter((t) => t.role === 'matmul-weight' && inDecoderLayer(t.layer));
  const settings = new Map(linears.map((t) => [t, settingOf(t)]));
  const counts = new Map<string, { setting: GptqSetting; n: number }>();
  for (const s of settings.values()) {
    if (!s) continue;
    const key = JSON.stringify(s);
    counts.set(key, { setting: s, n: (counts.get(key)?.n ?? 0) + 1 });
  }
  if (counts.size === 0) return undefined;
  const base = [...counts.values()].sort((a, b) => b.n - a.n)[0].setting;
  const dynamic: Record<string, Partial<GptqSetting>> = {};
  for (const [t, s] of settings) {
    const module = `^${escapeRegex(t.layer)}$`;
    if (!s) dynamic[`-:${module}`] = {};
    else if (JSON.stringify(s) !== JSON.stringify(base)) dynamic[`+:${module}`] = s;
  }
  const gptq = plan.tensors.map((t) => (t.action.kind === 'quantize' && t.action.spec.method === 'gptq' ? t.action.spec : undefined)).find((s) => s !== undefined);
  return {
    quant_method: 'gptq',
    checkpoint_format: 'gptq',
    ...base,
    desc_act: false, // act-order runs fix the groups first: g_idx is ⌊k/group⌋, no reordering to undo
    static_groups: false,
    true_sequential: plan.calibration?.sequential ?? false,
    ...(gptq ? { damp_percent: gptq.damping } : {}),
    ...(Object.keys(dynamic).length ? { dynamic } : {}),
    meta: { quantizer: ['compression-studio'] },
  };
}
