// transformers.js model folders (its `dtype` option picks onnx/model_<suffix>.onnx): which name an
// ONNX plan's weights take, the generation_config.json and tokenizer_config.json a folder needs
// when the checkpoint had none, and the short model card that says how the file was made. The page's zip and the CLI's
// `--layout transformers.js` folder both use these, so they name files alike.
import { UsageError } from '../../core/errors';
import type { CompressionPlan } from '../../core/compression-plan';
import type { ModelIndex } from '../../core/model-index';
import { canonicalRecipe } from '../../core/recipe-id';

/** The transformers.js dtypes the studio writes, with their file names (transformers.js' DEFAULT_DTYPE_SUFFIX_MAPPING). */
export const TRANSFORMERS_JS_FILES = { fp32: 'model.onnx', fp16: 'model_fp16.onnx', q8: 'model_quantized.onnx', q4: 'model_q4.onnx', q4f16: 'model_q4f16.onnx' } as const;
export type TransformersJsDtype = keyof typeof TRANSFORMERS_JS_FILES;
const KNOWN = ['fp32', 'fp16', 'q8', 'q4', 'q4f16', 'int8', 'uint8', 'bnb4'];

/**
 * The dtype an ONNX plan's weights are, by transformers.js' names: MatMulNBits 4-bit → q4 (q4f16
 * in a float16 graph), 8-bit → q8, float16 weights → fp16, else fp32. `float16Graph`: the graph's
 * own weights and activations are float16. `requested` (--dtype) must agree; mixed or other
 * widths have no name there and are refused, saying why.
 */
export function transformersJsDtypeOf(plan: CompressionPlan, float16Graph: boolean, requested?: string): TransformersJsDtype {
  if (plan.format !== 'onnx') throw new UsageError(`a transformers.js folder holds ONNX files; this plan writes ${plan.format}`);
  if (requested !== undefined && !KNOWN.includes(requested)) throw new UsageError(`--dtype must be one of q4, q4f16, q8, fp16, fp32 (transformers.js' names), got "${requested}"`);
  const bits = new Set(plan.tensors.flatMap((t) => (t.encoding.kind === 'matmul-nbits' ? [t.encoding.bits] : [])));
  const f16 = float16Graph || plan.tensors.some((t) => t.encoding.kind === 'float' && t.encoding.dtype === 'F16' && t.role === 'matmul-weight');
  let dtype: TransformersJsDtype;
  if (bits.size > 1) throw new UsageError(`transformers.js names one weight width per file (q4 or q8); this recipe mixes ${[...bits].sort().join(' and ')}-bit weights: write a plain .onnx instead`);
  else if (bits.size === 1) {
    const [b] = bits;
    if (b !== 4 && b !== 8) throw new UsageError(`transformers.js has no dtype for ${b}-bit weights (q4 is 4-bit, q8 8-bit): use --bits 4 or 8, or write a plain .onnx`);
    dtype = b === 4 ? (f16 ? 'q4f16' : 'q4') : 'q8';
  } else dtype = f16 ? 'fp16' : 'fp32';
  if (requested !== undefined && requested !== dtype) {
    const hint = /f16/.test(requested) && !f16 ? ' (float16 needs a float16 graph: start from the checkpoint or GGUF, whose graph is then built in float16)' : '';
    throw new UsageError(`--dtype ${requested} does not match the recipe, whose weights are ${dtype}${hint}`);
  }
  return dtype;
}

/** Whether an ONNX model's own matmul weights are float16 (a float16 graph, as the builder writes with float16). */
export function isFloat16Graph(index: ModelIndex): boolean {
  return index.tensors.some((t) => t.role === 'matmul-weight' && t.dtype === 'f16');
}

/**
 * config.json of the folder: the model's own, plus — when the ONNX file keeps its tensors in
 * external data files — `transformers.js_config.use_external_data_format`, without which
 * transformers.js fetches no data file (it takes the count per file name: model_q4.onnx → 2
 * loads model_q4.onnx_data and model_q4.onnx_data_1).
 */
export function transformersJsConfigOf(config: Record<string, unknown>, onnxFileName: string, dataFiles: number): Record<string, unknown> {
  if (dataFiles === 0) return config;
  const own = (config['transformers.js_config'] ?? {}) as Record<string, unknown>;
  const formats = (typeof own.use_external_data_format === 'object' && own.use_external_data_format) || {};
  return { ...config, 'transformers.js_config': { ...own, use_external_data_format: { ...formats, [onnxFileName]: dataFiles } } };
}

/** generation_config.json from config.json's token ids, for checkpoints that came without one. */
export function generationConfigOf(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['bos_token_id', 'eos_token_id', 'pad_token_id']) if (config[key] !== undefined && config[key] !== null) out[key] = config[key];
  return out;
}

/**
 * tokenizer_config.json for a tokenizer.json that came without one: transformers.js reads the
 * tokenizer class from it (a fast tokenizer: everything else is in tokenizer.json).
 */
export function tokenizerConfigOf(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { tokenizer_class: 'PreTrainedTokenizerFast' };
  if (typeof config.max_position_embeddings === 'number') out.model_max_length = config.max_position_embeddings;
  return out;
}

export interface ModelCardFacts {
  /** The model's name (its folder), for the title. */
  name: string;
  /** The file the studio was given. */
  source: string;
  dtype: TransformersJsDtype;
  plan: CompressionPlan;
  bytes: number;
  /** Perplexity of the written file and how it was measured, when measured. */
  perplexity?: { ppl: number; windows: number; text: string };
}

/** README.md of the folder: what it is, how it was made (the recipe), what it measured. */
export function modelCard(f: ModelCardFacts): string {
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(2)} MiB`;
  const lines = [
    '---',
    'library_name: transformers.js',
    '---',
    '',
    `# ${f.name} (${f.dtype})`,
    '',
    `Made with Compression Studio from \`${f.source}\` (${mib(f.plan.inputBytes)}): \`onnx/${TRANSFORMERS_JS_FILES[f.dtype]}\`, ${mib(f.bytes)}` +
      (f.plan.bitsPerWeight > 0 ? `, ${f.plan.bitsPerWeight.toFixed(3)} bits per quantized weight.` : '.'),
    '',
    '```js',
    "import { pipeline } from '@huggingface/transformers';",
    `const generate = await pipeline('text-generation', './', { dtype: '${f.dtype}' });`,
    '```',
    '',
    '## Measured',
    '',
    f.perplexity
      ? `Perplexity ${f.perplexity.ppl.toFixed(4)} on ${f.perplexity.text} (${f.perplexity.windows} windows of 256 tokens, onnxruntime).`
      : 'Perplexity: not measured (no tokenizer.json was given).',
    '',
    '## Recipe',
    '',
    '```json',
    JSON.stringify(canonicalRecipe(f.plan.recipe), null, 2),
    '```',
    '',
  ];
  return lines.join('\n');
}
