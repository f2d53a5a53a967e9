// The result of quantizing one weight matrix: the contract between the GPU kernels (and their
// CPU references), the pipeline, the metrics and the writers. Layout follows ORT's
// com.microsoft.MatMulNBits (docs/FORMATS.md §2.1): logical W[N][K], N = output features
// (`rows`), K = input features (`cols`), quantized along K.

export type QuantBits = 2 | 3 | 4 | 8;

/** A round-to-nearest scheme. `blockSize: 'per-channel'` = one scale per output row. */
export interface RtnScheme {
  bits: QuantBits;
  symmetric: boolean;
  blockSize: 16 | 32 | 64 | 128 | 256 | 'per-channel';
}

export interface QuantizedTensor {
  rows: number; // N
  cols: number; // K
  /** Quantization levels are 2^bits. */
  bits: QuantBits;
  /** Container width the codes are packed in (3-bit codes live in 4-bit containers). */
  storedBits: 2 | 4 | 8;
  symmetric: boolean;
  /** Elements sharing one scale along K (= K for per-channel). */
  groupSize: number;
  /** Elements per packed blob along K; K is zero-padded up to a multiple of it. */
  packBlock: number;
  /** Packed codes, [N][⌈K/packBlock⌉][packBlock·storedBits/8] bytes, LSB first. */
  codes: Uint8Array;
  /** [N][⌈K/groupSize⌉] float32. */
  scales: Float32Array;
  /** Unpacked zero-point codes [N][⌈K/groupSize⌉]; for symmetric schemes every entry is 2^(bits−1). */
  zeroPoints: Uint8Array;
  /** ‖W − Ŵ‖ / ‖W‖ over the real (unpadded) elements. */
  relError: number;
}

export function storedBitsFor(bits: QuantBits): 2 | 4 | 8 {
  return bits === 3 ? 4 : bits;
}

/** Groups (scale entries) per row. */
export function groupsPerRow(t: Pick<QuantizedTensor, 'cols' | 'groupSize'>): number {
  return Math.ceil(t.cols / t.groupSize);
}
