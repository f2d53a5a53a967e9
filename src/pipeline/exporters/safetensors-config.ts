// config.json beside a written safetensors checkpoint: `dtype` / `torch_dtype` say the output's
// float type where the source config had them.
import type { RecipeDtype } from '../../core/recipe';

const TORCH: Record<RecipeDtype, string> = { f16: 'float16', bf16: 'bfloat16', f32: 'float32' };

export function configForDtype(config: Record<string, unknown>, dtype: RecipeDtype | undefined): Record<string, unknown> {
  if (!dtype) return config;
  const out = { ...config };
  for (const key of ['dtype', 'torch_dtype']) if (key in out) out[key] = TORCH[dtype];
  return out;
}
