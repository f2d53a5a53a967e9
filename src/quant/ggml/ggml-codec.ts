// One entry point per direction over all CPU references: quantize float32 values into a ggml
// type's bytes (optionally importance-weighted) and dequantize them back (docs/FORMATS.md §4).
// Used by GGUF export, by the tests against llama.cpp, and as the spec for the GPU kernels.
import { UnsupportedModelError } from '../../core/errors';
import { decodeFloats } from '../../core/dtypes';
import { f32ArrayToBf16, f32ArrayToF16 } from '../../core/float16';
import { dequantizeQ2_KRef, quantizeQ2_KRef } from './block-q2_k';
import { dequantizeQ3_KRef, quantizeQ3_KRef } from './block-q3_k';
import { dequantizeQ4_0Ref, dequantizeQ4_1Ref, quantizeQ4_0Ref, quantizeQ4_1Ref } from './block-q4';
import { dequantizeQ4_KRef, dequantizeQ5_KRef, quantizeQ4_KRef, quantizeQ5_KRef } from './block-q4_k-q5_k';
import { dequantizeQ5_0Ref, dequantizeQ5_1Ref, quantizeQ5_0Ref, quantizeQ5_1Ref } from './block-q5';
import { dequantizeQ6_KRef, quantizeQ6_KRef } from './block-q6_k';
import { dequantizeQ8_0Ref, quantizeQ8_0Ref } from './block-q8_0';
import { blockCount, blockCountOfBytes } from './block-shape';
import { quantizeWithImportance } from './importance-quantize';
import { ggmlScheme, type GgmlSchemeName } from './schemes';

type Quantize = (x: Float32Array) => Uint8Array;
type Dequantize = (bytes: Uint8Array) => Float32Array;

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
/** Copies (any alignment) into a fresh, aligned buffer. */
const aligned = (b: Uint8Array) => b.slice().buffer;

const CODECS: Record<GgmlSchemeName, { quantize: Quantize; dequantize: Dequantize }> = {
  F32: {
    quantize: (x) => bytesOf(Float32Array.from(x)),
    dequantize: (b) => new Float32Array(aligned(b), 0, blockCountOfBytes(b.byteLength, 4, 'F32')),
  },
  // Widening makes a new array anyway: the 16-bit bytes are copied only when misaligned (a 2 GB
  // bf16 embedding is not held twice while it is decoded).
  F16: {
    quantize: (x) => bytesOf(f32ArrayToF16(x)),
    dequantize: (b) => (blockCountOfBytes(b.byteLength, 2, 'F16'), decodeFloats(b, 'f16')),
  },
  BF16: {
    quantize: (x) => bytesOf(f32ArrayToBf16(x)),
    dequantize: (b) => (blockCountOfBytes(b.byteLength, 2, 'BF16'), decodeFloats(b, 'bf16')),
  },
  Q8_0: { quantize: quantizeQ8_0Ref, dequantize: dequantizeQ8_0Ref },
  Q4_0: { quantize: quantizeQ4_0Ref, dequantize: dequantizeQ4_0Ref },
  Q4_1: { quantize: quantizeQ4_1Ref, dequantize: dequantizeQ4_1Ref },
  Q5_0: { quantize: quantizeQ5_0Ref, dequantize: dequantizeQ5_0Ref },
  Q5_1: { quantize: quantizeQ5_1Ref, dequantize: dequantizeQ5_1Ref },
  Q2_K: { quantize: quantizeQ2_KRef, dequantize: dequantizeQ2_KRef },
  Q3_K: { quantize: quantizeQ3_KRef, dequantize: dequantizeQ3_KRef },
  Q4_K: { quantize: quantizeQ4_KRef, dequantize: dequantizeQ4_KRef },
  Q5_K: { quantize: quantizeQ5_KRef, dequantize: dequantizeQ5_KRef },
  Q6_K: { quantize: quantizeQ6_KRef, dequantize: dequantizeQ6_KRef },
};

function codec(typeName: string) {
  const s = ggmlScheme(typeName);
  if (!s) throw new UnsupportedModelError(`ggml type ${typeName} has no CPU reference in the studio`, { dtype: typeName });
  return { scheme: s, ...CODECS[s.name] };
}

/**
 * Quantizes float32 values (rows laid end to end; the count must be a whole number of blocks)
 * into the bytes of ggml type `typeName`, exactly as llama-quantize would: with its reference
 * quantizer, or, given `importance` (one weight per column, rows of its length; llama.cpp's
 * `--imatrix`), with its importance-weighted one for the types that have one.
 */
export function quantizeGgmlRef(typeName: string, x: Float32Array, importance?: Float32Array): Uint8Array {
  const c = codec(typeName);
  blockCount(x.length, c.scheme.blockSize, c.scheme.name);
  return (importance && quantizeWithImportance(c.scheme.name, x, importance)) || c.quantize(x);
}

/** Decodes the bytes of ggml type `typeName` to float32 values. */
export function dequantizeGgmlRef(typeName: string, bytes: Uint8Array): Float32Array {
  return codec(typeName).dequantize(bytes);
}

/** Can the studio quantize and dequantize this ggml type on the CPU? */
export function hasGgmlCodec(typeName: string): boolean {
  return ggmlScheme(typeName) !== undefined;
}
