// ggml tensor types (`ggml_type` ids) with their block geometry: the one table that GGUF readers
// and writers (src/formats/gguf) and the CPU references (src/quant/ggml) share.
// docs/FORMATS.md §4.2; sizes from ggml-common.h's static size assertions. blockSize in
// elements, blockBytes in bytes; plain types have blockSize 1.

export interface GgmlTypeInfo {
  /** `ggml_type` id as stored in a GGUF tensor info. */
  id: number;
  /** Upstream spelling: 'F32', 'Q4_K', 'IQ2_XXS', … */
  name: string;
  /** Elements per block (1 for plain types). */
  blockSize: number;
  /** Bytes per block. */
  blockBytes: number;
}

const ROWS: readonly GgmlTypeInfo[] = [
  { id: 0, name: 'F32', blockSize: 1, blockBytes: 4 },
  { id: 1, name: 'F16', blockSize: 1, blockBytes: 2 },
  { id: 2, name: 'Q4_0', blockSize: 32, blockBytes: 18 },
  { id: 3, name: 'Q4_1', blockSize: 32, blockBytes: 20 },
  { id: 6, name: 'Q5_0', blockSize: 32, blockBytes: 22 },
  { id: 7, name: 'Q5_1', blockSize: 32, blockBytes: 24 },
  { id: 8, name: 'Q8_0', blockSize: 32, blockBytes: 34 },
  { id: 9, name: 'Q8_1', blockSize: 32, blockBytes: 36 },
  { id: 10, name: 'Q2_K', blockSize: 256, blockBytes: 84 },
  { id: 11, name: 'Q3_K', blockSize: 256, blockBytes: 110 },
  { id: 12, name: 'Q4_K', blockSize: 256, blockBytes: 144 },
  { id: 13, name: 'Q5_K', blockSize: 256, blockBytes: 176 },
  { id: 14, name: 'Q6_K', blockSize: 256, blockBytes: 210 },
  { id: 15, name: 'Q8_K', blockSize: 256, blockBytes: 292 },
  { id: 16, name: 'IQ2_XXS', blockSize: 256, blockBytes: 66 },
  { id: 17, name: 'IQ2_XS', blockSize: 256, blockBytes: 74 },
  { id: 18, name: 'IQ3_XXS', blockSize: 256, blockBytes: 98 },
  { id: 19, name: 'IQ1_S', blockSize: 256, blockBytes: 50 },
  { id: 20, name: 'IQ4_NL', blockSize: 32, blockBytes: 18 },
  { id: 21, name: 'IQ3_S', blockSize: 256, blockBytes: 110 },
  { id: 22, name: 'IQ2_S', blockSize: 256, blockBytes: 82 },
  { id: 23, name: 'IQ4_XS', blockSize: 256, blockBytes: 136 },
  { id: 24, name: 'I8', blockSize: 1, blockBytes: 1 },
  { id: 25, name: 'I16', blockSize: 1, blockBytes: 2 },
  { id: 26, name: 'I32', blockSize: 1, blockBytes: 4 },
  { id: 27, name: 'I64', blockSize: 1, blockBytes: 8 },
  { id: 28, name: 'F64', blockSize: 1, blockBytes: 8 },
  { id: 29, name: 'IQ1_M', blockSize: 256, blockBytes: 56 },
  { id: 30, name: 'BF16', blockSize: 1, blockBytes: 2 },
  { id: 34, name: 'TQ1_0', blockSize: 256, blockBytes: 54 },
  { id: 35, name: 'TQ2_0', blockSize: 256, blockBytes: 66 },
  { id: 39, name: 'MXFP4', blockSize: 32, blockBytes: 17 },
  { id: 40, name: 'NVFP4', blockSize: 64, blockBytes: 36 },
  { id: 41, name: 'Q1_0', blockSize: 128, blockBytes: 18 },
  { id: 42, name: 'Q2_0', blockSize: 64, blockBytes: 18 },
];

/** Every ggml type the studio can recognise, in id order. */
export const GGML_TYPES: readonly GgmlTypeInfo[] = ROWS;

const BY_ID = new Map(ROWS.map((r) => [r.id, r]));
const BY_NAME = new Map(ROWS.map((r) => [r.name, r]));

/** The type with this `ggml_type` id, or undefined for ids no ggml release defines (4, 5, 31–33, …). */
export function ggmlTypeById(id: number): GgmlTypeInfo | undefined {
  return BY_ID.get(id);
}

/** The type with this upstream name ('Q4_K'), or undefined. */
export function ggmlTypeByName(name: string): GgmlTypeInfo | undefined {
  return BY_NAME.get(name);
}

/** Bytes of `numel` elements of type `t` (`numel` must be a whole number of blocks; callers check). */
export function ggmlTensorBytes(t: GgmlTypeInfo, numel: number): number {
  return (numel / t.blockSize) * t.blockBytes;
}
