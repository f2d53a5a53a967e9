// The result of compressing one weight matrix: the format-neutral contract between the methods
// (GPU kernels and their CPU references), the pipeline, the metrics and the exporters (DESIGN
// "The compression seam"). Logical W[rows = out][cols = in]; every variant says its own layout:
// integer groups (rtn), llama.cpp blocks (ggml), or dense floats (pruned, not quantized).
import type { IntGroupsLayout } from './compression-plan';
import type { RtnQuantize } from './recipe';

/** Round-to-nearest settings as the kernels take them (a recipe's rtn spec without `method`). */
export type RtnSettings = Omit<RtnQuantize, 'method'>;

/**
 * Integer codes per group along K (com.microsoft.MatMulNBits layout, docs/FORMATS.md §2.1):
 * Ŵ[r][c] = (code − zeroPoint) · scale of (r, group of c).
 */
/** What a method says about one tensor's run (damping raised, inputs zeroed), for its report row. */
export interface RunNotes {
  notes?: readonly string[];
}

export interface IntGroupTensor extends IntGroupsLayout, RunNotes {
  kind: 'int-groups';
  rows: number;
  cols: number;
  /** Packed codes, [rows][⌈cols/packBlock⌉][packBlock·storedBits/8] bytes, LSB first. */
  codes: Uint8Array;
  /** [rows][⌈cols/groupSize⌉] float32. */
  scales: Float32Array;
  /**
   * Integer zero-point codes [rows][⌈cols/groupSize⌉]; symmetric schemes hold 2^(bits−1). With
   * float zero points, each rounded to the grid (what the padding codes hold).
   */
  zeroPoints: Uint8Array;
  /** Float zero points [rows][⌈cols/groupSize⌉] (layout `floatZeroPoints`, HQQ): they, not `zeroPoints`, dequantize. */
  zeroPointValues?: Float32Array;
  /** Group of each input column when a method reorders columns (GPTQ act-order g_idx); none yet. */
  groupIndex?: Int32Array;
  /** ‖W − Ŵ‖ / ‖W‖ over the real (unpadded) elements. */
  relError: number;
}

/** A llama.cpp block type: rows of `cols` elements, each row a whole number of blocks, in HF row order. */
export interface GgmlBlockTensor extends RunNotes {
  kind: 'ggml';
  rows: number;
  cols: number;
  /** ggml type name ('Q4_K', 'F16', …). */
  type: string;
  bytes: Uint8Array;
  relError: number;
}

/** Float values (a pruned weight not quantized after): logical row-major [rows][cols]. */
export interface DenseTensor extends RunNotes {
  kind: 'dense';
  rows: number;
  cols: number;
  values: Float32Array;
  relError: number;
}

export type CompressedTensor = IntGroupTensor | GgmlBlockTensor | DenseTensor;

/** Container width of an RTN code (3-bit codes live in 4-bit containers). */
export function storedBitsFor(bits: number): 2 | 4 | 8 {
  return bits === 3 ? 4 : (bits as 2 | 4 | 8);
}

/** Groups (scale entries) per row. */
export function groupsPerRow(t: Pick<IntGroupTensor, 'cols' | 'groupSize'>): number {
  return Math.ceil(t.cols / t.groupSize);
}
