// Q4_K and Q5_K (docs/FORMATS.md §4.5): 256 elements as 8 sub-blocks of 32, each with a 6-bit
// scale code and 6-bit min code (12 bytes); x = d·sc·q − dmin·m. Q4_K (144 B): d @0, dmin @2,
// scales @4, qs[128] @16. Q5_K (176 B): same, then qh[32] @16 (5th bits), qs[128] @48.
// References: ggml quantize_row_q4_K_ref / q5_K_ref and dequantize_row_q4_K / q5_K.
import { blockCount, blockCountOfBytes } from './block-shape';
import { f, nearestInt, readF16, writeF16 } from './ggml-math';
import { makeQkx2Quants } from './kquant-search';
import { packScaleMinK4, QK_K, scaleMinK4 } from './kquant-pack';

export const Q4_K_BLOCK_BYTES = 144;
export const Q5_K_BLOCK_BYTES = 176;

interface Variant {
  name: 'Q4_K' | 'Q5_K';
  nmax: number;
  rmin: number;
  nstep: number;
}
const Q4_K: Variant = { name: 'Q4_K', nmax: 15, rmin: -1, nstep: 20 };
const Q5_K: Variant = { name: 'Q5_K', nmax: 31, rmin: -0.5, nstep: 15 };

/**
 * Shared body: fills bytes 0–15 (d, dmin, scales) of the block at `o` and returns the codes
 * (0…nmax) of its 256 elements in L.
 */
function quantizeSuperBlock(v: Variant, xb: Float32Array, out: Uint8Array, o: number, L: Uint8Array, scratch: Scratch): void {
  const { weights, Laux, scales, mins, ls, lm } = scratch;
  let maxScale = 0;
  let maxMin = 0;
  for (let j = 0; j < 8; j++) {
    const xs = xb.subarray(32 * j, 32 * j + 32);
    let sumX2 = 0;
    for (let l = 0; l < 32; l++) sumX2 = f(sumX2 + f(xs[l] * xs[l]));
    const avX = f(Math.sqrt(f(sumX2 / 32)));
    for (let l = 0; l < 32; l++) weights[l] = f(avX + Math.abs(xs[l]));
    const r = makeQkx2Quants(v.nmax, xs, weights, L.subarray(32 * j, 32 * j + 32), Laux, f(v.rmin), f(0.1), v.nstep, false);
    scales[j] = r.scale;
    mins[j] = r.min;
    if (scales[j] > maxScale) maxScale = scales[j];
    if (mins[j] > maxMin) maxMin = mins[j];
  }
  const invScale = maxScale > 0 ? f(63 / maxScale) : 0;
  const invMin = maxMin > 0 ? f(63 / maxMin) : 0;
  for (let j = 0; j < 8; j++) {
    ls[j] = Math.min(63, nearestInt(f(invScale * scales[j])) & 0xff);
    lm[j] = Math.min(63, nearestInt(f(invMin * mins[j])) & 0xff);
  }
  packScaleMinK4(ls, lm, out, o + 4);
  const d = writeF16(out, o, f(maxScale / 63));
  const dmin = writeF16(out, o + 2, f(maxMin / 63));
  for (let j = 0; j < 8; j++) {
    const { sc, m } = scaleMinK4(out, o + 4, j);
    const dl = f(d * sc);
    if (!dl) continue;
    const dm = f(dmin * m);
    for (let ii = 0; ii < 32; ii++) {
      const l = nearestInt(f(f(xb[32 * j + ii] + dm) / dl));
      L[32 * j + ii] = l < 0 ? 0 : l > v.nmax ? v.nmax : l;
    }
  }
}

interface Scratch {
  weights: Float32Array;
  Laux: Uint8Array;
  scales: Float32Array;
  mins: Float32Array;
  ls: Uint8Array;
  lm: Uint8Array;
}
const scratch = (): Scratch => ({
  weights: new Float32Array(32),
  Laux: new Uint8Array(32),
  scales: new Float32Array(8),
  mins: new Float32Array(8),
  ls: new Uint8Array(8),
  lm: new Uint8Array(8),
});

