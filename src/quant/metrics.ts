// Error figures of a compressed weight against the original (docs/EVAL.md "Other figures"),
// accumulated in float64.

/** ‖W − Ŵ‖ / ‖W‖ over two arrays of the same elements in the same order (0 for an all-zero W). */
export function relativeError(original: ArrayLike<number>, approx: ArrayLike<number>): number {
  let err = 0;
  let norm = 0;
  for (let i = 0; i < original.length; i++) {
    err += (original[i] - approx[i]) ** 2;
    norm += original[i] ** 2;
  }
  return norm === 0 ? 0 : Math.sqrt(err / norm);
}
