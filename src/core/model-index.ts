// The format-neutral view of a model (DESIGN "Parts": src/model/): every tensor with its role,
// its logical [out, in] orientation and how storage maps to it, and totals per role.
// ONNX, safetensors and GGUF readers each produce one of these.
import type { Dtype } from '../core/dtypes';

export type TensorRole = 'matmul-weight' | 'embedding' | 'norm' | 'bias' | 'other';
export const TENSOR_ROLES: readonly TensorRole[] = ['matmul-weight', 'embedding', 'norm', 'bias', 'other'];

/**
 * How a 2-D weight's storage maps to its logical matrix W[rows = out][cols = in]:
 * W[r][c] is stored element `r * rowStride + c * colStride`. ONNX MatMul B ([in, out]) has
 * rowStride 1, colStride rows; a PyTorch Linear weight ([out, in]) has rowStride cols, colStride 1.
 */
export interface WeightLayout {
  rows: number;
  cols: number;
  rowStride: number;
  colStride: number;
}

/** Dtype of a tensor: a plain element type, or a ggml block type name such as 'Q4_K'. */
export type TensorDtype = Dtype | (string & {});

export interface TensorInfo {
  /** Name as stored in the file. */
  name: string;
  /** Readable layer name, e.g. `model.layers.0.self_attn.q_proj`, `lm_head`. */
  layer: string;
  role: TensorRole;
  dtype: TensorDtype;
  /** Stored shape, outermost first (numpy order, also for GGUF). */
  shape: number[];
  numel: number;
  byteLength: number;
  /** Present for matmul weights and embeddings. */
  layout?: WeightLayout;
}

export type RoleTotals = Record<TensorRole, number>;

export interface ModelIndex {
  format: 'onnx' | 'safetensors' | 'gguf';
  /** Main file name. */
  fileName: string;
  /** Bytes of all files that make up the model (graph + external data, shards…). */
  fileBytes: number;
  /** Best guess: 'llama', 'mistral', 'qwen2', … or 'unknown'. */
  architecture: string;
  tensors: TensorInfo[];
  paramCount: number;
  paramsByRole: RoleTotals;
  bytesByRole: RoleTotals;
}

export function emptyRoleTotals(): RoleTotals {
  return { 'matmul-weight': 0, embedding: 0, norm: 0, bias: 0, other: 0 };
}

/** Fills paramCount, paramsByRole and bytesByRole from the tensor list. */
export function summarizeTensors(tensors: TensorInfo[]): Pick<ModelIndex, 'paramCount' | 'paramsByRole' | 'bytesByRole'> {
  const paramsByRole = emptyRoleTotals();
  const bytesByRole = emptyRoleTotals();
  let paramCount = 0;
  for (const t of tensors) {
    paramsByRole[t.role] += t.numel;
    bytesByRole[t.role] += t.byteLength;
    paramCount += t.numel;
  }
  return { paramCount, paramsByRole, bytesByRole };
}
