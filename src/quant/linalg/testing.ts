// Seeded test data for the linear-algebra references and kernels: normal samples (mulberry32 +
// Box–Muller), correlated activations [tokens][cols], and their Hessians. Shared by the Node tests
// here and the GPU tests in src/kernels/linalg.

/** mulberry32: a small seeded PRNG in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` float32 samples of N(0, sd²). */
export function seededNormal(count: number, seed: number, sd = 1): Float32Array<ArrayBuffer> {
  const rnd = seededRandom(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd()) * sd;
  return out;
}

/**
 * Activation-like rows [tokens][cols]: each token mixes `cols` latent N(0,1) values with its
 * neighbours (x_j = z_j + 0.6·z_{j−1} + 0.3·z_{j−2}) and per-column scales 0.5…2, so the columns are
 * correlated (as real layer inputs are) and H is well away from diagonal.
 */
export function seededActivations(tokens: number, cols: number, seed: number): Float32Array<ArrayBuffer> {
  const z = seededNormal(tokens * cols, seed);
  const out = new Float32Array(tokens * cols);
  for (let t = 0; t < tokens; t++) {
    for (let j = 0; j < cols; j++) {
      const scale = 0.5 + 1.5 * ((j * 7919) % cols) / cols;
      const at = (k: number) => (k >= 0 ? z[t * cols + k] : 0);
      out[t * cols + j] = scale * (at(j) + 0.6 * at(j - 1) + 0.3 * at(j - 2));
    }
  }
  return out;
}

/** H = 2/tokens · XᵀX (float64) of activations [tokens][cols]. */
export function hessianOf(x: ArrayLike<number>, tokens: number, cols: number): Float64Array {
  const h = new Float64Array(cols * cols);
  for (let t = 0; t < tokens; t++) {
    for (let i = 0; i < cols; i++) {
      const xi = x[t * cols + i];
      for (let j = 0; j < cols; j++) h[i * cols + j] += xi * x[t * cols + j];
    }
  }
  return h.map((v) => (v * 2) / tokens);
}

/** A seeded symmetric positive definite matrix [n][n]: the Hessian of 2n correlated tokens. */
export function seededSpd(n: number, seed: number): Float64Array {
  const tokens = 2 * n + 8;
  return hessianOf(seededActivations(tokens, n, seed), tokens, n);
}

/** ‖(W − Ŵ) Xᵀ‖_F over calibration rows X [tokens][cols]: a layer's output error (float64). */
export function outputError(w: ArrayLike<number>, wHat: ArrayLike<number>, rows: number, cols: number, x: ArrayLike<number>, tokens: number): number {
  let sq = 0;
  for (let r = 0; r < rows; r++) {
    for (let t = 0; t < tokens; t++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += (w[r * cols + j] - wHat[r * cols + j]) * x[t * cols + j];
      sq += s * s;
    }
  }
  return Math.sqrt(sq);
}

/** Magnitude pruning: the `zeros` smallest |w| of the whole matrix set to 0 (ties: lower index). */
export function magnitudePrune(w: Float32Array, zeros: number): Float32Array {
  const order = Array.from(w.keys()).sort((a, b) => Math.abs(w[a]) - Math.abs(w[b]) || a - b);
  const out = w.slice();
  for (let i = 0; i < zeros; i++) out[order[i]] = 0;
  return out;
}

/** Magnitude N:M pruning: in every group of m consecutive columns the m − n smallest |w| are 0. */
export function magnitudePruneNm(w: Float32Array, rows: number, cols: number, n: number, m: number): Float32Array {
  const out = w.slice();
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < cols; g += m) {
      const idx = Array.from({ length: m }, (_, t) => r * cols + g + t).sort((a, b) => Math.abs(w[a]) - Math.abs(w[b]) || a - b);
      for (let t = 0; t < m - n; t++) out[idx[t]] = 0;
    }
  }
  return out;
}
