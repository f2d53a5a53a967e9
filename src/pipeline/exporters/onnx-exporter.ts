// ONNX output: the source graph with quantized MatMul weights as com.microsoft.MatMulNBits and
// quantized embeddings as GatherBlockQuantized (docs/FORMATS.md §2), everything else copied byte
// for byte, the recipe and the studio's version in metadata_props; past 2 GiB, the tensors in
// external data files named after the .onnx. Needs an ONNX source (a graph
// builder for other sources is issue #12). Sizes come from the plan: the writer's chunk list is
// complete before any weight is quantized.
import type { ByteSink } from '../../core/byte-sink';
import type { IntGroupTensor } from '../../core/compressed-tensor';
import type { CompressionPlan } from '../../core/compression-plan';
import { RecipeError, UnsupportedModelError } from '../../core/errors';
import { quantizeLabel } from '../../core/recipe';
import { graphUses, traceWeight } from '../../formats/onnx/onnx-graph';
import { OnnxDataType } from '../../formats/onnx/onnx-model';
import { type OnnxEdit, assembleOnnxFiles, writeOnnx } from '../../formats/onnx/onnx-writer';
import { intGroupsStoredBytes } from '../../formats/onnx/quantized-blocks';
import { gatherBlockQuantizedProblem, type PendingQuantized } from '../../formats/onnx/quantized-nodes';
import { methodOf } from '../methods/registry';
import type { CompressedSource, Exporter, ExportTarget } from './exporter';
import { provenanceMetadata } from './provenance';
import { resizedTensor, toStorageOrder } from '../../core/weight-layout';
import { dequantizeCompressed } from '../../quant/dequantize-compressed';
import { encodeFloats } from './float-bytes';

/**
 * Measured with onnxruntime 1.30 (src/formats/onnx/float-zero-points.test.ts and its browser twin):
 * the CPU and wasm EPs run MatMulNBits with float zero points; the WebGPU EP has no kernel for them
 * and onnxruntime places those nodes on the CPU EP.
 */
export const FLOAT_ZERO_POINTS_NOTE =
  'float zero points (HQQ) run on onnxruntime\'s CPU and wasm execution providers; its WebGPU provider (1.30) runs these MatMulNBits on the CPU instead — for WebGPU speed use zeroPoint "integer"';

function externalDataNote(names: string[], bytes: number): string {
  const list = names.length > 2 ? `${names[0]} … ${names[names.length - 1]}` : names.join(' and ');
  return `the ONNX output is past protobuf's 2 GiB limit for one file: its tensors (${(bytes / 2 ** 20).toFixed(0)} MiB) go to ${names.length} external data file${names.length === 1 ? '' : 's'} beside it (${list}); keep them together`;
}

const FLOAT_NAME: Record<string, 'F32' | 'F16' | 'BF16'> = { f32: 'F32', f16: 'F16', bf16: 'BF16' };

