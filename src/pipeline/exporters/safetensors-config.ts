// config.json beside a written safetensors checkpoint: `dtype` / `torch_dtype` say the output's
// float type where the source config had them, and `intermediate_size` the MLP width after channel
// pruning (transformers builds the narrower MLP from it).
import type { CompressionPlan } from '../../core/compression-plan';
import type { RecipeDtype } from '../../core/recipe';

const TORCH: Record<RecipeDtype, string> = { f16: 'float16', bf16: 'bfloat16', f32: 'float32' };

export function checkpointConfig(config: Record<string, unknown>, dtype: RecipeDtype | undefined, mlpWidth?: CompressionPlan['mlpWidth']): Record<string, unknown> {
  if (!dtype && !mlpWidth) return config;
  const out = { ...config };
  if (dtype) for (const key of ['dtype', 'torch_dtype']) if (key in out) out[key] = TORCH[dtype];
  if (mlpWidth) out.intermediate_size = mlpWidth.to;
  return out;
}
