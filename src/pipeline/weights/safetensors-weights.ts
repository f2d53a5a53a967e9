// HF weights from a safetensors checkpoint: names and orientation are already Hugging Face's;
// values are decoded per tensor (F32/F16/BF16) by the safetensors reader.
import { UnsupportedModelError, UsageError } from '../../core/errors';
import type { SafetensorsCheckpoint } from '../../formats/safetensors/safetensors-checkpoint';
import { readSafetensorsFloats, safetensorsDtype } from '../../formats/safetensors/safetensors-reader';
import { byHfName, type HfTensor, type HfWeightSource, type SourceFloatDtype } from './weight-source';

export function safetensorsWeights(ckpt: SafetensorsCheckpoint): HfWeightSource {
  const byName = new Map(ckpt.tensors.map((t) => [t.name, t]));
  const tensors: HfTensor[] = ckpt.tensors.map((t) => {
    const dtype = safetensorsDtype(t.dtype);
    if (dtype !== 'f32' && dtype !== 'f16' && dtype !== 'bf16') {
      throw new UnsupportedModelError(`${ckpt.name}: tensor "${t.name}" is ${t.dtype}; conversion reads F32, F16 and BF16 checkpoints`, { dtype: t.dtype });
    }
    return { name: t.name, shape: [...t.shape], numel: t.numel, dtype: dtype as SourceFloatDtype, source: t.name };
  });
  return {
    format: 'safetensors',
    tensors: tensors.sort(byHfName),
    readFloats: async (name) => {
      const t = byName.get(name);
      if (!t) throw new UsageError(`${ckpt.name} has no tensor named "${name}"`);
      return readSafetensorsFloats(t.file, t);
    },
  };
}
