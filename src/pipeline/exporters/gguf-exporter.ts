// GGUF output that llama.cpp loads (docs/FORMATS.md §4): the model's tensors under llama.cpp's
// names in its converter's order, q/k rows permuted, each written in the ggml type its plan entry
// says — block types from the ggml method (bit for bit llama-quantize's), kept weights as floats
// (or, from a quantized GGUF source, their own bytes), norms and 1-D tensors F32 as llama.cpp's
// converter writes them — with the recipe and the studio's version in the metadata.
import type { GgmlBlockTensor } from '../../core/compressed-tensor';
import type { CompressionPlan, TensorEncoding, TensorPlan } from '../../core/compression-plan';
import { MissingFileError, RecipeError, UnsupportedModelError } from '../../core/errors';
import { ggmlTensorBytes, ggmlTypeByName } from '../../core/ggml-types';
import type { TensorInfo } from '../../core/model-index';
import { quantizeLabel, type Recipe } from '../../core/recipe';
import { ggufFileBytes, type GgufTensorToWrite, writeGguf } from '../../formats/gguf/gguf-writer';
import { gguf, type GgufMetadata } from '../../formats/gguf/gguf-value';
import { ggufArchOf } from '../../formats/gguf/llama-metadata';
import { permuteQkRows } from '../../model/llama-names';
import { dequantizeCompressed } from '../../quant/dequantize-compressed';
import { quantizeGgmlRef } from '../../quant/ggml/ggml-codec';
import { methodOf } from '../methods/registry';
import type { OpenedModel } from '../open-model';
import { presetRules } from '../recipe/preset-rules';
import { hfWeightSource } from '../weights/hf-weights';
import type { GgmlDequantizer } from '../weights/gguf-weights';
import type { Exporter, ExportContext, ExportTarget } from './exporter';
import { ggufFileType } from './gguf-file-type';
import { ggufLayout, type GgufLayoutTensor } from './gguf-layout';
import { provenanceMetadata } from './provenance';

const FLOAT_NAMES = { f32: 'F32', f16: 'F16', bf16: 'BF16' } as const;
const isCompressible = (t: TensorInfo | undefined) => !!t?.layout && (t.role === 'matmul-weight' || t.role === 'embedding');

/** llama.cpp's converter keeps 1-D tensors and norms in F32; other tensors no rule sees keep their float type. */
function uncompressedType(lt: GgufLayoutTensor, recipe: Recipe): string | null {
  if (lt.shape.length < 2 || lt.name.endsWith('_norm.weight')) return 'F32';
  if (recipe.dtype) return FLOAT_NAMES[recipe.dtype];
  return lt.hf.dtype ? FLOAT_NAMES[lt.hf.dtype] : null;
}

export interface GgufExportContext extends ExportContext {
  /** Decodes a quantized GGUF source's kept tensors (default: the CPU references). */
  dequantize?: GgmlDequantizer;
}