export function quantizeQ4_KRef(x: Float32Array): Uint8Array {
  const nb = blockCount(x.length, QK_K, 'Q4_K');
  const out = new Uint8Array(nb * Q4_K_BLOCK_BYTES);
  const L = new Uint8Array(QK_K);
  const s = scratch();
  for (let i = 0; i < nb; i++) {
    const o = i * Q4_K_BLOCK_BYTES;
    quantizeSuperBlock(Q4_K, x.subarray(i * QK_K, (i + 1) * QK_K), out, o, L, s);
    packQ4_KCodes(L, out, o);
  }
  return out;
}

/** Writes 256 codes 0…15 into the qs of the Q4_K block at `o`. */
export function packQ4_KCodes(L: Uint8Array, out: Uint8Array, o: number): void {
  // Chunk c of 64 elements: byte 32c + l holds element 64c + l (low) and 64c + l + 32 (high).
  for (let c = 0; c < 4; c++) {
    for (let l = 0; l < 32; l++) out[o + 16 + 32 * c + l] = L[64 * c + l] | (L[64 * c + l + 32] << 4);
  }
}

export function quantizeQ5_KRef(x: Float32Array): Uint8Array {
  const nb = blockCount(x.length, QK_K, 'Q5_K');
  const out = new Uint8Array(nb * Q5_K_BLOCK_BYTES);
  const L = new Uint8Array(QK_K);
  const s = scratch();
  for (let i = 0; i < nb; i++) {
    const o = i * Q5_K_BLOCK_BYTES;
    quantizeSuperBlock(Q5_K, x.subarray(i * QK_K, (i + 1) * QK_K), out, o, L, s);
    packQ5_KCodes(L, out, o);
  }
  return out;
}

/** Writes 256 codes 0…31 into the qh and qs of the (zeroed) Q5_K block at `o`. */
export function packQ5_KCodes(L: Uint8Array, out: Uint8Array, o: number): void {
  for (let c = 0; c < 4; c++) {
    for (let l = 0; l < 32; l++) {
      let l1 = L[64 * c + l];
      let l2 = L[64 * c + l + 32];
      if (l1 > 15) {
        l1 -= 16;
        out[o + 16 + l] |= 1 << (2 * c);
      }
      if (l2 > 15) {
        l2 -= 16;
        out[o + 16 + l] |= 2 << (2 * c);
      }
      out[o + 48 + 32 * c + l] = l1 | (l2 << 4);
    }
  }
}

function dequantizeK4K5(v: Variant, bytes: Uint8Array): Float32Array {
  const blockBytes = v.name === 'Q4_K' ? Q4_K_BLOCK_BYTES : Q5_K_BLOCK_BYTES;
  const qsAt = v.name === 'Q4_K' ? 16 : 48;
  const nb = blockCountOfBytes(bytes.byteLength, blockBytes, v.name);
  const y = new Float32Array(nb * QK_K);
  for (let i = 0; i < nb; i++) {
    const o = i * blockBytes;
    const d = readF16(bytes, o);
    const dmin = readF16(bytes, o + 2);
    for (let j = 0; j < 8; j++) {
      const { sc, m } = scaleMinK4(bytes, o + 4, j);
      const dl = f(d * sc);
      const ml = f(dmin * m);
      const c = j >> 1;
      const high = j & 1;
      for (let l = 0; l < 32; l++) {
        const b = bytes[o + qsAt + 32 * c + l];
        let q = high ? b >> 4 : b & 0xf;
        if (v.name === 'Q5_K' && (bytes[o + 16 + l] >> (2 * c + high)) & 1) q += 16;
        y[i * QK_K + 32 * j + l] = f(dl * q) - ml;
      }
    }
  }
  return y;
}

export function dequantizeQ4_KRef(bytes: Uint8Array): Float32Array {
  return dequantizeK4K5(Q4_K, bytes);
}

export function dequantizeQ5_KRef(bytes: Uint8Array): Float32Array {
  return dequantizeK4K5(Q5_K, bytes);
}
