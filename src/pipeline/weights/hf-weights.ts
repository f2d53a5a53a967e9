// The HF weight source of an opened model, whatever its format (ONNX, GGUF, safetensors).
import { UnsupportedModelError } from '../../core/errors';
import type { OpenedModel } from '../open-model';
import { ggufWeights, type GgmlDequantizer } from './gguf-weights';
import { onnxWeights } from './onnx-weights';
import { safetensorsWeights } from './safetensors-weights';
import type { HfWeightSource } from './weight-source';

/**
 * `config` is needed for ONNX only (tie_word_embeddings decides whether lm_head is a copy);
 * `dequantize` decodes quantized GGUF tensors (default: the CPU references).
 */
export function hfWeightSource(model: OpenedModel, config?: Record<string, unknown>, dequantize?: GgmlDequantizer): HfWeightSource {
  if (model.onnx) return onnxWeights(model.onnx, model.index, config);
  if (model.gguf) return ggufWeights(model.gguf, dequantize);
  if (model.safetensors) return safetensorsWeights(model.safetensors);
  throw new UnsupportedModelError(`${model.index.fileName}: ${model.index.format} models cannot be converted`);
}
