// HF weights from a safetensors checkpoint: names and orientation are already Hugging Face's;
// values are decoded per tensor (F32/F16/BF16) by the safetensors reader, GPTQ-packed Linear
// weights dequantized to float32 under their `….weight` name. 16-bit weights are read transposed
// in one pass for ONNX's [in, out] MatMul operands (no float32 copy in HF order between).
import { UnsupportedModelError, UsageError } from '../../core/errors';
import { transposeHalves } from '../../core/weight-layout';
import type { SafetensorsCheckpoint } from '../../formats/safetensors/safetensors-checkpoint';
import { findGptqModules, readGptqModule } from '../../formats/safetensors/gptq-checkpoint';
import { readSafetensorsFloats, readSafetensorsTensor, safetensorsDtype } from '../../formats/safetensors/safetensors-reader';
import { byHfName, type HfTensor, type HfWeightSource, type SourceFloatDtype } from './weight-source';

export function safetensorsWeights(ckpt: SafetensorsCheckpoint): HfWeightSource {
  const { modules, plain } = findGptqModules(ckpt.tensors, ckpt.name);
  const byName = new Map(plain.map((t) => [t.name, t]));
  const gptq = new Map(modules.map((m) => [m.name, m]));
  const packed: HfTensor[] = modules.map((m) => ({ name: m.name, shape: [m.rows, m.cols], numel: m.rows * m.cols, source: m.name }));
  const tensors: HfTensor[] = plain.map((t) => {
    const dtype = safetensorsDtype(t.dtype);
    if (dtype !== 'f32' && dtype !== 'f16' && dtype !== 'bf16') {
      throw new UnsupportedModelError(`${ckpt.name}: tensor "${t.name}" is ${t.dtype}; conversion reads F32, F16 and BF16 checkpoints`, { dtype: t.dtype });
    }
    return { name: t.name, shape: [...t.shape], numel: t.numel, dtype: dtype as SourceFloatDtype, source: t.name };
  });
  return {
    format: 'safetensors',
    tensors: tensors.concat(packed).sort(byHfName),
    readFloats: async (name) => {
      const m = gptq.get(name);
      if (m) return readGptqModule(m);
      const t = byName.get(name);
      if (!t) throw new UsageError(`${ckpt.name} has no tensor named "${name}"`);
      return readSafetensorsFloats(t.file, t);
    },
    readTransposed: async (name) => {
      const t = byName.get(name);
      const dtype = t && safetensorsDtype(t.dtype);
      if (!t || t.shape.length !== 2 || (dtype !== 'f16' && dtype !== 'bf16')) return undefined;
      return transposeHalves(await readSafetensorsTensor(t.file, t), dtype, t.shape[0], t.shape[1]);
    },
  };
}
