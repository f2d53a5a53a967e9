// Bit packing shared by the k-quant blocks (docs/FORMATS.md §4.5): the 2-bit field of Q2_K/Q3_K,
// and the 6-bit scale/min pairs of Q4_K/Q5_K (ggml's get_scale_min_k4 and its inverse).

export const QK_K = 256;

/** 256 two-bit codes → 64 bytes: byte 32h + l holds elements 128h + l + 32s at bits 2s…2s+1. */
export function pack2bit(L: ArrayLike<number>, out: Uint8Array, at: number): void {
  for (let h = 0; h < 2; h++) {
    for (let l = 0; l < 32; l++) {
      const e = 128 * h + l;
      out[at + 32 * h + l] = L[e] | (L[e + 32] << 2) | (L[e + 64] << 4) | (L[e + 96] << 6);
    }
  }
}

/** The 2-bit code of element e (0…255) from the 64 bytes at `at`. */
export function unpack2bit(bytes: Uint8Array, at: number, e: number): number {
  const h = e >> 7;
  const r = e & 127;
  return (bytes[at + 32 * h + (r & 31)] >> (2 * (r >> 5))) & 3;
}

/** Packs eight 6-bit scale codes and eight 6-bit min codes into 12 bytes at `at`. */
export function packScaleMinK4(ls: ArrayLike<number>, lm: ArrayLike<number>, out: Uint8Array, at: number): void {
  for (let j = 0; j < 8; j++) {
    if (j < 4) {
      out[at + j] = ls[j];
      out[at + j + 4] = lm[j];
    } else {
      out[at + j + 4] = (ls[j] & 0xf) | ((lm[j] & 0xf) << 4);
      out[at + j - 4] |= (ls[j] >> 4) << 6;
      out[at + j] |= (lm[j] >> 4) << 6;
    }
  }
}

/** Scale code (sc) and min code (m) of sub-block j from the 12 bytes at `at`. */
export function scaleMinK4(bytes: Uint8Array, at: number, j: number): { sc: number; m: number } {
  if (j < 4) return { sc: bytes[at + j] & 63, m: bytes[at + j + 4] & 63 };
  return {
    sc: (bytes[at + j + 4] & 0xf) | ((bytes[at + j - 4] >> 6) << 4),
    m: (bytes[at + j + 4] >> 4) | ((bytes[at + j] >> 6) << 4),
  };
}
