// The GPTQ-packed Linear layout AutoGPTQ, GPTQModel and transformers read from safetensors
// (docs/FORMATS.md §6.1, AutoGPTQ's "gptq" v1 checkpoint format). Per Linear with K inputs and N
// outputs, b bits (2, 4 or 8: 32/b codes per int32), groups of `groupSize` inputs:
//   qweight I32 [K·b/32, N]  word [i][n] holds q[i·32/b + j][n] at bits j·b…, LSB first (packed along K)
//   qzeros  I32 [G, N·b/32]  word [g][c] holds zero[g][c·32/b + j] − 1 at bits j·b… (packed along N)
//   scales  F16 [G, N]
//   g_idx   I32 [K]          group of input k (⌊k/groupSize⌋: the studio's act-order fixes groups first)
// W[n][k] = scales[g][n] · (q[k][n] − zero[g][n]), g = g_idx[k]. The v1 "zero − 1" cannot hold a
// zero point of 0 (an asymmetric group whose weights are all ≥ 0, or all zero): it is written as
// 2^b − 1, which a reader that masks after adding 1 (this one) reads back as 0 and one that does
// not reads as 2^b — v1's own limitation, shared by every file AutoGPTQ writes. (All-zero groups
// have scale 0 and come out 0 either way.)
// Written by hand: no JavaScript library reads or writes this layout. 3-bit's word-spilling layout
// is not written (the studio stores 3-bit weights dequantized instead).

/** Bit widths packed here (32 is a multiple of each). */
export const GPTQ_PACKED_BITS = [2, 4, 8] as const;

export interface GptqPacked {
  /** N: outputs (Linear out_features). */
  rows: number;
  /** K: inputs (Linear in_features). */
  cols: number;
  bits: number;
  /** [K·bits/32][N]. */
  qweight: Int32Array;
  /** [G][N·bits/32]. */
  qzeros: Int32Array;
  /** [G][N] (float16 in the file). */
  scales: Float32Array;
  /** [K]. */
  gIdx: Int32Array;
}

/** Why a [rows = N, cols = K] weight at `bits` cannot be packed, or undefined when it can. */
export function gptqPackProblem(bits: number, rows: number, cols: number): string | undefined {
  if (!(GPTQ_PACKED_BITS as readonly number[]).includes(bits)) return `${bits}-bit codes have no GPTQ packing the studio writes (2, 4 and 8 bits)`;
  const per = 32 / bits;
  if (cols % per !== 0) return `its ${cols} inputs are not a multiple of the ${per} ${bits}-bit codes in an int32`;
  if (rows % per !== 0) return `its ${rows} outputs are not a multiple of the ${per} ${bits}-bit zero points in an int32`;
  return undefined;
}

/** What packing reads from a quantized weight W[N][K]: its codes, and per [row][group] its zero point and scale. */
export interface GptqSource {
  rows: number;
  cols: number;
  bits: number;
  groupSize: number;
  code(row: number, col: number): number;
  /** [rows][groups] integer zero points. */
  zeroPoints: ArrayLike<number>;
  /** [rows][groups]. */
  scales: ArrayLike<number>;
}

export function packGptq(w: GptqSource): GptqPacked {
  const { rows: n, cols: k, bits, groupSize } = w;
  const problem = gptqPackProblem(bits, n, k);
  if (problem) throw new Error(`GPTQ packing: ${problem}`);
  const per = 32 / bits;
  const mask = (1 << bits) - 1;
  const groups = Math.ceil(k / groupSize);
  const qweight = new Int32Array((k / per) * n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < k; c++) qweight[Math.floor(c / per) * n + r] |= (w.code(r, c) & mask) << ((c % per) * bits);
  }
  const qzeros = new Int32Array(groups * (n / per));
  const scales = new Float32Array(groups * n);
  for (let g = 0; g < groups; g++) {
    for (let r = 0; r < n; r++) {
      qzeros[g * (n / per) + Math.floor(r / per)] |= ((w.zeroPoints[r * groups + g] - 1) & mask) << ((r % per) * bits);
      scales[g * n + r] = w.scales[r * groups + g];
    }
  }
  const gIdx = Int32Array.from({ length: k }, (_, c) => Math.floor(c / groupSize));
  return { rows: n, cols: k, bits, qweight, qzeros, scales, gIdx };
}

/** W[N][K] (Hugging Face Linear order) from the packed tensors. */
export function dequantizeGptq(p: GptqPacked): Float32Array {
  const { rows: n, cols: k, bits } = p;
  const per = 32 / bits;
  const mask = (1 << bits) - 1;
  const groups = p.scales.length / n;
  const out = new Float32Array(n * k);
  for (let c = 0; c < k; c++) {
    const g = p.gIdx[c];
    if (!(g >= 0 && g < groups)) throw new Error(`GPTQ g_idx[${c}] = ${g} is outside the ${groups} groups`);
    const shift = (c % per) * bits;
    const wordRow = Math.floor(c / per) * n;
    for (let r = 0; r < n; r++) {
      const q = (p.qweight[wordRow + r] >>> shift) & mask;
      const zero = (((p.qzeros[g * (n / per) + Math.floor(r / per)] >>> ((r % per) * bits)) & mask) + 1) & mask;
      out[r * k + c] = p.scales[g * n + r] * (q - zero);
    }
  }
  return out;
}

/** The bits of a packed Linear from its qweight and g_idx shapes ([K·b/32, N] and [K]), or undefined. */
export function gptqBitsOf(qweightShape: readonly number[], inputs: number): number | undefined {
  if (qweightShape.length !== 2 || qweightShape[0] === 0) return undefined;
  const bits = (qweightShape[0] * 32) / inputs;
  return (GPTQ_PACKED_BITS as readonly number[]).includes(bits) ? bits : undefined;
}
