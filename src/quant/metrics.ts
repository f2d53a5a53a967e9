// Error figures of a compressed weight against the original (docs/EVAL.md "Other figures"),
// accumulated in float64.

/**
 * ‖W − Ŵ‖ / ‖W‖ summed piece by piece, for a Ŵ decoded in slices (a 1 GB weight's decoded copy is
 * never whole in memory); the same sums, in the same order, as relativeError over the whole arrays.
 */
export class RelativeErrorSum {
  private err = 0;
  private norm = 0;

  /** Adds original[offset + i] against approx[i] for i < count (every element of `approx` by default). */
  add(original: ArrayLike<number>, approx: ArrayLike<number>, offset = 0, count = approx.length): void {
    for (let i = 0; i < count; i++) {
      const o = original[offset + i];
      this.err += (o - approx[i]) ** 2;
      this.norm += o ** 2;
    }
  }

  /** Adds the sums of another slice (squared error, squared original), as a worker measured them. */
  addSums(err: number, norm: number): void {
    this.err += err;
    this.norm += norm;
  }

  get sums(): { err: number; norm: number } {
    return { err: this.err, norm: this.norm };
  }

  /** 0 for an all-zero W. */
  value(): number {
    return this.norm === 0 ? 0 : Math.sqrt(this.err / this.norm);
  }
}

/** ‖W − Ŵ‖ / ‖W‖ over two arrays of the same elements in the same order (0 for an all-zero W). */
export function relativeError(original: ArrayLike<number>, approx: ArrayLike<number>): number {
  const sum = new RelativeErrorSum();
  sum.add(original, approx, 0, original.length);
  return sum.value();
}
