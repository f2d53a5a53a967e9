// A llama.cpp block's grid once its parameters are fixed (docs/FORMATS.md §4): for element e of
// the block at `o`, the value a code q decodes to (exactly as the type's dequantizer computes it),
// the nearest code to a value, and where the code's bits go. GPTQ on a llama.cpp type
// (src/quant/linalg/gptq-ggml.ts) fixes a block's scales with llama.cpp's own quantizer, then
// chooses each code itself, one column at a time; these functions are what lets it write them.
// Only the types GPTQ takes (core/recipe GPTQ_GGML_TYPES): Q8_0, Q4_0, Q4_K, Q6_K.
import type { GgmlQuantType } from '../../core/recipe';
import { f, readF16 } from './ggml-math';
import { scaleMinK4 } from './kquant-pack';

export interface BlockGrid {
  blockSize: number;
  blockBytes: number;
  /** The value code q of element e decodes to (float32, the dequantizer's arithmetic). */
  value(bytes: Uint8Array, o: number, e: number, q: number): number;
  /** The code of element e nearest to x (within the type's range). */
  code(bytes: Uint8Array, o: number, e: number, x: number): number;
  /** Writes code q of element e into the block. */
  setCode(bytes: Uint8Array, o: number, e: number, q: number): void;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
/** The code nearest x/step + offset; a zero step takes `zero` (every code decodes the same). */
const nearest = (x: number, step: number, offset: number, lo: number, hi: number, zero: number) => (step === 0 ? zero : clamp(Math.round(x / step) + offset, lo, hi));
const setNibble = (bytes: Uint8Array, at: number, high: boolean, q: number) => {
  bytes[at] = high ? (bytes[at] & 0x0f) | (q << 4) : (bytes[at] & 0xf0) | q;
};

/** Q8_0: {d} x = q·d, q ∈ [−127, 127] (int8 at 2 + e). */
const Q8_0: BlockGrid = {
  blockSize: 32,
  blockBytes: 34,
  value: (b, o, _e, q) => f(q * readF16(b, o)),
  code: (b, o, _e, x) => nearest(x, readF16(b, o), 0, -127, 127, 0),
  setCode: (b, o, e, q) => {
    b[o + 2 + e] = q & 0xff;
  },
};

/** Q4_0: {d} x = (q − 8)·d, q ∈ [0, 15]; byte j holds element j (low) and j + 16 (high). */
const Q4_0: BlockGrid = {
  blockSize: 32,
  blockBytes: 18,
  value: (b, o, _e, q) => f((q - 8) * readF16(b, o)),
  code: (b, o, _e, x) => nearest(x, readF16(b, o), 8, 0, 15, 8),
  setCode: (b, o, e, q) => setNibble(b, o + 2 + (e & 15), e >= 16, q),
};

/** Q4_K: sub-block j = e/32 has dl = d·sc_j, ml = dmin·m_j; x = dl·q − ml, q ∈ [0, 15]. */
function q4kStep(b: Uint8Array, o: number, e: number): { dl: number; ml: number } {
  const { sc, m } = scaleMinK4(b, o + 4, e >> 5);
  return { dl: f(readF16(b, o) * sc), ml: f(readF16(b, o + 2) * m) };
}
const Q4_K: BlockGrid = {
  blockSize: 256,
  blockBytes: 144,
  value: (b, o, e, q) => {
    const { dl, ml } = q4kStep(b, o, e);
    return f(f(dl * q) - ml);
  },
  code: (b, o, e, x) => {
    const { dl, ml } = q4kStep(b, o, e);
    return nearest(x + ml, dl, 0, 0, 15, 0);
  },
  // Chunk c of 64 elements: byte 16 + 32c + l holds element 64c + l (low) and 64c + 32 + l (high).
  setCode: (b, o, e, q) => setNibble(b, o + 16 + 32 * (e >> 6) + (e & 31), ((e >> 5) & 1) === 1, q),
};

/** Q6_K: sub-block e/16 has the int8 scale sc; x = (d·sc)·(q − 32), q ∈ [0, 63] as 4 low bits in ql and 2 high in qh. */
const q6kStep = (b: Uint8Array, o: number, e: number) => f(readF16(b, o + 208) * ((b[o + 192 + (e >> 4)] << 24) >> 24));
const Q6_K: BlockGrid = {
  blockSize: 256,
  blockBytes: 210,
  value: (b, o, e, q) => f(q6kStep(b, o, e) * (q - 32)),
  code: (b, o, e, x) => nearest(x, q6kStep(b, o, e), 32, 0, 63, 32),
  setCode: (b, o, e, q) => {
    const h = e >> 7;
    const s = (e & 127) >> 5;
    const l = e & 31;
    setNibble(b, o + 64 * h + l + (s & 1 ? 32 : 0), s >= 2, q & 0xf);
    const at = o + 128 + 32 * h + l;
    b[at] = (b[at] & ~(3 << (2 * s))) | ((q >> 4) << (2 * s));
  },
};

export const BLOCK_GRIDS: Partial<Record<GgmlQuantType, BlockGrid>> = { Q8_0, Q4_0, Q4_K, Q6_K };
