// KL divergence of a variant's next-token distribution from the original's (llama.cpp
// `llama-perplexity --kl-divergence` reports the same two figures: mean KL and the share of
// positions whose top token agrees), over the same windows and positions as perplexity
// (0..L−2 of each window). The original's distribution is kept as its TOP_K most likely tokens per
// position with their log-probabilities, the rest lumped into one "tail" outcome: memory is
// W·255·K entries instead of W·255·vocab (a 32k vocabulary at W=64 would be 2 GB in float32).
// Lumping can only lower KL (log-sum inequality), so the figure is a lower bound of the full KL;
// it is exact when the original puts all its mass in its top K. Everything in float64.
import { ShapeError } from '../core/errors';

export { KL_TOP_K } from '../core/evaluation';

/** The original's distribution at every scored position of the first `windows` windows. */
export interface TopKReference {
  k: number;
  vocab: number;
  windows: number;
  /** Scored positions per window (L − 1). */
  positions: number;
  /** [windows][positions][k] token ids, most likely first. */
  indices: Uint32Array;
  /** [windows][positions][k] log-probabilities of those tokens. */
  logProbs: Float64Array;
  /** [windows][positions] log of the mass outside the top k (−Infinity when none). */
  tailLogProb: Float64Array;
}

export interface KlSums {
  /** Σ over positions of KL(original ‖ variant), nats. */
  kl: number;
  /** Positions whose most likely token is the same. */
  top1Same: number;
  positions: number;
}

/** log Σ exp over one row of logits (float64), with the row's maximum. */
function logSumExp(logits: Float32Array, row: number, vocab: number): number {
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) if (logits[row + v] > max) max = logits[row + v];
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp(logits[row + v] - max);
  return Math.log(sum) + max;
}

/** A reference to be filled by recordWindow; its arrays are sized at the first window, once the vocabulary is known. */
export function emptyReference(k: number, windows: number, positions: number): TopKReference {
  if (!Number.isInteger(k) || k < 1) throw new ShapeError(`top-k must be a positive integer, got ${k}`);
  return { k, vocab: 0, windows, positions, indices: new Uint32Array(0), logProbs: new Float64Array(0), tailLogProb: new Float64Array(0) };
}

/**
 * Records window `w`'s distributions: for positions 0..positions−1 of `logits` ([L][vocab]), the
 * k most likely tokens (ties: lower id first) and the log of the remaining mass.
 */
export function recordWindow(ref: TopKReference, w: number, logits: Float32Array, vocab: number): void {
  if (ref.vocab === 0) {
    if (ref.k > vocab) throw new ShapeError(`top-k ${ref.k} is more than the vocabulary (${vocab})`);
    Object.assign(ref, {
      vocab,
      indices: new Uint32Array(ref.windows * ref.positions * ref.k),
      logProbs: new Float64Array(ref.windows * ref.positions * ref.k),
      tailLogProb: new Float64Array(ref.windows * ref.positions),
    });
  }
  if (vocab !== ref.vocab) throw new ShapeError(`logits have ${vocab} columns, the reference ${ref.vocab}`);
  const { k, positions } = ref;
  const topIds = new Int32Array(k);
  const topLogits = new Float64Array(k);
  for (let p = 0; p < positions; p++) {
    const row = p * vocab;
    const lse = logSumExp(logits, row, vocab);
    // Keep the k largest in a sorted array (descending); most of the vocabulary fails the first test.
    let filled = 0;
    for (let v = 0; v < vocab; v++) {
      const x = logits[row + v];
      if (filled === k && x <= topLogits[k - 1]) continue;
      let i = filled < k ? filled++ : k - 1;
      while (i > 0 && topLogits[i - 1] < x) {
        topLogits[i] = topLogits[i - 1];
        topIds[i] = topIds[i - 1];
        i--;
      }
      topLogits[i] = x;
      topIds[i] = v;
    }
    const at = (w * positions + p) * k;
    let kept = 0;
    for (let i = 0; i < k; i++) {
      ref.indices[at + i] = topIds[i];
      ref.logProbs[at + i] = topLogits[i] - lse;
      kept += Math.exp(ref.logProbs[at + i]);
    }
    ref.tailLogProb[w * positions + p] = kept >= 1 ? -Infinity : Math.log1p(-kept);
  }
}

/** KL(original ‖ variant) summed over window `w`'s positions, with the lumped tail, and top-1 agreement. */
export function windowKl(ref: TopKReference, w: number, logits: Float32Array, vocab: number): KlSums {
  if (w >= ref.windows) throw new ShapeError(`the reference holds ${ref.windows} windows; window ${w} asked`);
  if (vocab !== ref.vocab) throw new ShapeError(`logits have ${vocab} columns, the reference ${ref.vocab}`);
  const { k, positions } = ref;
  let kl = 0;
  let top1Same = 0;
  for (let p = 0; p < positions; p++) {
    const row = p * vocab;
    const lse = logSumExp(logits, row, vocab);
    const at = (w * positions + p) * k;
    let keptQ = 0;
    let sum = 0;
    for (let i = 0; i < k; i++) {
      const lp = ref.logProbs[at + i];
      const lq = logits[row + ref.indices[at + i]] - lse;
      keptQ += Math.exp(lq);
      sum += Math.exp(lp) * (lp - lq);
    }
    const lpTail = ref.tailLogProb[w * positions + p];
    if (lpTail > -Infinity) {
      // The variant's mass outside the original's top k; a tiny floor keeps an all-in-top-k variant finite.
      const lqTail = keptQ >= 1 ? Math.log(Number.EPSILON) : Math.log1p(-keptQ);
      sum += Math.exp(lpTail) * (lpTail - lqTail);
    }
    kl += Math.max(0, sum);
    let best = 0;
    for (let v = 1; v < vocab; v++) if (logits[row + v] > logits[row + best]) best = v;
    if (best === ref.indices[at]) top1Same++;
  }
  return { kl, top1Same, positions };
}