function prepare(model: OpenedModel, recipe: Recipe, context: GgufExportContext): ExportTarget {
  if (!model.gguf && (!context.config || context.tokenizer === undefined)) {
    const missing = context.config ? 'tokenizer.json' : 'config.json';
    throw new MissingFileError(`GGUF output from ${model.index.format === 'onnx' ? 'an ONNX' : 'a safetensors'} model needs its config.json and tokenizer.json (${missing} is missing): give them with the model`, missing);
  }
  const source = hfWeightSource(model, context.config, context.dequantize);
  const layout = ggufLayout(source, { config: context.config, tokenizer: context.tokenizer, tokenizerConfig: context.tokenizerConfig, name: context.modelName });
  const index = new Map(model.index.tensors.map((t) => [t.name, t]));
  const bySource = new Map(layout.tensors.map((lt) => [lt.hf.source, lt]));
  const embedding = layout.tensors.find((lt) => lt.name === 'token_embd.weight')?.hf.source;

  /**
   * How each layout tensor is written for a plan: its ggml type, and whether its bytes are the
   * method's result, the source's own bytes (a quantized GGUF tensor kept), or floats re-encoded.
   */
  const writeOf = (lt: GgufLayoutTensor, entry: TensorPlan | undefined): { type: string; from: 'result' | 'result-floats' | 'source' | 'floats' } => {
    const e = entry?.encoding;
    if (e?.kind === 'ggml') return { type: e.type, from: 'result' };
    if (e?.kind === 'float') return { type: e.dtype, from: entry!.action.kind === 'keep' ? 'floats' : 'result-floats' };
    const type = e?.kind === 'copy' ? null : uncompressedType(lt, recipe);
    return type ? { type, from: 'floats' } : { type: String(index.get(lt.hf.source)!.dtype), from: 'source' };
  };
  const entries = (plan: CompressionPlan) => new Map(plan.tensors.map((t) => [t.name, t]));
  const metadata = (plan: CompressionPlan, types: { type: string; shape: readonly number[] }[]): GgufMetadata => {
    const m: GgufMetadata = new Map(layout.metadata);
    m.set('general.file_type', gguf.u32(ggufFileType(recipe.preset, types)));
    // Channel pruning narrowed every MLP: llama.cpp builds its feed-forward tensors from this.
    if (plan.mlpWidth) m.set(`${ggufArchOf(m)}.feed_forward_length`, gguf.u32(plan.mlpWidth.to));
    for (const [k, v] of Object.entries(provenanceMetadata(plan.recipe))) m.set(k, gguf.string(v));
    return m;
  };
  const tensorsToWrite = (plan: CompressionPlan, data: (lt: GgufLayoutTensor, how: ReturnType<typeof writeOf>) => Promise<Uint8Array>): GgufTensorToWrite[] => {
    const byName = entries(plan);
    const extras = layout.extras.map((x) => ({ name: x.name, shape: [x.values.length], type: 'F32', data: async () => quantizeGgmlRef('F32', x.values) }));
    return [...extras, ...layout.tensors.map((lt) => {
      const entry = byName.get(lt.hf.source);
      const how = writeOf(lt, entry);
      // HF order [out, in]: a channel-pruned MLP projection is written at its new size.
      const shape = entry?.channels ? [entry.rows, entry.cols] : lt.shape;
      return { name: lt.name, shape, type: how.type, data: () => data(lt, how) };
    })];
  };

  return {
    format: 'gguf',
    presetRules(r) {
      const candidates = layout.tensors.map((lt) => {
        const t = index.get(lt.hf.source);
        return { name: lt.name, shape: lt.shape, source: isCompressible(t) ? { name: t!.name, layer: t!.layer } : undefined };
      });
      return presetRules(r, candidates, layout.model);
    },

    encode(tensor, action, rule): TensorEncoding {
      const lt = bySource.get(tensor.name);
      if (!lt) {
        if (layout.tied && embedding && tensor.layer === 'lm_head') return { kind: 'tied', to: embedding };
        throw new UnsupportedModelError(`${tensor.layer} (${tensor.name}) has no place in a llama GGUF`);
      }
      if (action.kind === 'keep') {
        if (recipe.dtype) return { kind: 'float', dtype: FLOAT_NAMES[recipe.dtype], dequantized: false };
        return lt.hf.dtype ? { kind: 'float', dtype: FLOAT_NAMES[lt.hf.dtype], dequantized: false } : { kind: 'copy' };
      }
      if (action.kind === 'prune') return { kind: 'float', dtype: FLOAT_NAMES[recipe.dtype ?? lt.hf.dtype ?? 'f32'], dequantized: false };
      // A norm with AWQ scales folded in: F32, as llama.cpp's converter keeps norms.
      if (action.kind === 'fold') return { kind: 'float', dtype: 'F32', dequantized: false };
      const geometry = methodOf(action.spec).geometry(action.spec, tensor.layout!.cols);
      if (geometry.kind !== 'ggml') {
        throw new RecipeError(
          `rule ${rule} (${quantizeLabel(action.spec)}) cannot be written to GGUF: GGUF holds llama.cpp block types; use method "ggml" with a type such as Q4_0 or Q4_K (or "gptq" / "awq" with a "type" to solve on it), or a "preset"`,
          { rule: rule ?? undefined, field: 'quantize.method', tensor: tensor.name },
        );
      }
      return { kind: 'ggml', type: geometry.type };
    },

    tensorBytes(tensor, e) {
      if (e.kind === 'tied') return 0;
      if (e.kind === 'ggml' || e.kind === 'float') return ggmlTensorBytes(ggmlTypeByName(e.kind === 'ggml' ? e.type : e.dtype)!, tensor.numel);
      return tensor.byteLength;
    },

    planNotes: () => [],

    async fileBytes(plan) {
      const tensors = tensorsToWrite(plan, async () => new Uint8Array(0));
      return ggufFileBytes(metadata(plan, tensors), tensors);
    },

    outputTensors: (plan) => tensorsToWrite(plan, async () => new Uint8Array(0)).map((t) => ({ name: t.name, type: t.type, shape: t.shape })),

    order(plan) {
      const byName = entries(plan);
      return layout.tensors.map((lt) => lt.hf.source).filter((n) => byName.get(n) !== undefined && byName.get(n)!.action.kind !== 'keep');
    },

    async write(plan, results, openSink) {
      const tensors = tensorsToWrite(plan, async (lt, how) => {
        if (how.from === 'result') {
          // Blocks never cross rows: permuting encoded rows equals encoding permuted rows.
          const r = (await results(lt.hf.source)) as GgmlBlockTensor;
          return lt.permuteHeads ? permuteQkRows(r.bytes, r.rows, r.bytes.byteLength / r.rows, lt.permuteHeads) : r.bytes;
        }
        if (how.from === 'source') return model.readTensor(lt.hf.source);
        let values = how.from === 'result-floats' ? dequantizeCompressed(await results(lt.hf.source)) : await source.readFloats(lt.hf.name);
        if (lt.permuteHeads) {
          const rows = lt.shape[0];
          values = permuteQkRows(values, rows, lt.hf.numel / rows, lt.permuteHeads);
        }
        return quantizeGgmlRef(how.type, values);
      });
      const sink = await openSink(null);
      const written = await writeGguf(sink, metadata(plan, tensors), tensors);
      return { files: [null], bytes: written.byteLength };
    },
  };
}

export const ggufExporter: Exporter = { format: 'gguf', prepare };
