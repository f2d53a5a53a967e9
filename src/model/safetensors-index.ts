// safetensors checkpoint → ModelIndex: architecture from config.json (llama, mistral, qwen2, …),
// roles from Hugging Face module names, and the PyTorch Linear layout [out, in] (row-major, so
// rowStride = cols). Layer names are the HF module paths, as in the GGUF index. A GPTQ-packed
// Linear (qweight/qzeros/scales/g_idx) is one `….weight` [out, in] of dtype `gptq4` (its bits),
// read dequantized to float32; its byteLength is what the four stored tensors take.
import { findGptqModules, gptqDtype } from '../formats/safetensors/gptq-checkpoint';
import type { SafetensorsCheckpoint } from '../formats/safetensors/safetensors-checkpoint';
import { safetensorsDtype } from '../formats/safetensors/safetensors-reader';
import type { ModelIndex, TensorInfo, TensorRole } from '../core/model-index';
import { summarizeTensors } from '../core/model-index';
import { layerNameOfHf } from './llama-names';

/** Model types whose checkpoints use the Llama tensor names and [out, in] Linear weights. */
export const LLAMA_FAMILY = ['llama', 'mistral', 'qwen2'] as const;

const ARCH_BY_CLASS: Record<string, string> = {
  LlamaForCausalLM: 'llama',
  MistralForCausalLM: 'mistral',
  Qwen2ForCausalLM: 'qwen2',
};

/** 'llama', 'mistral', 'qwen2', another config `model_type`, or 'unknown'. */
export function hfArchitecture(config: Record<string, unknown> | undefined): string {
  if (!config) return 'unknown';
  if (typeof config.model_type === 'string' && config.model_type) return config.model_type;
  const classes = config.architectures;
  if (Array.isArray(classes) && typeof classes[0] === 'string') return ARCH_BY_CLASS[classes[0]] ?? 'unknown';
  return 'unknown';
}

export function hfTensorRole(name: string, shape: readonly number[]): TensorRole {
  if (/(^|\.)embed_tokens\.weight$|(^|\.)wte\.weight$/.test(name)) return 'embedding';
  if (name.endsWith('.bias')) return 'bias';
  if (/(norm|layernorm|ln_f|ln_\d)\.weight$/.test(name)) return 'norm';
  if (shape.length === 2 && name.endsWith('.weight')) return 'matmul-weight';
  return 'other';
}

export function safetensorsModelIndex(checkpoint: SafetensorsCheckpoint): ModelIndex {
  const { modules, plain } = findGptqModules(checkpoint.tensors, checkpoint.name);
  const packed: TensorInfo[] = modules.map((m) => ({
    name: m.name,
    layer: layerNameOfHf(m.name),
    role: 'matmul-weight',
    dtype: gptqDtype(m.bits),
    shape: [m.rows, m.cols],
    numel: m.rows * m.cols,
    byteLength: m.byteLength,
    layout: { rows: m.rows, cols: m.cols, rowStride: m.cols, colStride: 1 },
  }));
  const tensors: TensorInfo[] = plain.map((t) => {
    const role = hfTensorRole(t.name, t.shape);
    const info: TensorInfo = {
      name: t.name,
      layer: layerNameOfHf(t.name),
      role,
      dtype: safetensorsDtype(t.dtype),
      shape: t.shape,
      numel: t.numel,
      byteLength: t.byteLength,
    };
    if ((role === 'matmul-weight' || role === 'embedding') && t.shape.length === 2) {
      const [rows, cols] = t.shape;
      info.layout = { rows, cols, rowStride: cols, colStride: 1 };
    }
    return info;
  }).concat(packed);
  return {
    format: 'safetensors',
    fileName: checkpoint.name,
    fileBytes: checkpoint.fileBytes,
    architecture: hfArchitecture(checkpoint.config),
    tensors,
    ...summarizeTensors(tensors),
  };
}