export const onnxExporter: Exporter = {
  format: 'onnx',
  prepare(model, recipe, context) {
    const onnx = model.onnx;
    if (!onnx) {
      throw new UnsupportedModelError(`ONNX output needs an ONNX model (a graph to put the weights in); ${model.index.fileName} is ${model.index.format}: choose GGUF or safetensors output`);
    }
    if (recipe.preset) throw new RecipeError(`"preset" ${recipe.preset} is a llama.cpp mix for GGUF output; ONNX output takes rtn rules`, { field: 'preset' });
    if (recipe.dtype) throw new RecipeError(`"dtype" is for GGUF and safetensors output; ONNX output keeps the graph's own float types`, { field: 'dtype' });
    const uses = graphUses(onnx.graph);
    const fileOptions = { fileName: context.onnxFileName, maxModelBytes: context.onnxMaxFileBytes, maxDataFileBytes: context.onnxMaxFileBytes };
    /** The external data files each sized plan needs (none when the .onnx fits protobuf's limit). */
    const dataFiles = new WeakMap<CompressionPlan, { names: string[]; bytes: number }>();
    const scaleType = (name: string) => traceWeight(onnx.initializerByName.get(name)!, uses).computeType;

    const edit = (plan: CompressionPlan, results: CompressedSource | null): OnnxEdit => {
      const quantized = new Map<string, PendingQuantized>();
      const replaced = new Map<string, { load(): Promise<Uint8Array> }>();
      const resized = new Map<string, number[]>();
      const infos = new Map(model.index.tensors.map((t) => [t.name, t]));
      for (const t of plan.tensors) {
        const e = t.encoding;
        // Channel pruning: the initializer is written narrower, in its own orientation.
        const info = t.channels ? resizedTensor(infos.get(t.name)!, t.rows, t.cols) : infos.get(t.name)!;
        if (t.channels) resized.set(t.name, info.shape);
        if (e.kind === 'float') {
          replaced.set(t.name, {
            load: async () => {
              if (!results) throw new Error('Internal error: sizing an ONNX export read a weight');
              const values = dequantizeCompressed(await results(t.name));
              // A norm (AWQ scales folded in) is a vector, already in storage order.
              return encodeFloats(info.layout ? toStorageOrder(values, info.layout, info.numel) : values, e.dtype);
            },
          });
          continue;
        }
        if (e.kind !== 'matmul-nbits' && e.kind !== 'gather-block-quantized') continue;
        const { kind: _kind, ...layout } = e;
        quantized.set(t.name, {
          rows: t.rows,
          cols: t.cols,
          ...layout,
          load: async () => {
            if (!results) throw new Error('Internal error: sizing an ONNX export read a weight');
            return (await results(t.name)) as IntGroupTensor;
          },
        });
      }
      return { quantized, replaced, resized, metadata: provenanceMetadata(plan.recipe) };
    };

    const target: ExportTarget = {
      format: 'onnx',
      encode(tensor, action, rule) {
        if (action.kind === 'keep') return { kind: 'copy' };
        // Pruned, not quantized: the initializer keeps its type, with the zeros written in.
        // Pruned, or a norm with AWQ scales folded in: the initializer keeps its type with the new values.
        if (action.kind === 'prune' || action.kind === 'fold') return { kind: 'float', dtype: FLOAT_NAME[String(tensor.dtype)] ?? 'F32', dequantized: false };
        const geometry = methodOf(action.spec).geometry(action.spec, tensor.layout!.cols);
        if (geometry.kind !== 'int-groups') {
          throw new RecipeError(
            `rule ${rule} (${quantizeLabel(action.spec)}) cannot be written to ONNX: llama.cpp block types are for GGUF output; use method "rtn" or "gptq" for ONNX`,
            { rule: rule ?? undefined, field: 'quantize.method', tensor: tensor.name },
          );
        }
        if (tensor.role === 'embedding') {
          const problem = gatherBlockQuantizedProblem({ cols: tensor.layout!.cols, ...geometry.layout });
          if (problem) {
            throw new RecipeError(`rule ${rule} (${quantizeLabel(action.spec)}) cannot quantize the embedding ${tensor.layer} (${tensor.name}) for ONNX: ${problem}`, { rule: rule ?? undefined, tensor: tensor.name });
          }
          return { kind: 'gather-block-quantized', ...geometry.layout };
        }
        return { kind: 'matmul-nbits', ...geometry.layout };
      },
      tensorBytes(tensor, e) {
        if (e.kind !== 'matmul-nbits' && e.kind !== 'gather-block-quantized') return tensor.byteLength; // copied or rewritten in place
        const type = scaleType(tensor.name);
        return intGroupsStoredBytes({ rows: tensor.layout!.rows, cols: tensor.layout!.cols, ...e }, type === OnnxDataType.FLOAT16 ? type : OnnxDataType.FLOAT);
      },
      planNotes(plan) {
        const notes = plan.tensors.some((t) => t.encoding.kind === 'matmul-nbits' && t.encoding.floatZeroPoints) ? [FLOAT_ZERO_POINTS_NOTE] : [];
        const external = dataFiles.get(plan);
        if (external?.names.length) notes.push(externalDataNote(external.names, external.bytes));
        return notes;
      },
      async fileBytes(plan) {
        const files = await assembleOnnxFiles(onnx, edit(plan, null), fileOptions);
        dataFiles.set(plan, { names: files.data.map((f) => f.name), bytes: files.byteLength - files.model.byteLength });
        return files.byteLength;
      },
      // The graph's initializers as written: quantized weights become codes/scales/zero-point tensors.
      outputTensors: (plan) =>
        plan.tensors.map((t) => ({ name: t.name, type: t.encoding.kind === 'copy' ? String(onnx.initializerByName.get(t.name)!.dtype) : t.encoding.kind, shape: [t.rows, t.cols] })),
      order: (plan) => plan.tensors.filter((t) => t.action.kind !== 'keep').map((t) => t.name),
      async write(plan, results, openSink) {
        const sink: ByteSink = await openSink(null);
        const { bytesWritten, dataFiles: written } = await writeOnnx(onnx, edit(plan, results), sink, { ...fileOptions, openBeside: openSink });
        return { files: [null, ...written], bytes: bytesWritten };
      },
    };
    return target;
  },
};
