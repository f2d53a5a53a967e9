// A format-neutral source of Hugging Face-named float weights for conversion: every tensor under
// its HF name (`model.layers.0.self_attn.q_proj.weight`), in HF orientation ([out, in] for
// Linear weights), read one tensor at a time as float32. safetensors, GGUF and ONNX models each
// produce one (safetensors-weights.ts, gguf-weights.ts, onnx-weights.ts).
import type { GgufMetadata } from '../../formats/gguf/gguf-value';

export type SourceFloatDtype = 'f32' | 'f16' | 'bf16';

export interface HfTensor {
  /** Hugging Face name. */
  name: string;
  /** HF shape, outermost first (Linear: [out, in]). */
  shape: number[];
  numel: number;
  /** The stored element type when it is a plain float, else undefined (quantized GGUF). */
  dtype?: SourceFloatDtype;
  /** The tensor's name in the source model (its ModelIndex entry). */
  source: string;
}

export interface HfWeightSource {
  format: 'safetensors' | 'gguf' | 'onnx';
  /** Tensors in the order a converter writes them. */
  tensors: HfTensor[];
  /** Values in HF order and orientation (a fresh array per call). */
  readFloats(name: string): Promise<Float32Array>;
  /**
   * A 2-D tensor's values transposed ([cols, rows], float32) straight from its stored bytes, where
   * the source can do that without a float32 copy in HF order between; undefined where it cannot.
   */
  readTransposed?(name: string): Promise<Float32Array | undefined>;
  /** A GGUF source's own metadata (llama.*, tokenizer.*): copied when re-encoding GGUF. */
  ggufMetadata?: GgufMetadata;
}

/** Names sorted as safetensors' `safe_open(...).keys()` lists them, the order llama.cpp's converter writes. */
export function byHfName(a: HfTensor, b: HfTensor): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
