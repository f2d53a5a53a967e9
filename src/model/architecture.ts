// Architecture guess from layer names and op types (format-neutral). 'llama' covers the
// Llama family layout (self_attn.q_proj, mlp.gate_proj, RMS norm); anything else is 'unknown'.

export interface ArchitectureHints {
  /** Readable layer names of the weights. */
  layers: string[];
  /** Op types in the graph (ONNX), if any. */
  opTypes?: ReadonlySet<string>;
  /** Tensor names (safetensors/GGUF keys carry the same module paths). */
  tensorNames?: string[];
}

const RMS_OPS = ['SimplifiedLayerNormalization', 'SkipSimplifiedLayerNormalization', 'RMSNormalization'];

/** True when the graph normalizes with RMS norm: a fused op, or ReduceMean of a Pow without a mean subtraction. */
function hasRmsNorm(ops: ReadonlySet<string> | undefined, names: string[]): boolean {
  if (!ops) return names.some((n) => /(^|\.)(input_layernorm|post_attention_layernorm|rms_norm)(\.|$)/.test(n));
  if (RMS_OPS.some((op) => ops.has(op))) return true;
  return ops.has('ReduceMean') && ops.has('Pow') && !ops.has('LayerNormalization');
}

export function guessArchitecture(h: ArchitectureHints): string {
  const names = [...h.layers, ...(h.tensorNames ?? [])];
  const has = (re: RegExp) => names.some((n) => re.test(n));
  const llamaAttention = has(/self_attn[./]q_proj/) && has(/self_attn[./]o_proj/);
  const llamaMlp = has(/mlp[./]gate_proj/) && has(/mlp[./]down_proj/);
  if (llamaAttention && llamaMlp && hasRmsNorm(h.opTypes, names)) return 'llama';
  return 'unknown';
}
